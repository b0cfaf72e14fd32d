// Package internet holds kamgen's network components, Kamaelia's
// Kamaelia.Internet: the ConnectedSocketAdapter that turns a socket into a
// component, the TCPServer that accepts connections, and the TCPClient that
// makes one. The sockets and the Selector that watches them are in package
// poll; ServerCore and SimpleServer, which put these together with protocol
// handlers, are in package chassis.
package internet

//go:generate go tool kamgen
