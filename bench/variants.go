package bench

// Variants of CPython measured beside the primary matrix (issues 17, 19):
// other CPython versions and drop-in replacements of multiprocessing.
// They run a subset of the matrix chosen to answer one question each —
// what changes with the version, what changes with the library — at
// cores = nproc; the primary impls cover the cores and RSS sweeps.

// PythonVersions are the CPython minor versions measured as impls
// cpython<minor> (interpreters from pyenv, see impl/python). 3.6 and 3.7
// are left out: multiprocessing.shared_memory (chan=shm) is new in 3.8.
var PythonVersions = []string{"3.8", "3.9", "3.10", "3.11", "3.12", "3.13"}

// VersionImpls are the impl names of PythonVersions: cpython3.8 … cpython3.13.
var VersionImpls = func() []string {
	out := make([]string, len(PythonVersions))
	for i, v := range PythonVersions {
		out[i] = "cpython" + v
	}
	return out
}()

// LibraryImpls are the multiprocessing replacements measured as impls; the
// name is the module the driver imports in place of multiprocessing.
var LibraryImpls = []string{"billiard", "multiprocess"}
