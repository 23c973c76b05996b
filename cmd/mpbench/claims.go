package main

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"

	"github.com/mpbench/mpbench/harness/claims"
	"github.com/mpbench/mpbench/impl/python"
)

// claimsCmd: mpbench claims --out DIR [--only C3,C7] [--python PATH]
// [--torch-python PATH] [--timeout 5m] [--render].
func claimsCmd(args []string) error {
	fs := newFlagSet("claims")
	var interp interpreterFlags
	interp.register(fs)
	out := fs.String("out", "", "output folder: DIR/claims.bench and DIR/CLAIMS.md (required)")
	only := fs.String("only", "", "claims to run, e.g. C3,C7 (default: all of C1–C14); adds them to an existing DIR/claims.bench")
	timeout := fs.Duration("timeout", claims.DefaultTimeout, "timeout of one claim experiment (claims.py run)")
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
			return usageError{err}
		}
	}
	cpy := python.New("cpython", interp.python)
	if err := cpy.Available(); err != nil {
		if interp.python != "" {
			return usagef("claims: --python %s: %v", interp.python, err)
		}
		return errors.New("claims: CPython is needed for the claim experiments: " + err.Error())
	}
	torch := python.New("torch", interp.torch)
	torchPython := ""
	if err := torch.Available(); err == nil {
		torchPython = torch.Interpreter()
	} else if interp.torch != "" {
		return usagef("claims: --torch-python %s: %v", interp.torch, err)
	}

	ctx, stop, caught := interruptible()
	defer stop()
	err := claims.Run(ctx, claims.Options{
		Out: *out, Only: ids,
		Python: cpy.Interpreter(), CPython: cpy,
		Torch: torch, TorchPython: torchPython,
		Timeout: *timeout, Args: args, Progress: os.Stderr,
	})
	var in *claims.InputError
	switch {
	case errors.As(err, &in):
		return usageError{err}
	case errors.Is(err, claims.ErrInterrupted):
		code := 130
		if caught() == syscall.SIGTERM {
			code = 143
		}
		return exitError{code, "claims: interrupted; what finished is in " + *out + " (add the rest with --only)"}
	}
	return err
}
