package introspect_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkSnapshot takes the snapshot of an echo server with 2,000 idle
// connections, as the handler serves it.
func BenchmarkSnapshot(b *testing.B) {
	for _, n := range []int{2000} {
		b.Run(fmt.Sprintf("conns=%d", n), func(b *testing.B) {
			l := startLive(b)
			for range n {
				l.dial(b)
			}
			h := l.page.Config.Handler
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("GET", fmt.Sprintf("/debug/kamgen/snapshot.json?conns=%d", 50+i%2), nil))
				if w.Code != http.StatusOK {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
