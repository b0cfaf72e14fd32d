// Command chat is a multi-user line chat over TCP: each line a client
// types goes to every other client, after its nick. It is Kamaelia's chat
// server, a ServerCore and a Backplane, with nicks.
//
//	go run ./examples/chat            # then: nc 127.0.0.1 1502
//
// Commands: /nick NAME (unique, at most 32 characters), /who, /quit. Join
// and leave notices go to the others. A line over 4 KiB is refused with a
// notice. A client that does not read what is said is disconnected once
// 1,024 lines wait for it (util.DefaultPolicy); it slows no one.
//
// Every connection is a Client (client.go): its lines are published to
// the room's Backplane, and it subscribes to what the others publish.
// With -redis ADDR the room is shared with every chat server on that Redis
// (runtime/redisbridge), and so are the nicks (names.go).
package main

//go:generate go tool kamgen
