package bench

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// count tallies cells per key built by f.
func count(cells []Cell, f func(Cell) string) map[string]int {
	m := map[string]int{}
	for _, c := range cells {
		m[f(c)]++
	}
	return m
}

func TestVariantImplsKnown(t *testing.T) {
	for _, im := range append(append([]string(nil), VersionImpls...), LibraryImpls...) {
		if !contains(KnownImpls(), im) {
			t.Errorf("%s is not a known impl", im)
		}
		if contains(Impls, im) {
			t.Errorf("%s is in the primary matrix", im)
		}
		name := "Startup/impl=" + im + "/method=fork/chan=pipe/rss=0/cores=1"
		if _, err := ParseName(name); err != nil {
			t.Errorf("ParseName(%s): %v", name, err)
		}
		if BaseImpl(im) != "cpython" {
			t.Errorf("BaseImpl(%s) = %s", im, BaseImpl(im))
		}
	}
	if VersionImpls[0] != "cpython3.8" || VersionImpls[len(VersionImpls)-1] != "cpython3.13" {
		t.Errorf("versions %v, want cpython3.8 … cpython3.13", VersionImpls)
	}
	for _, im := range Impls {
		if BaseImpl(im) != im {
			t.Errorf("BaseImpl(%s) = %s", im, BaseImpl(im))
		}
	}
}

// TestVariantCellsFull checks the definition of the version and library
// cell sets in the full profile, cell by cell shape.
func TestVariantCellsFull(t *testing.T) {
	const nproc = 4
	for _, tc := range []struct {
		impl string
		want map[string]int // "workload method chan/exec param" → cells
	}{
		{"cpython3.12", map[string]int{
			"startup spawn pipe rss=0": 1, "startup spawn pipe rss=1GiB": 1,
			"startup fork pipe rss=0": 1, "startup fork pipe rss=1GiB": 1,
			"startup forkserver pipe rss=0": 1, "startup forkserver pipe rss=1GiB": 1,
			"startup spawn/main=stdlib pipe rss=0": 1, "startup fork/main=stdlib pipe rss=0": 1,
			"startup forkserver/main=stdlib pipe rss=0": 1, "startup forkserver/preload=none/main=stdlib pipe rss=0": 1,
			"pingpong fork simplequeue 64B": 1, "pingpong fork queue 64B": 1, "pingpong fork pipe 64B": 1, "pingpong fork shm 64B": 1,
			"stream fork simplequeue 64KiB": 1, "stream fork queue 64KiB": 1, "stream fork pipe 64KiB": 1, "stream fork shm 64KiB": 1,
			"stream fork simplequeue 1MiB": 1, "stream fork queue 1MiB": 1, "stream fork pipe 1MiB": 1, "stream fork shm 1MiB": 1,
			"pool spawn exec=pool w=4/t=32/cpu": 1, "pool fork exec=pool w=4/t=32/cpu": 1, "pool forkserver exec=pool w=4/t=32/cpu": 1,
		}},
		{"billiard", func() map[string]int {
			m := map[string]int{}
			for _, me := range Methods {
				for _, ch := range Chans {
					m["startup "+me+" "+ch+" rss=0"] = 1
					m["pingpong "+me+" "+ch+" 64B"] = 1
					m["stream "+me+" "+ch+" 64KiB"] = 1
					m["stream "+me+" "+ch+" 1MiB"] = 1
				}
				m["pool "+me+" exec=pool w=4/t=32/cpu"] = 1
			}
			return m
		}()},
	} {
		t.Run(tc.impl, func(t *testing.T) {
			cells, err := Expand(Selection{Profile: Full, Impls: []string{tc.impl}}, nproc)
			if err != nil {
				t.Fatal(err)
			}
			got := count(cells, func(c Cell) string {
				if c.Cores != nproc {
					t.Errorf("%s: cores %d, want nproc", c.Name(), c.Cores)
				}
				if c.Impl != tc.impl {
					t.Errorf("%s: impl %s", c.Name(), c.Impl)
				}
				switch c.Workload {
				case "startup":
					m := c.Method
					if c.Preload != "" {
						m += "/preload=" + c.Preload
					}
					if c.Main != "" {
						m += "/main=" + c.Main
					}
					return fmt.Sprintf("startup %s %s rss=%s", m, c.Chan, FormatSize(c.RSS))
				case "pool":
					if c.Chan != "" {
						return "pool with chan " + c.Name()
					}
					return fmt.Sprintf("pool %s exec=%s w=%d/t=%d/%s", c.Method, c.Exec, c.Workers, c.Tasks, c.Task)
				}
				return fmt.Sprintf("%s %s %s %s", c.Workload, c.Method, c.Chan, FormatSize(c.Size))
			})
			if diff := mapDiff(got, tc.want); diff != "" {
				t.Errorf("cells differ from the definition:\n%s", diff)
			}
		})
	}
	// Every version and every library, and nothing else.
	for _, set := range [][]string{VersionImpls, LibraryImpls} {
		cells, _ := Expand(Selection{Profile: Full, Impls: set}, nproc)
		per := count(cells, func(c Cell) string { return c.Impl })
		if len(per) != len(set) {
			t.Errorf("impls %v, want %v", per, set)
		}
	}
	vars, _ := Expand(Selection{Profile: VariantsOnly}, nproc)
	per := count(vars, func(c Cell) string { return c.Impl })
	// multiprocessing: its 51 library cells and the executor comparison
	// (11 executors × workers 1, 2, 4), the 3 exec=pool cells at workers =
	// nproc being library cells already.
	if len(per) != len(VersionImpls)+len(LibraryImpls) || per["multiprocessing"] != 51+33-3 || per["cpython3.8"] != 25 || per["cpython3.13"] != 25 || per["billiard"] != 51 || per["multiprocess"] != 51 {
		t.Errorf("variants profile: cells per impl %v", per)
	}
	// The full profile is the primary matrix and its program cells: of
	// the variant impls only ProgramImpl's start-up, none of a version
	// or a library.
	full, _ := Expand(Selection{Profile: Full}, nproc)
	for _, c := range full {
		if !contains(Impls, c.Impl) && (c.Impl != ProgramImpl || c.Workload != "startup") {
			t.Errorf("full profile holds variant cell %s", c.Name())
			break
		}
	}
}

func mapDiff(got, want map[string]int) string {
	var out []string
	for k, v := range want {
		if got[k] != v {
			out = append(out, fmt.Sprintf("  %s: got %d, want %d", k, got[k], v))
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			out = append(out, fmt.Sprintf("  %s: got %d, want none", k, v))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestVariantCellsSelection: the selection narrows the variants like the
// matrix; explicit dimensions replace the subset's values.
func TestVariantCellsSelection(t *testing.T) {
	for _, tc := range []struct {
		name string
		sel  Selection
		want []string
	}{
		{"other impls only", Selection{Impls: []string{"native", "cpython"}, Workloads: []string{"startup"}, Methods: []string{"fork"}, Chans: []string{"pipe"}, RSS: []int64{0}}, []string{
			"Startup/impl=native/method=fork/chan=pipe/rss=0/cores=1", "Startup/impl=native/method=fork/chan=pipe/rss=0/cores=2",
			"Startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=1", "Startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=2",
			"Startup/impl=cpython/method=fork/main=stdlib/chan=pipe/rss=0/cores=2", // a program cell of the full profile
		}},
		{"one version, the start-up parts", Selection{Impls: []string{"cpython3.9"}, Workloads: []string{"startup"}, RSS: []int64{0}, Methods: []string{"spawn"}}, []string{
			"Startup/impl=cpython3.9/method=spawn/chan=pipe/rss=0/cores=2",
			"Startup/impl=cpython3.9/method=spawn/main=stdlib/chan=pipe/rss=0/cores=2",
		}},
		{"one version, explicit main and preload: the parts coincide", Selection{Impls: []string{"cpython3.9"}, Workloads: []string{"startup"}, RSS: []int64{0}, Methods: []string{"forkserver"}, Mains: []string{MainStdlib}, Preloads: []string{PreloadNone}}, []string{
			"Startup/impl=cpython3.9/method=forkserver/preload=none/main=stdlib/chan=pipe/rss=0/cores=2",
		}},
		{"explicit method replaces fork", Selection{Impls: []string{"cpython3.10"}, Workloads: []string{"pingpong"}, Methods: []string{"spawn"}, Chans: []string{"shm"}}, []string{
			"Pingpong/impl=cpython3.10/method=spawn/chan=shm/size=64B/cores=2",
		}},
		{"explicit size and cores", Selection{Impls: []string{"multiprocess"}, Workloads: []string{"stream"}, Methods: []string{"fork"}, Chans: []string{"pipe"}, Sizes: []int64{4 << 10}, Cores: []int{1}}, []string{
			"Stream/impl=multiprocess/method=fork/chan=pipe/size=4KiB/cores=1",
		}},
		{"pool with chan: loop executor", Selection{Impls: []string{"billiard"}, Workloads: []string{"pool"}, Methods: []string{"fork"}, Chans: []string{"pipe"}}, []string{
			"Pool/impl=billiard/method=fork/exec=loop/chan=pipe/workers=2/tasks=16/task=cpu/cores=2",
		}},
		{"pool explicit workers and task", Selection{Impls: []string{"cpython3.13"}, Workloads: []string{"pool"}, Methods: []string{"fork"}, Workers: []int{1}, Tasks: []string{"sleep"}}, []string{
			"Pool/impl=cpython3.13/method=fork/exec=pool/workers=1/tasks=8/task=sleep/cores=2",
		}},
		{"quick: one start-up cell per impl", Selection{Profile: Quick, Impls: []string{"cpython3.8", "multiprocess"}}, []string{
			"Startup/impl=cpython3.8/method=fork/chan=pipe/rss=0/cores=2",
			"Startup/impl=multiprocess/method=fork/chan=pipe/rss=0/cores=2",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cells, err := Expand(tc.sel, 2)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cells {
				got = append(got, c.Name())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	if _, err := VersionCells(Selection{Profile: "huge"}, 2); err == nil {
		t.Error("unknown profile accepted")
	}
	if cells, _ := LibraryCells(Selection{Impls: []string{"cpython3.8"}}, 2); len(cells) != 0 {
		t.Errorf("library variant returned cells for a version selection: %v", cells)
	}
}
