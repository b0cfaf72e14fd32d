// Package mismatch must not compile: TestPipelineMismatchDoesNotCompile
// builds it and expects the compiler to reject the Pipeline below, whose
// first stage sends strings into a stage that takes ints.
package mismatch

import (
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
)

var _ = chassis.Pipeline2(axontest.NewSource("a", "b"), axontest.NewSink[int]())
