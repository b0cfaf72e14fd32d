package main

import (
	"fmt"

	"github.com/kamgen/kamgen/internal/engine"
)

// writeDocs writes a reference page per component to dir.
func writeDocs(dir string, pkgs *engine.Packages) error {
	return fmt.Errorf("-doc %s: reference pages are not implemented yet", dir)
}
