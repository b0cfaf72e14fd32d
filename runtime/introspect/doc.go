// Package introspect serves the live picture of a running program: an
// http.Handler, to be mounted next to net/http/pprof, that draws the tree
// of components as a graph (components holding their boxes, links between
// the boxes, each box coloured by how full it is) and keeps it up to date,
// and the JSON snapshot it draws: every component, its boxes with their
// depth and capacity, the links, and for each connection its peer, age,
// the bytes it read and wrote and the bytes waiting to be written.
//
//	rt := axon.NewRuntime()
//	mux := http.NewServeMux()
//	mux.Handle("/debug/kamgen/", introspect.Handler(rt))
//	go http.ListenAndServe("127.0.0.1:6060", mux)
//
// A snapshot stops nothing and stays bounded: with 10,000 connections it
// counts them per server and handler type and shows in detail only the
// slowest and fullest (50 unless the request asks for more), each with its
// components, grouped in a frame labelled with its peer. The page and the
// drawing library (Cytoscape.js with the dagre layout) are embedded in the
// binary, so the page works offline. docs/observing.md shows it.
package introspect
