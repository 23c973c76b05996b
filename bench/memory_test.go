package bench

import (
	"strings"
	"testing"
)

// TestMemoryAndPayloadNames: the memory cells and the users' payloads
// parse back to themselves, and the names the contract refuses are
// refused with the reason.
func TestMemoryAndPayloadNames(t *testing.T) {
	good := []string{
		"Memory/impl=cpython/method=fork/touch=read-frozen/rss=1GiB/workers=2/cores=2",
		"Memory/impl=cpython/method=forkserver/preload=none/touch=none/rss=0/workers=1/cores=1",
		"Memory/impl=native/method=spawn/touch=none/rss=256MiB/workers=4/cores=2",
		"Pingpong/impl=multiprocessing/method=fork/chan=pipe/payload=ndarray-oob/size=64B/cores=2",
		"Stream/impl=multiprocessing/method=spawn/chan=simplequeue/payload=ndarray-shm/size=16MiB/cores=2",
		"Stream/impl=cpython/method=fork/chan=queue/payload=objects/size=100B/cores=1",
	}
	for _, name := range good {
		c, err := ParseName(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if c.Name() != name {
			t.Errorf("%s: round trip gives %s", name, c.Name())
		}
	}
	bad := []struct{ name, want string }{
		{"Memory/impl=cpython/method=spawn/touch=read/rss=0/workers=2/cores=2", "only a fork child"},
		{"Memory/impl=cpython/method=fork/touch=write/rss=0/workers=2/cores=2", "needs a touch"},
		{"Memory/impl=cpython/method=fork/chan=pipe/touch=none/rss=0/workers=2/cores=2", "no chan"},
		{"Memory/impl=cpython/method=fork/touch=none/rss=0/workers=0/cores=2", "workers ≥ 1"},
		{"Startup/impl=cpython/method=fork/chan=pipe/touch=none/rss=0/cores=2", "touch is a key of the memory workload"},
		{"Pingpong/impl=cpython/method=fork/chan=queue/payload=ndarray-oob/size=64B/cores=2", "raw bytes"},
		{"Stream/impl=native/method=fork/chan=pipe/payload=objects/size=64B/cores=2", "impl=native sends bytes"},
		{"Stream/impl=cpython/method=fork/chan=pipe/payload=ndarray/size=100B/cores=2", "multiple of 8"},
	}
	for _, b := range bad {
		if _, err := ParseName(b.name); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: error %v, want one containing %q", b.name, err, b.want)
		}
	}
	if _, err := ParseName("Pool/impl=cpython/method=fork/exec=pool/payload=objects/workers=2/tasks=16/task=cpu/cores=2"); err == nil {
		t.Error("a pool cell with payload=objects was accepted")
	}
}

// TestUsersProfile: the users profile's cells at nproc = 2 (bench/usersprofile.go)
// and how a selection narrows them.
func TestUsersProfile(t *testing.T) {
	tests := []struct {
		name                     string
		sel                      Selection
		memory, payload, program int
		others                   int // gather, cold pools, chunksize maps
	}{
		{"users", Selection{Profile: Users}, 15 + 6, 20 + 40, 29, 36 + 6 + 5},
		{"--method fork", Selection{Profile: Users, Methods: []string{"fork"}}, 15, 60, 6, 24 + 8 + 2 + 5},
		{"--workload memory", Selection{Profile: Users, Workloads: []string{Memory}}, 21, 0, 0, 0},
		{"--chan pipe", Selection{Profile: Users, Chans: []string{"pipe"}}, 0, 30, 29, 9},
		{"--rss 0", Selection{Profile: Users, RSS: []int64{0}}, 7, 60, 24, 47},
		{"--impl multiprocessing", Selection{Profile: Users, Impls: []string{"multiprocessing"}}, 0, 60, 16, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells, err := Expand(tt.sel, 2)
			if err != nil {
				t.Fatal(err)
			}
			var memory, payload, program, others int
			for _, c := range cells {
				switch {
				case c.Workload == Memory:
					memory++
					if c.Workers != 2 || c.Cores != 2 || (c.Method != "fork" && c.Touch != TouchNone) {
						t.Errorf("memory cell %s", c.Name())
					}
				case c.Workload == "pingpong" || c.Workload == "stream":
					payload++
					if c.Impl != PayloadImpl || c.Method != "fork" {
						t.Errorf("payload cell %s", c.Name())
					}
				case c.Workload == "startup":
					program++
				default:
					others++
				}
			}
			if memory != tt.memory || payload != tt.payload || program != tt.program || others != tt.others {
				t.Errorf("memory %d, payload %d, program %d, others %d; want %d, %d, %d, %d",
					memory, payload, program, others, tt.memory, tt.payload, tt.program, tt.others)
			}
		})
	}
	full, err := Expand(Selection{Profile: Full}, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range full {
		if c.Workload == Memory || contains(UserPayloads, c.Payload) {
			t.Errorf("the full profile lists %s", c.Name())
		}
	}
}
