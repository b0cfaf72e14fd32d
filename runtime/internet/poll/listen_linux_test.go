//go:build linux

package poll

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A listener is watched by two loops (by all of them when there are
// fewer): every loop that watches it wakes for each new connection, and
// with one loop a CPU all of them would. The kernel lists what an epoll
// watches in /proc/self/fdinfo.
func TestListenerIsWatchedByTwoLoops(t *testing.T) {
	for _, loops := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("loops=%d", loops), func(t *testing.T) {
			p, err := NewEpoll(loops)
			require.NoError(t, err)
			defer p.Close()
			ln, err := p.Listen("tcp", "127.0.0.1:0", ListenConfig{})
			require.NoError(t, err)
			defer ln.Close()
			fd := ln.(*elistener).fd
			watching := 0
			for _, l := range p.(*epollPoller).loops {
				info, err := os.ReadFile(fmt.Sprintf("/proc/self/fdinfo/%d", l.lnfd))
				require.NoError(t, err)
				if strings.Contains(string(info), fmt.Sprintf("tfd: %8d ", fd)) {
					watching++
				}
			}
			assert.Equal(t, min(loops, listenLoops), watching)
		})
	}
}
