package bench

import (
	"slices"
	"testing"
	"time"
)

// TestImplRegistry: the built-in implementations are the primary matrix in
// its canonical order and the variants' after them; the facts the
// profiles and estimates read come from the specs.
func TestImplRegistry(t *testing.T) {
	if want := []string{"native", "cpython", "pypy", "torch"}; !slices.Equal(Impls, want) {
		t.Errorf("Impls = %v, want %v", Impls, want)
	}
	if want := append(append([]string(nil), VersionImpls...), LibraryImpls...); !slices.Equal(ExtraImpls, want) {
		t.Errorf("ExtraImpls = %v, want %v", ExtraImpls, want)
	}
	tests := []struct {
		impl            string
		python, tensors bool
		display, base   string
		secondary       bool
	}{
		{"native", false, false, "native", "native", false},
		{"cpython", true, false, "cpython", "cpython", false},
		{"pypy", true, false, "PyPy", "pypy", true},
		{"torch", true, true, "torch", "torch", true},
		{"cpython3.12", true, false, "cpython3.12", "cpython", false},
		{"billiard", true, false, "billiard", "cpython", false},
		{"cobol", false, false, "cobol", "cobol", false},
	}
	for _, tc := range tests {
		s, _ := LookupImpl(tc.impl)
		if RunsPython(tc.impl) != tc.python || CarriesTensors(tc.impl) != tc.tensors || DisplayName(tc.impl) != tc.display ||
			BaseImpl(tc.impl) != tc.base || (s.Full != nil) != tc.secondary {
			t.Errorf("%s: python %v, tensors %v, display %q, cost of %q, subset %v", tc.impl, RunsPython(tc.impl),
				CarriesTensors(tc.impl), DisplayName(tc.impl), BaseImpl(tc.impl), s.Full != nil)
		}
	}
	if TensorImpl() != "torch" {
		t.Errorf("TensorImpl() = %q", TensorImpl())
	}
	if c := CostModel("cpython3.9"); c.Name != "cpython" || c.StartCost["spawn"] != 100*time.Millisecond {
		t.Errorf("cost model of cpython3.9: %+v", c)
	}
}

// TestRegisterImpl: a registered implementation joins Impls (or
// ExtraImpls for a variant's) and is valid in cell names; removing it
// restores the registry; a second registration of a name panics.
func TestRegisterImpl(t *testing.T) {
	for _, variant := range []bool{false, true} {
		impls, extra, specs := slices.Clone(Impls), slices.Clone(ExtraImpls), ImplSpecs()
		remove := RegisterImpl(ImplSpec{Name: "fake", Variant: variant})
		list := Impls
		if variant {
			list = ExtraImpls
		}
		if !slices.Contains(list, "fake") || !slices.Contains(KnownImpls(), "fake") {
			t.Errorf("variant %v: fake not registered: %v", variant, KnownImpls())
		}
		if _, err := ParseName("Startup/impl=fake/method=fork/chan=pipe/rss=0/cores=1"); err != nil {
			t.Errorf("variant %v: %v", variant, err)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("variant %v: a second registration of fake did not panic", variant)
				}
			}()
			RegisterImpl(ImplSpec{Name: "fake"})
		}()
		remove()
		if !slices.Equal(Impls, impls) || !slices.Equal(ExtraImpls, extra) || len(ImplSpecs()) != len(specs) {
			t.Errorf("variant %v: removing fake left Impls %v, ExtraImpls %v", variant, Impls, ExtraImpls)
		}
	}
}
