// Package util holds the small components Kamaelia's cookbook builds its
// examples from (Kamaelia.Util and Kamaelia.File): ConsoleReader and
// ConsoleEchoer for the terminal, ReadFileAdaptor and
// RateControlledFileReader for files and commands, and OneShot and
// TriggeredOneShot to send one message.
//
// # Configuration
//
// Every component is built by its constructor, New<Name>, which takes what
// the component cannot do without (OneShot's message, the name of the file
// to read) and sets up its boxes. Everything else is an exported field that
// the constructor fills with Kamaelia's default; change it after the
// constructor and before the component is activated, never after:
//
//	echo := util.NewConsoleEchoer[[]byte]()
//	echo.Tag = "got: "
//	echo.Forwarder = true
//
// # Boxes and shutdown
//
// Every component has Kamaelia's four standard boxes, "inbox", "control",
// "outbox" and "signal", and so is an axon.Stage that can go in a Pipeline;
// a source's inbox carries axon.None and is never read. They follow
// Kamaelia's shutdown conventions: a component that stops because of a
// signal on control forwards that same signal on signal, and one that stops
// on its own sends a new axon.ProducerFinished. Except OneShot, which ignores
// control as Kamaelia's does, every component stops on any signal on control
// (ConsoleEchoer only after handling what its inbox already holds).
//
// A threaded reader blocked sending to a full outbox sees a signal on
// control only once there is room again (axon's blocking Send does not
// return for a message on another inbox); Stop ends it at any time.
//
// Text travels as []byte: ConsoleReader emits bytes and ConsoleEchoer writes
// bytes as they are, where Kamaelia on Python 3 emitted str and printed
// b'...' (spec L8).
//
// # Goroutines
//
// ConsoleEchoer, OneShot and TriggeredOneShot are reactive: they hold no
// goroutine while idle. ConsoleReader, ReadFileAdaptor and
// RateControlledFileReader are threaded: each runs its Main in a goroutine,
// plus one helper goroutine that performs the reads, so that Main keeps
// watching control and its context while a read blocks. Stopping one of
// them never waits for a read that may block. When the source is a file or
// a command (which is killed), the helper ends with the component. When it is a
// terminal or another io.Reader (os.Stdin by default), nothing can
// interrupt the read: the helper outlives the component until that read
// returns (a line is typed, or the reader is closed or reaches its end),
// then discards what it read and ends. A program that stops a ConsoleReader
// on os.Stdin and exits is not affected; a test should read from an io.Pipe
// it closes. A program that starts a second reader on os.Stdin after
// stopping the first loses the line the first one's helper was waiting for
// (and whatever it had buffered), as Kamaelia's blocked input() thread did.
package util

//go:generate go tool kamgen
