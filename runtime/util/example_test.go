package util_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/util"
)

func ExampleOneShot() {
	shot := util.NewOneShot("hello, world\n")
	echo := util.NewConsoleEchoer[string]()
	_, _ = axon.Link(&shot.Out, &echo.In)
	_, _ = axon.Link(&shot.Signal, &echo.Control)
	if err := axon.Run(context.Background(), shot, echo); err != nil {
		fmt.Println(err)
	}
	// Output: hello, world
}

func ExampleConsoleReader() {
	reader := util.NewConsoleReader()
	reader.Reader = strings.NewReader("ping\npong\n") // os.Stdin by default
	reader.Prompt = ""
	echo := util.NewConsoleEchoer[[]byte]()
	echo.Tag = "you said: "
	_, _ = axon.Link(&reader.Out, &echo.In)
	_, _ = axon.Link(&reader.Signal, &echo.Control)
	if err := axon.Run(context.Background(), reader, echo); err != nil {
		fmt.Println(err)
	}
	// Output:
	// you said: ping
	// you said: pong
}
