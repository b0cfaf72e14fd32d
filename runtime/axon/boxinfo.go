package axon

// BoxInfo describes one box of a component: what kamgen's generated
// BoxTable returns, for reference pages, pictures and introspection.
type BoxInfo struct {
	Name  string    // the Kamaelia box name, such as "inbox"
	Field string    // the struct field that holds it; for a box made on demand, its accessor, as "MakeSSL()"
	Dir   Direction // inbox or outbox
	Type  string    // the message type, as Go spells it
	Doc   string    // the field's comment: what the box carries
	Cap   int       // capacity from the tag; 0 means DefaultCapacity
}

// Described is a component with a generated box table.
type Described interface {
	BoxTable() []BoxInfo
}
