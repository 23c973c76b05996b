package impl

import (
	"fmt"
	"slices"
)

// Constructor builds the implementation of one name of bench's registry of
// implementations (bench.ImplSpec): the package that implements it
// registers it (Register, at init time), and the CLI (run, advise,
// verify, claims) and `go test -bench` build every implementation they run
// through it, without naming one.
type Constructor struct {
	Name string // the impl dimension value, as in bench.ImplSpec.Name
	// New returns the implementation run by interpreter: the value of its
	// Flag ("" = its default; "" always when it has no Flag). Nothing may
	// be executed before Available, Config or Command is called.
	New func(interpreter string) Impl
	// Flag is the command-line flag that names its interpreter (e.g.
	// "python"), Help that flag's usage text; "" = no flag.
	Flag, Help string
}

var constructors []Constructor

// Register adds a constructor and returns the function that removes it
// again (a test registers a fake implementation for its own duration).
// Register at init time or before the registry is read: it is not safe
// for concurrent use. It panics on an empty or a duplicate name or flag.
func Register(c Constructor) (remove func()) {
	if c.Name == "" || c.New == nil {
		panic("impl: Register needs a name and a New function")
	}
	for _, o := range constructors {
		if o.Name == c.Name || (c.Flag != "" && o.Flag == c.Flag) {
			panic(fmt.Sprintf("impl: %s (flag %q) registered twice", c.Name, c.Flag))
		}
	}
	constructors = append(constructors, c)
	return func() {
		constructors = slices.DeleteFunc(constructors, func(o Constructor) bool { return o.Name == c.Name })
	}
}

// Constructors are the registered constructors, in registration order.
func Constructors() []Constructor { return slices.Clone(constructors) }

// Lookup returns the constructor of implementation name.
func Lookup(name string) (Constructor, bool) {
	for _, c := range constructors {
		if c.Name == name {
			return c, true
		}
	}
	return Constructor{}, false
}
