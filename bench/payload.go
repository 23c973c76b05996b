package bench

import "fmt"

// The payloads users send (the payload key of pingpong and stream, Python
// implementations): what one message of Size bytes is and how it crosses
// the channel. The definitions: impl/definitions.go and the driver.
//
//	ndarray      a numpy float64 array of Size bytes, pickled in-band (the
//	             channel's pickling: protocol 4 for queues and pipes; the
//	             driver's shm ring carries pickle.dumps of it)
//	ndarray-oob  the same array pickled with protocol 5 and its data as an
//	             out-of-band buffer: a small pickle, then the raw buffer
//	             (pipe: send_bytes; shm: the ring); not over queues, which
//	             pickle what they are given in-band
//	ndarray-shm  the array placed once in a multiprocessing.shared_memory
//	             segment; a message is its (name, shape, dtype) only
//	objects      a list of dicts whose pickle is about Size bytes
//	             (pickled in-band, like ndarray)
//
// numpy payloads run where the interpreter has numpy (Debian's python3,
// impl=multiprocessing); elsewhere the driver skips them with the reason.

// User payload values.
const (
	PayloadNdarray    = "ndarray"
	PayloadNdarrayOOB = "ndarray-oob"
	PayloadNdarrayShm = "ndarray-shm"
	PayloadObjects    = "objects"
)

// UserPayloads are the payload values of this file, in canonical order.
var UserPayloads = []string{PayloadNdarray, PayloadNdarrayOOB, PayloadNdarrayShm, PayloadObjects}

// NumpyPayloads are the user payloads that need numpy.
var NumpyPayloads = []string{PayloadNdarray, PayloadNdarrayOOB, PayloadNdarrayShm}

// validateUserPayload checks a cell with a user payload.
func (c Cell) validateUserPayload() error {
	switch {
	case !contains(UserPayloads, c.Payload):
		return nil
	case c.Workload != Pingpong && c.Workload != Stream:
		return fmt.Errorf("payload=%s is a payload of pingpong and stream", c.Payload)
	case !RunsPython(c.Impl):
		return fmt.Errorf("payload=%s is a Python object: impl=%s sends bytes", c.Payload, c.Impl)
	case c.Payload == PayloadNdarrayOOB && c.Chan != "pipe" && c.Chan != "shm":
		return fmt.Errorf("payload=ndarray-oob needs a channel that carries raw bytes (pipe, shm): a queue pickles what it is given in-band")
	case contains(NumpyPayloads, c.Payload) && c.Size%8 != 0:
		return fmt.Errorf("payload=%s is a float64 array: the size must be a multiple of 8", c.Payload)
	}
	return nil
}

// QPayloads is the guide's payload question (harness/report, payload.go);
// like QMemory, not one of the decision Questions.
var QPayloads = Question{"payloads", "numpy and object payloads"}
