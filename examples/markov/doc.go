// Markov is a chat server whose replies come from a Markov chain shared by
// every connection: Kamaelia's cookbook example 7. Each line a client types
// is learnt, and answered with a sentence made from everything learnt so
// far, from every client.
//
// It serves TCP on 127.0.0.1:1500 by default, with the chain in memory:
//
//	go run ./examples/markov
//	nc 127.0.0.1 1500
//
// Any client can type, so the chain is bounded: it counts the words seen
// after each pair instead of keeping every occurrence, and holds at most
// -chain-mib MiB (64 by default), forgetting pairs at random past it.
//
// With -redis the chain lives in Redis, so that several server processes
// share it: what a client of one types, the clients of all may read back.
// Redis bounds it then, and must be told to: the server refuses to start
// unless the Redis has a maxmemory and an allkeys eviction policy.
//
//	redis-server --maxmemory 256mb --maxmemory-policy allkeys-lru
//	go run ./examples/markov -addr 127.0.0.1:1500 -redis 127.0.0.1:6379
//	go run ./examples/markov -addr 127.0.0.1:1501 -redis 127.0.0.1:6379
//
// With -console it chats on the console instead, as the seed's
// Pipeline(ConsoleReader(), Chatty(), ConsoleEchoer()):
//
//	go run ./examples/markov -console
//
// The trainer in ./train feeds a file to a running server.
package main

//go:generate go tool kamgen
