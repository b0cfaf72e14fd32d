//go:build !race

package chassis_test

// slowdown is how much slower the race detector makes the network paths:
// time bounds are multiplied by it.
const slowdown = 1
