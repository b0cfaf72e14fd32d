// Package chassis holds Kamaelia's container components: Pipeline,
// Graphline, Carousel and Seq. Each is an ordinary reactive component that
// starts other components as its children, links their boxes, and finishes
// only when they all have.
//
// The containers are typed. A Pipeline of stages that send ints into a
// stage that takes strings does not compile; a Graphline checks, when it is
// wired, that every link joins boxes of its own children or of itself (an
// unknown name never silently means "the Graphline", as it did in
// Kamaelia).
//
// # Shutdown
//
// The containers follow Kamaelia's conventions for control and signal
// boxes (ProducerFinished: finish what you hold; ShutdownMicroprocess: stop
// now), each as described on its type. Two rules are kamgen's own:
//
//   - A child that fails (panics, or its Main returns an error) fails its
//     container with that error, wrapped, which stops the other children.
//     Kamaelia had no such rule: any exception killed the whole process.
//   - Stop (rather than a control signal) stops a container and all its
//     children at once, and the container sends nothing on its signal
//     outbox.
//
// # Pictures
//
// Graph describes a Pipeline or a Graphline, and everything inside it, as
// the nodes and edges of a picture, before it runs or after; DOT writes that
// picture in Graphviz's language, and SVG renders it with Graphviz's dot
// command. docs/img/markov-console.svg, the Markov chat on the console, is
// drawn by
//
//	go test ./runtime/chassis -run TestMarkovPicture -write-graphs
package chassis

//go:generate go tool kamgen
