package axon

// ring is a FIFO queue on a power-of-two circular buffer. It grows on demand
// and never shrinks, so a box that has seen traffic costs no allocation per
// message, and a box that never held a message costs no buffer at all.
// It is not safe for concurrent use; the box that holds it locks around it.
type ring[T any] struct {
	buf  []T
	head uint32
	n    uint32
}

func (r *ring[T]) len() int { return int(r.n) }

func (r *ring[T]) grow() {
	size := len(r.buf) * 2
	if size == 0 {
		size = 2
	}
	buf := make([]T, size)
	if r.n > 0 {
		k := copy(buf, r.buf[r.head:])
		if k < int(r.n) {
			copy(buf[k:], r.buf[:int(r.n)-k])
		}
	}
	r.buf, r.head = buf, 0
}

// push appends v at the tail.
func (r *ring[T]) push(v T) {
	if int(r.n) == len(r.buf) {
		r.grow()
	}
	r.buf[(int(r.head)+int(r.n))&(len(r.buf)-1)] = v
	r.n++
}

// pushFront puts v back at the head, before every queued message.
func (r *ring[T]) pushFront(v T) {
	if int(r.n) == len(r.buf) {
		r.grow()
	}
	r.head = uint32((int(r.head) - 1) & (len(r.buf) - 1))
	r.buf[r.head] = v
	r.n++
}

// pop removes and returns the head. The caller checks len first.
func (r *ring[T]) pop() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero // let the garbage collector have what the message holds
	r.head = uint32((int(r.head) + 1) & (len(r.buf) - 1))
	r.n--
	return v
}

// at returns the i-th message (0 is the head). The caller checks len first.
func (r *ring[T]) at(i int) T { return r.buf[(int(r.head)+i)&(len(r.buf)-1)] }

// removeAt removes and returns the k-th message (0 is the head); the
// messages after it move up by one. The caller checks len first.
func (r *ring[T]) removeAt(k int) T {
	if k == 0 {
		return r.pop()
	}
	mask := len(r.buf) - 1
	at := func(i int) *T { return &r.buf[(int(r.head)+i)&mask] }
	v := *at(k)
	for i := k; i < int(r.n)-1; i++ {
		*at(i) = *at(i + 1)
	}
	var zero T
	*at(int(r.n) - 1) = zero
	r.n--
	return v
}

// moveTo appends every message after the first keep to dst, in order, and
// leaves r with its first keep.
func (r *ring[T]) moveTo(dst *ring[T], keep int) {
	if r.n == 0 {
		return
	}
	mask := len(r.buf) - 1
	var zero T
	for i := keep; i < int(r.n); i++ {
		p := &r.buf[(int(r.head)+i)&mask]
		dst.push(*p)
		*p = zero
	}
	r.n = uint32(min(keep, int(r.n)))
}
