// Markov is a chat server whose replies come from a Markov chain shared by
// every connection: Kamaelia's cookbook example 7.
//
// Today it runs on the console (the TCP server arrives with the network
// runtime): each line typed is learnt, and answered with a sentence made
// from everything learnt so far.
//
//	go run ./examples/markov
package main

//go:generate go tool kamgen
