package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/claims"
	"github.com/mpbench/mpbench/harness/rawbench"
	"github.com/mpbench/mpbench/impl/python"
)

// claimsCmd: mpbench claims --out DIR [--only C3,C7] [--python PATH]
// [--torch-python PATH] [--runs 6] [--timeout 5m] [--variants DIR] [--gpu DIR] [--render].
func claimsCmd(args []string) error {
	fs := newFlagSet("claims")
	var interp interpreterFlags
	interp.register(fs)
	out := fs.String("out", "", "output folder: DIR/claims.bench and DIR/CLAIMS.md (required)")
	only := fs.String("only", "", "claims to run, e.g. C3,C7 (default: all of C1–C14); adds them to an existing DIR/claims.bench")
	runs := fs.Int("runs", claims.DefaultRuns, "program runs per configuration of a quantitative claim (≥ 6 gives a 95% CI)")
	timeout := fs.Duration("timeout", claims.DefaultTimeout, "timeout of one claim experiment (claims.py program run)")
	render := fs.Bool("render", false, "only regenerate DIR/CLAIMS.md from DIR/claims.bench")
	variants := fs.String("variants", "", "a run folder of the variants profile whose per-version start-up cells C14 reads (recorded in claims.bench when measuring)")
	gpu := fs.String("gpu", "", "a claims run folder from a GPU machine whose C12 verdict is quoted beside this one's (recorded in claims.bench when measuring)")
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
		return renderClaims(*out, *variants, *gpu)
	}
	var ids []string
	if *only != "" {
		var err error
		if ids, err = claims.ParseOnly(*only); err != nil {
			return usagef("claims: --only: %v", err)
		}
	}
	const cpython = "cpython"
	cpy := python.New(cpython, interp.of(cpython))
	if err := cpy.Available(); err != nil {
		if interp.of(cpython) != "" {
			return usagef("claims: --%s %s: %v", flagOf(cpython), interp.of(cpython), err)
		}
		return errors.New("claims: CPython is needed for the claim experiments: " + err.Error())
	}
	torchPython, torchErr, err := tensorInterpreter(interp)
	if err != nil {
		return err
	}
	libPython, libErr := "", error(nil)
	if _, err := os.Stat(python.LibraryInterpreter); err == nil {
		libPython = python.LibraryInterpreter
	} else {
		libErr = fmt.Errorf("%s (Debian's python3, where python3-billiard and python3-multiprocess live) is missing", python.LibraryInterpreter)
	}

	ctx, stop, caught := interruptible()
	defer stop()
	err = claims.Run(ctx, claims.Options{
		Out: *out, Only: ids,
		Python: cpy.Interpreter(), CPython: cpy, Variants: *variants, GPU: *gpu,
		TorchPython: torchPython, TorchErr: torchErr,
		LibPython: libPython, LibErr: libErr,
		Versions: pythonVersions(),
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

// tensorInterpreter is the interpreter of the implementation that carries
// tensors (bench.TensorImpl; its flag, --torch-python, else /usr/bin/python3
// or python3 on PATH, whichever imports torch: on a GPU machine that is
// often python3), or the reason there is none. An interpreter named on the
// command line that cannot run is bad input (err).
func tensorInterpreter(interp interpreterFlags) (path string, reason, err error) {
	tensors := bench.TensorImpl()
	torch := python.New(tensors, interp.of(tensors))
	if reason = torch.Available(); reason == nil {
		return torch.Interpreter(), nil, nil
	}
	if interp.of(tensors) != "" {
		return "", reason, usagef("claims: --%s %s: %v", flagOf(tensors), interp.of(tensors), reason)
	}
	return "", reason, nil
}

// renderClaims is `claims --render`: CLAIMS.md regenerated from
// out/claims.bench and the other runs named, nothing measured.
func renderClaims(out, variants, gpu string) error {
	for _, f := range []struct{ flag, dir, file string }{
		{"--render", out, claims.BenchFile},
		{"--variants", variants, rawbench.RawFile},
		{"--gpu", gpu, claims.BenchFile},
	} {
		if f.dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(f.dir, f.file)); err != nil {
			return usagef("claims: %s: %v", f.flag, err)
		}
	}
	return claims.WriteMarkdownWith(out, variants, gpu)
}
