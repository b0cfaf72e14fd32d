package main

import "math/bits"

// subBuckets is the number of buckets each power of two is cut into: a
// value is known within 1/16 of itself (the bucket's width), about 6%.
const (
	subBits    = 4
	subBuckets = 1 << subBits
	// nBuckets covers every uint64: values below subBuckets have a bucket
	// each, then each power of two from 2^subBits up has subBuckets.
	nBuckets = (64 - subBits + 1) * subBuckets
)

// histogram counts values (latencies in microseconds) in log-linear
// buckets, HDR-like: a fixed array, whatever the number of values.
type histogram struct {
	counts [nBuckets]uint32
	n      uint64
	max    uint64
}

// bucketOf returns the bucket of v.
func bucketOf(v uint64) int {
	if v < subBuckets {
		return int(v)
	}
	e := bits.Len64(v) - subBits - 1 // v>>e is in [subBuckets, 2*subBuckets)
	return (e+1)*subBuckets + int(v>>e) - subBuckets
}

// bucketRange returns the smallest value of bucket i and its width.
func bucketRange(i int) (low, width uint64) {
	if i < subBuckets {
		return uint64(i), 1
	}
	e := i/subBuckets - 1
	return uint64(i%subBuckets+subBuckets) << e, 1 << e
}

// add counts v.
func (h *histogram) add(v uint64) {
	h.counts[bucketOf(v)]++
	h.n++
	h.max = max(h.max, v)
}

// merge adds what o counted to h, into a histogram of its own (whose
// counts may pass what one client's do).
func (h *totals) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += uint64(c)
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// totals is the histogram of every client.
type totals struct {
	counts [nBuckets]uint64
	n      uint64
	max    uint64
}

// quantile returns the value under which a fraction q of the values lie:
// the middle of its bucket, and never more than the largest value, which
// it is for q = 1. It is 0 when nothing was counted.
func (h *totals) quantile(q float64) uint64 {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q * float64(h.n))
	if rank >= h.n {
		return h.max
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen > rank {
			low, width := bucketRange(i)
			return min(low+width/2, h.max)
		}
	}
	return h.max
}
