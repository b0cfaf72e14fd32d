// Command snaploop takes a live picture's snapshot (introspect's
// snapshot.json) every -every until it is signalled, as a page polling it
// does, then prints how many it took and how long the server said each
// took: the load whose cost scripts/bench-introspect.sh measures.
//
//	snaploop -url http://127.0.0.1:6060/debug/kamgen/snapshot.json -every 1s
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"
)

func main() {
	url := flag.String("url", "", "the snapshot's URL")
	every := flag.Duration("every", time.Second, "time between two snapshots")
	atLeast := flag.Int("min-conns", 0, "count only the snapshots of at least this many connections")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client := &http.Client{Timeout: 30 * time.Second}
	var took []int64
	tick := time.NewTicker(*every)
	defer tick.Stop()
	for {
		var s struct {
			TookMicros  int64 `json:"tookMicros"`
			Connections int   `json:"connections"`
		}
		if resp, err := client.Get(*url); err == nil {
			if json.NewDecoder(resp.Body).Decode(&s) == nil && s.Connections >= *atLeast {
				took = append(took, s.TookMicros)
			}
			resp.Body.Close()
		}
		select {
		case <-ctx.Done():
			slices.Sort(took)
			if len(took) == 0 {
				fmt.Println("snapshots: none")
				return
			}
			fmt.Printf("snapshots: %d taken, median %d µs, max %d µs\n", len(took), took[len(took)/2], took[len(took)-1])
			return
		case <-tick.C:
		}
	}
}
