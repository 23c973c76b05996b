package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/claims"
	"github.com/mpbench/mpbench/impl"
	"github.com/mpbench/mpbench/impl/python"
)

// claimsCmd: mpbench claims --out DIR [--only C3,C7] [--python PATH]
// [--torch-python PATH] [--runs 6] [--timeout 5m] [--render].
func claimsCmd(args []string) error {
	fs := newFlagSet("claims")
	var interp interpreterFlags
	interp.register(fs)
	out := fs.String("out", "", "output folder: DIR/claims.bench and DIR/CLAIMS.md (required)")
	only := fs.String("only", "", "claims to run, e.g. C3,C7 (default: all of C1–C14); adds them to an existing DIR/claims.bench")
	runs := fs.Int("runs", claims.DefaultRuns, "program runs per configuration of a quantitative claim (≥ 6 gives a 95% CI)")
	timeout := fs.Duration("timeout", claims.DefaultTimeout, "timeout of one claim experiment (claims.py program run)")
	render := fs.Bool("render", false, "only regenerate DIR/CLAIMS.md from DIR/claims.bench")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("claims: unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return usagef("claims: --out DIR is required")
	}
	if *timeout <= 0 {
		return usagef("claims: --timeout must be > 0")
	}
	if *runs < 1 {
		return usagef("claims: --runs must be ≥ 1")
	}
	if *render {
		if _, err := os.Stat(filepath.Join(*out, claims.BenchFile)); err != nil {
			return usagef("claims: --render: %v", err)
		}
		return claims.WriteMarkdown(*out)
	}
	var ids []string
	if *only != "" {
		var err error
		if ids, err = claims.ParseOnly(*only); err != nil {
			return usagef("claims: --only: %v", err)
		}
	}
	cpy := python.New("cpython", interp.python)
	if err := cpy.Available(); err != nil {
		if interp.python != "" {
			return usagef("claims: --python %s: %v", interp.python, err)
		}
		return errors.New("claims: CPython is needed for the claim experiments: " + err.Error())
	}
	// torch: --torch-python, else /usr/bin/python3 or python3 on PATH,
	// whichever imports torch (on a GPU machine that is often python3).
	torch := python.New("torch", interp.torch)
	torchPython := ""
	torchErr := torch.Available()
	if torchErr == nil {
		torchPython = torch.Interpreter()
	} else if interp.torch != "" {
		return usagef("claims: --torch-python %s: %v", interp.torch, torchErr)
	}
	libPython, libErr := "", error(nil)
	if _, err := os.Stat(libraryPython); err == nil {
		libPython = libraryPython
	} else {
		libErr = fmt.Errorf("%s (Debian's python3, where python3-billiard and python3-multiprocess live) is missing", libraryPython)
	}

	ctx, stop, caught := interruptible()
	defer stop()
	err := claims.Run(ctx, claims.Options{
		Out: *out, Only: ids,
		Python: cpy.Interpreter(), CPython: cpy, Impls: versionImpls(),
		TorchPython: torchPython, TorchErr: torchErr,
		LibPython: libPython, LibErr: libErr,
		Versions: pyenvVersions(),
		Runs:     *runs, Timeout: *timeout, Args: args, Progress: os.Stderr,
	})
	var in *claims.InputError
	switch {
	case errors.As(err, &in):
		return usageError{fmt.Errorf("claims: --out %s: %w", *out, err)}
	case errors.Is(err, claims.ErrInterrupted):
		return exitError{signalStatus(caught()), "claims: interrupted; what finished is in " + *out + " (add the rest with --only)"}
	}
	return err
}

// versionImpls are the CPython versions of C14's matrix cells (an
// unavailable one: its cells are skipped with the reason).
func versionImpls() map[string]impl.Impl {
	out := map[string]impl.Impl{}
	for _, name := range bench.VersionImpls {
		if p := python.NewVariant(name, ""); p != nil {
			out[name] = p
		}
	}
	return out
}

// pyenvVersions finds CPython 3.8–3.13 as pyenv lays them out:
// <root>/versions/3.N.P/bin/python3 (root: $PYENV_ROOT or ~/.pyenv), the
// newest patch release of each minor version; a missing one carries the
// reason.
func pyenvVersions() []claims.Interp {
	root := os.Getenv("PYENV_ROOT")
	if root == "" {
		home, _ := os.UserHomeDir()
		root = filepath.Join(home, ".pyenv")
	}
	var out []claims.Interp
	for minor := 8; minor <= 13; minor++ {
		v := "3." + strconv.Itoa(minor)
		paths, _ := filepath.Glob(filepath.Join(root, "versions", v+".*", "bin", "python3"))
		sort.Slice(paths, func(i, j int) bool { return patchOf(paths[i]) < patchOf(paths[j]) })
		if len(paths) == 0 {
			out = append(out, claims.Interp{Minor: v, Err: fmt.Errorf("no %s/versions/%s.*/bin/python3", root, v)})
			continue
		}
		out = append(out, claims.Interp{Minor: v, Path: paths[len(paths)-1]})
	}
	return out
}

// patchOf is the patch number of …/versions/3.N.P/bin/python3 (-1 when
// it is not a plain number, e.g. 3.13.0t).
func patchOf(path string) int {
	ver := filepath.Base(filepath.Dir(filepath.Dir(path)))
	parts := strings.Split(ver, ".")
	if len(parts) != 3 {
		return -1
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil {
		return -1
	}
	return n
}

// libraryPython runs C9's library row: Debian's python3, for which
// python3-billiard and python3-multiprocess are packaged.
const libraryPython = "/usr/bin/python3"
