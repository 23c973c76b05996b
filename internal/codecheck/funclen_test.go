package codecheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// funcLength is one function declaration and its length in lines.
type funcLength struct {
	pos   token.Position
	name  string
	lines int
}

// funcLengths lists the function declarations (with a body) of a file,
// each from the line of its func keyword through its closing brace.
func funcLengths(fset *token.FileSet, f *ast.File) []funcLength {
	var out []funcLength
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		name := fn.Name.Name
		if fn.Recv != nil && len(fn.Recv.List) > 0 {
			name = recvName(fn.Recv.List[0].Type) + "." + name
		}
		start, end := fset.Position(fn.Pos()), fset.Position(fn.End())
		out = append(out, funcLength{start, name, end.Line - start.Line + 1})
	}
	return out
}

// recvName is the type name of a method's receiver (without * and type
// parameters).
func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.IndexListExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}

// moduleRoot is the folder of the go.mod above this package.
func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// skipDir: folders that hold no code of the module (published results,
// test data, hidden and underscore folders, vendored code).
func skipDir(name string) bool {
	return name == "results" || name == "testdata" || name == "vendor" ||
		strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// TestFuncLength: no non-test function of the module is longer than
// MaxFuncLines lines; the failure lists every one that is, longest first.
func TestFuncLength(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	var long []funcLength
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		for _, fl := range funcLengths(fset, f) {
			if fl.lines > MaxFuncLines {
				long = append(long, fl)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no Go files under %s", root)
	}
	sort.Slice(long, func(i, j int) bool {
		if long[i].lines != long[j].lines {
			return long[i].lines > long[j].lines
		}
		return long[i].pos.String() < long[j].pos.String()
	})
	var b strings.Builder
	for _, fl := range long {
		rel, _ := filepath.Rel(root, fl.pos.Filename)
		fmt.Fprintf(&b, "\n  %d lines: %s (%s:%d)", fl.lines, fl.name, rel, fl.pos.Line)
	}
	if len(long) > 0 {
		t.Errorf("%d non-test functions are longer than %d lines (split them into named steps):%s", len(long), MaxFuncLines, b.String())
	}
}

// TestFuncLengths: the count runs from the func keyword (not its doc
// comment) through the closing brace, methods are named with their
// receiver's type, and declarations without a body are left out.
func TestFuncLengths(t *testing.T) {
	src := `package p

// A has a doc comment that is not counted.
func A() {}

func (x *T[K]) B() int {
	return 1
}

func C(
	a int,
) {
	_ = a
}

func D()
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name  string
		line  int
		lines int
	}{{"A", 4, 1}, {"T.B", 6, 3}, {"C", 10, 5}}
	got := funcLengths(fset, f)
	if len(got) != len(want) {
		t.Fatalf("got %d functions %v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if g := got[i]; g.name != w.name || g.pos.Line != w.line || g.lines != w.lines {
			t.Errorf("function %d: %s at line %d, %d lines; want %s at line %d, %d lines", i, g.name, g.pos.Line, g.lines, w.name, w.line, w.lines)
		}
	}
}
