package err_kam_unknown

import "github.com/kamgen/kamgen/runtime/axon"

type C struct {
	axon.Component
	Remote string `kam:"remote"`
	Empty  string `kam:""`
	Upper  string `kam:"Peer"`
}
