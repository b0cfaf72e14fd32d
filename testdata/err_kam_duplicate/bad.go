package err_kam_duplicate

import "github.com/kamgen/kamgen/runtime/axon"

type C struct {
	axon.Component
	Peer  string `kam:"peer"`
	Peer2 string `kam:"peer"`
	Peer3 string `kam:"peer"`
	Port  int    `kam:"peerport"`
}
