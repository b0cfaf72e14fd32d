//go:build linux

package poll

import (
	"context"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// listenAddr is where Listen binds.
type listenAddr struct {
	addr   netip.AddrPort
	v6only bool
}

// ipNetwork is the resolver's network for a TCP network: "ip", "ip4" or
// "ip6".
func ipNetwork(network string) (string, error) {
	switch network {
	case "tcp":
		return "ip", nil
	case "tcp4":
		return "ip4", nil
	case "tcp6":
		return "ip6", nil
	}
	return "", net.UnknownNetworkError(network)
}

// fits reports whether a suits network, and a with an IPv4-mapped address
// unmapped.
func fits(network string, a netip.Addr) (netip.Addr, bool) {
	if a.Is4In6() {
		a = a.Unmap()
	}
	switch network {
	case "tcp4":
		return a, a.Is4()
	case "tcp6":
		return a, a.Is6()
	}
	return a, true
}

func splitHostPort(ctx context.Context, network, address string) (string, uint16, error) {
	host, service, err := net.SplitHostPort(address)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.ParseUint(service, 10, 16)
	if err != nil {
		p, lerr := net.DefaultResolver.LookupPort(ctx, network, service)
		if lerr != nil {
			return "", 0, lerr
		}
		port = uint64(p)
	}
	return host, uint16(port), nil
}

// parseIP parses an IP literal, with an IPv6 zone given by name or index.
func parseIP(host string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a, true
}

func resolveListenAddr(network, address string) (listenAddr, error) {
	ipnet, err := ipNetwork(network)
	if err != nil {
		return listenAddr{}, err
	}
	ctx := context.Background()
	host, port, err := splitHostPort(ctx, network, address)
	if err != nil {
		return listenAddr{}, err
	}
	if host == "" {
		switch {
		case network == "tcp4" || network == "tcp" && !supportsIPv6():
			return listenAddr{addr: netip.AddrPortFrom(netip.IPv4Unspecified(), port)}, nil
		default:
			return listenAddr{addr: netip.AddrPortFrom(netip.IPv6Unspecified(), port), v6only: network == "tcp6"}, nil
		}
	}
	var candidates []netip.Addr
	if a, ok := parseIP(host); ok {
		candidates = []netip.Addr{a}
	} else if candidates, err = net.DefaultResolver.LookupNetIP(ctx, ipnet, host); err != nil {
		return listenAddr{}, err
	}
	var chosen netip.Addr
	for _, a := range candidates {
		a, ok := fits(network, a)
		if !ok {
			continue
		}
		if !chosen.IsValid() || a.Is4() && !chosen.Is4() {
			chosen = a
		}
	}
	if !chosen.IsValid() {
		return listenAddr{}, &net.AddrError{Err: "no suitable address", Addr: host}
	}
	return listenAddr{addr: netip.AddrPortFrom(chosen, port), v6only: network == "tcp6"}, nil
}

func resolveDialAddrs(ctx context.Context, network, address string) ([]netip.AddrPort, error) {
	ipnet, err := ipNetwork(network)
	if err != nil {
		return nil, err
	}
	host, port, err := splitHostPort(ctx, network, address)
	if err != nil {
		return nil, err
	}
	var candidates []netip.Addr
	switch a, ok := parseIP(host); {
	case host == "":
		// Like net.Dial: no host means the local system.
		if network == "tcp6" {
			candidates = []netip.Addr{netip.IPv6Loopback()}
		} else {
			candidates = []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}
		}
	case ok:
		candidates = []netip.Addr{a}
	default:
		if candidates, err = net.DefaultResolver.LookupNetIP(ctx, ipnet, host); err != nil {
			return nil, err
		}
	}
	addrs := make([]netip.AddrPort, 0, len(candidates))
	for _, a := range candidates {
		if a, ok := fits(network, a); ok {
			addrs = append(addrs, netip.AddrPortFrom(a, port))
		}
	}
	if len(addrs) == 0 {
		return nil, &net.AddrError{Err: "no suitable address", Addr: host}
	}
	return addrs, nil
}

var supportsIPv6 = sync.OnceValue(func() bool {
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
})

// defaultBacklog is net.core.somaxconn, like the net package uses: listen
// would cap a larger value to it anyway.
var defaultBacklog = sync.OnceValue(func() int {
	b, err := os.ReadFile("/proc/sys/net/core/somaxconn")
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n > 0 {
			return n
		}
	}
	return unix.SOMAXCONN
})

func sockaddrOf(ap netip.AddrPort) (unix.Sockaddr, int) {
	a := ap.Addr()
	if a.Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}, unix.AF_INET
	}
	sa := &unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}
	if z := a.Zone(); z != "" {
		sa.ZoneId = zoneIndex(z)
	}
	return sa, unix.AF_INET6
}

func zoneIndex(zone string) uint32 {
	if ifi, err := net.InterfaceByName(zone); err == nil {
		return uint32(ifi.Index)
	}
	n, _ := strconv.ParseUint(zone, 10, 32)
	return uint32(n)
}

func zoneName(index uint32) string {
	if ifi, err := net.InterfaceByIndex(int(index)); err == nil {
		return ifi.Name
	}
	return strconv.FormatUint(uint64(index), 10)
}

// tcpAddr is ap as a net.Addr for error messages; nil for the zero AddrPort.
func tcpAddr(ap netip.AddrPort) net.Addr {
	if !ap.IsValid() {
		return nil
	}
	return net.TCPAddrFromAddrPort(ap)
}
