//go:build linux

package poll

import (
	"io"
	"net/netip"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// iovMax is Linux's IOV_MAX: the most buffers one sendmsg takes.
const iovMax = 1024

// iovStack is how many buffers Writev gathers without taking an array from
// iovPool.
const iovStack = 16

var iovPool = sync.Pool{New: func() any { return new([iovMax]unix.Iovec) }}

func (c *econn) Read(p []byte) (int, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return 0, ErrClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := read(int(c.fd), p)
		switch err {
		case nil:
			if n == 0 {
				return 0, io.EOF
			}
			if n < len(p) && !c.ended.Load() {
				// A short read took everything there was: the next
				// arrival brings a new edge, so the read that would
				// only say EAGAIN is saved. After the peer's FIN or an
				// error no edge may follow: read on until it.
				return n, ErrWouldBlock
			}
			return n, nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return 0, ErrWouldBlock
		}
		return 0, c.opError("read", "read", err)
	}
}

// Writev gathers bufs into sendmsg calls of at most iovMax buffers, with
// MSG_NOSIGNAL so that a broken connection is EPIPE, never SIGPIPE. It goes
// on after a short write until the socket refuses (EAGAIN), so that the
// edge-triggered registration is sure to report the room that comes next.
func (c *econn) Writev(bufs [][]byte) (int, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return 0, ErrClosed
	}
	var stack [iovStack]unix.Iovec
	iov := stack[:]
	if len(bufs) > iovStack {
		arr := iovPool.Get().(*[iovMax]unix.Iovec)
		iov = arr[:]
		defer func() {
			clear(arr[:]) // drop the references to the caller's buffers
			iovPool.Put(arr)
		}()
	}
	total := 0
	i, off := 0, 0 // the next byte to write is bufs[i][off]
	for {
		k, want := 0, 0
		for j := i; j < len(bufs) && k < len(iov); j++ {
			b := bufs[j]
			if j == i {
				b = b[off:]
			}
			if len(b) == 0 {
				continue
			}
			iov[k].Base = &b[0]
			iov[k].SetLen(len(b))
			k++
			want += len(b)
		}
		if k == 0 {
			return total, nil
		}
		n, err := sendmsg(int(c.fd), iov[:k])
		switch err {
		case nil:
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return total, ErrWouldBlock
		default:
			return total, c.opError("write", "sendmsg", err)
		}
		total += n
		for n > 0 {
			if rest := len(bufs[i]) - off; n >= rest {
				n -= rest
				i, off = i+1, 0
			} else {
				off += n
				n = 0
			}
		}
	}
}

// The system calls of the data path go through RawSyscall: on non-blocking
// sockets they never block, so the scheduler's bookkeeping for a call that
// might (entersyscall, exitsyscall) is saved on every message.

// read reads from a non-blocking socket.
func read(fd int, p []byte) (int, error) {
	n, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// sendmsg sends iov on a connected socket, with MSG_NOSIGNAL; one buffer
// goes through sendto, which has no message header to copy. Unlike
// unix.SendmsgBuffers it allocates nothing.
func sendmsg(fd int, iov []unix.Iovec) (int, error) {
	var n uintptr
	var errno unix.Errno
	if len(iov) == 1 {
		n, _, errno = unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(iov[0].Base)), uintptr(iov[0].Len), unix.MSG_NOSIGNAL, 0, 0)
	} else {
		var msg unix.Msghdr
		msg.Iov = &iov[0]
		msg.SetIovlen(len(iov))
		n, _, errno = unix.RawSyscall(unix.SYS_SENDMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), unix.MSG_NOSIGNAL)
	}
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// accept4 accepts a connection and returns its peer's address. Unlike
// unix.Accept4 it allocates nothing: the address is read from a
// sockaddr on the stack.
func accept4(fd, flags int) (int, netip.AddrPort, error) {
	var rsa unix.RawSockaddrAny
	size := uint32(unix.SizeofSockaddrAny)
	nfd, _, errno := unix.RawSyscall6(unix.SYS_ACCEPT4, uintptr(fd), uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&size)), uintptr(flags), 0, 0)
	if errno != 0 {
		return -1, netip.AddrPort{}, errno
	}
	return int(nfd), addrPortOfRaw(&rsa), nil
}

// getsockname returns the local address of fd, allocating nothing.
func getsockname(fd int) (netip.AddrPort, error) {
	var rsa unix.RawSockaddrAny
	size := uint32(unix.SizeofSockaddrAny)
	_, _, errno := unix.RawSyscall(unix.SYS_GETSOCKNAME, uintptr(fd), uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&size)))
	if errno != 0 {
		return netip.AddrPort{}, errno
	}
	return addrPortOfRaw(&rsa), nil
}

// addrPortOfRaw reads an IPv4 or IPv6 socket address; an IPv4-mapped IPv6
// one comes out as plain IPv4.
func addrPortOfRaw(rsa *unix.RawSockaddrAny) netip.AddrPort {
	switch rsa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), networkOrder(sa.Port))
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		a := netip.AddrFrom16(sa.Addr).Unmap()
		if sa.Scope_id != 0 && a.Is6() {
			a = a.WithZone(zoneName(sa.Scope_id))
		}
		return netip.AddrPortFrom(a, networkOrder(sa.Port))
	}
	return netip.AddrPort{}
}

// networkOrder reads a port as the kernel stores it: big-endian, in a
// native uint16.
func networkOrder(port uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(&port))
	return uint16(b[0])<<8 | uint16(b[1])
}

// epollPoll collects the events that wait in epfd, without waiting (a zero
// timeout). It is a raw system call: unlike unix.EpollWait it does not tell
// the Go scheduler it may block, which also woke the scheduler's monitor
// thread from its idle sleep on every call.
func epollPoll(epfd int, events []unix.EpollEvent) (int, error) {
	n, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}
