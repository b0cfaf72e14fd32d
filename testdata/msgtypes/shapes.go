package msgtypes

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"net"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Point is a local named type.
type Point struct{ X, Y int }

// Celsius is a local named type of a basic type.
type Celsius float64

// Pair is a local generic type.
type Pair[K comparable, V any] struct {
	Key K
	Val V
}

// PointAlias is a local alias.
type PointAlias = Point

// Vec is a local generic alias.
type Vec[T any] = []T

// tagged is what the Struct inbox carries; its handler names it by this
// alias, the field spells the literal.
type tagged = struct {
	A int
	B string `json:"b"`
}

// Shapes has a box of every shape of message type. Each type is spelled in
// the generated constructor's guard, BoxTable and (for handlers that return
// an error) dispatch, so a wrong spelling breaks the golden build.
type Shapes struct {
	axon.Component

	Local    axon.Inbox[Point]                               `inbox:"local"`
	Celsius  axon.Inbox[Celsius]                             `inbox:"celsius"`
	Duration axon.Inbox[time.Duration]                       `inbox:"duration"`
	Addr     axon.Inbox[net.Addr]                            `inbox:"addr"`
	Rand     axon.Inbox[*rand.Rand]                          `inbox:"rand"` // math/rand/v2: the name is not the path's last element
	Ptr      axon.Inbox[*Point]                              `inbox:"ptr"`
	PtrPtr   axon.Inbox[**time.Time]                         `inbox:"ptrptr"`
	Slice    axon.Inbox[[]string]                            `inbox:"slice"`
	Bytes    axon.Inbox[[]byte]                              `inbox:"bytes"`
	Array    axon.Inbox[[4]byte]                             `inbox:"array"`
	Matrix   axon.Inbox[[2][3]float64]                       `inbox:"matrix"`
	Map      axon.Inbox[map[string][]int]                    `inbox:"map"`
	MapKey   axon.Inbox[map[Point]*time.Location]            `inbox:"mapkey"`
	Chan     axon.Inbox[chan int]                            `inbox:"chan"`
	SendChan axon.Inbox[chan<- int]                          `inbox:"sendchan"`
	RecvChan axon.Inbox[<-chan int]                          `inbox:"recvchan"`
	SendRecv axon.Inbox[chan<- <-chan int]                   `inbox:"sendrecv"`
	ChanRecv axon.Inbox[chan (<-chan int)]                   `inbox:"chanrecv"` // a chan of receive-only chans
	Func     axon.Inbox[func(int, string) (bool, error)]     `inbox:"func"`
	Variadic axon.Inbox[func(string, ...any) int]            `inbox:"variadic"`
	NamedRes axon.Inbox[func(a, b int) (sum int, err error)] `inbox:"namedres"`
	Struct   axon.Inbox[struct {
		A int
		B string `json:"b"`
	}] `inbox:"struct"`
	Empty      axon.Inbox[struct{}]                     `inbox:"empty"`
	Iface      axon.Inbox[interface{ String() string }] `inbox:"iface"`
	IfaceEmbed axon.Inbox[interface {
		fmt.Stringer
		Close() error
	}] `inbox:"ifaceembed"`
	LocalGen    axon.Inbox[Pair[int, string]]                             `inbox:"localgen"`
	NestedGen   axon.Inbox[Pair[time.Duration, []Pair[string, net.Addr]]] `inbox:"nestedgen"`
	ImportedGen axon.Inbox[*atomic.Pointer[int]]                          `inbox:"importedgen"`
	Seq         axon.Inbox[iter.Seq2[int, string]]                        `inbox:"seq"`
	Alias       axon.Inbox[PointAlias]                                    `inbox:"alias"`
	GenAlias    axon.Inbox[Vec[Point]]                                    `inbox:"genalias"`
	ImpAlias    axon.Inbox[os.FileMode]                                   `inbox:"impalias"`
	None        axon.Inbox[axon.None]                                     `inbox:"none"`
	Any         axon.Inbox[any]                                           `inbox:"any"`
	Err         axon.Inbox[error]                                         `inbox:"err"`
	Rune        axon.Inbox[rune]                                          `inbox:"rune"`
	Unsafe      axon.Inbox[unsafe.Pointer]                                `inbox:"unsafe"`

	OutFunc axon.Outbox[func() error]         `outbox:"outfunc"`
	OutMap  axon.Outbox[map[string]any]       `outbox:"outmap"`
	OutGen  axon.Outbox[Pair[string, error]]  `outbox:"outgen"`
	OutChan axon.Outbox[<-chan []*Point]      `outbox:"outchan"`
	OutSeq  axon.Outbox[iter.Seq[PointAlias]] `outbox:"outseq"`
}

// Handlers of the awkward types return an error, so that the dispatch
// spells their type too.

func (s *Shapes) OnLocal(Point)                                {}
func (s *Shapes) OnCelsius(Celsius)                            {}
func (s *Shapes) OnDuration(time.Duration) error               { return nil }
func (s *Shapes) OnAddr(net.Addr)                              {}
func (s *Shapes) OnRand(*rand.Rand) error                      { return nil }
func (s *Shapes) OnPtr(*Point)                                 {}
func (s *Shapes) OnPtrPtr(**time.Time) error                   { return nil }
func (s *Shapes) OnSlice([]string)                             {}
func (s *Shapes) OnBytes([]byte)                               {}
func (s *Shapes) OnArray([4]byte)                              {}
func (s *Shapes) OnMatrix([2][3]float64) error                 { return nil }
func (s *Shapes) OnMap(map[string][]int)                       {}
func (s *Shapes) OnMapKey(map[Point]*time.Location) error      { return nil }
func (s *Shapes) OnChan(chan int)                              {}
func (s *Shapes) OnSendChan(chan<- int) error                  { return nil }
func (s *Shapes) OnRecvChan(<-chan int) error                  { return nil }
func (s *Shapes) OnSendRecv(chan<- <-chan int) error           { return nil }
func (s *Shapes) OnChanRecv(chan (<-chan int)) error           { return nil }
func (s *Shapes) OnFunc(func(int, string) (bool, error)) error { return nil }
func (s *Shapes) OnVariadic(func(string, ...any) int) error    { return nil }
func (s *Shapes) OnNamedRes(func(x, y int) (int, error)) error { return nil }
func (s *Shapes) OnStruct(tagged) error                        { return nil }
func (s *Shapes) OnEmpty(struct{})                             {}
func (s *Shapes) OnIface(interface{ String() string }) error   { return nil }
func (s *Shapes) OnIfaceEmbed(interface {
	Close() error
	String() string
}) error {
	return nil
}
func (s *Shapes) OnLocalGen(Pair[int, string]) error                              { return nil }
func (s *Shapes) OnNestedGen(Pair[time.Duration, []Pair[string, net.Addr]]) error { return nil }
func (s *Shapes) OnImportedGen(*atomic.Pointer[int]) error                        { return nil }
func (s *Shapes) OnSeq(iter.Seq2[int, string]) error                              { return nil }
func (s *Shapes) OnAlias(Point) error                                             { return nil }
func (s *Shapes) OnGenAlias([]Point) error                                        { return nil }
func (s *Shapes) OnImpAlias(os.FileMode) error                                    { return nil }
func (s *Shapes) OnNone(struct{}) error                                           { return nil }
func (s *Shapes) OnAny(interface{}) error                                         { return nil }
func (s *Shapes) OnErr(error) error                                               { return nil }
func (s *Shapes) OnRune(int32) error                                              { return nil }
func (s *Shapes) OnUnsafe(unsafe.Pointer) error                                   { return nil }
