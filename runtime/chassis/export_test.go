package chassis

import "time"

// IdleTimeoutOf returns the idle timeout s gives its connections.
func IdleTimeoutOf(s *ServerCore) time.Duration { return s.opts.Conn.IdleTimeout }
