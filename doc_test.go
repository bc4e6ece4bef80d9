package ztkit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryPackageDocumented checks that every package in the repository has a
// package comment and that every exported name has a doc comment.
func TestEveryPackageDocumented(t *testing.T) {
	dirs := map[string]bool{}

	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}

		if d.IsDir() && skipDir(path) {
			return filepath.SkipDir
		}

		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			dirs[filepath.Dir(path)] = true
		}

		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	for dir := range dirs {
		checkPackage(t, dir)
	}
}

func skipDir(path string) bool {
	base := filepath.Base(path)

	return path != "." && (strings.HasPrefix(base, ".") || base == "testdata" ||
		base == "node_modules" || base == "tools")
}

func checkPackage(t *testing.T, dir string) {
	t.Helper()

	fset := token.NewFileSet()
	files := map[string]*ast.File{}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}

	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}

		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}

		files[name] = f
	}

	hasDoc := false
	for _, f := range files {
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			hasDoc = true
		}
	}

	if !hasDoc {
		t.Errorf("%s: package has no package comment", dir)
	}

	for name, f := range files {
		for _, missing := range undocumented(f) {
			t.Errorf("%s: exported %s has no doc comment", filepath.Join(dir, name), missing)
		}
	}
}

// undocumented lists the exported top-level names of f that have no doc comment.
func undocumented(f *ast.File) []string {
	var out []string

	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() && d.Doc == nil && exportedReceiver(d) {
				out = append(out, d.Name.Name)
			}
		case *ast.GenDecl:
			out = append(out, undocumentedSpecs(d)...)
		}
	}

	return out
}

func undocumentedSpecs(d *ast.GenDecl) []string {
	var out []string

	for _, spec := range d.Specs {
		switch s := spec.(type) {
		case *ast.TypeSpec:
			if s.Name.IsExported() && d.Doc == nil && s.Doc == nil {
				out = append(out, s.Name.Name)
			}
		case *ast.ValueSpec:
			for _, n := range s.Names {
				if n.IsExported() && d.Doc == nil && s.Doc == nil && s.Comment == nil {
					out = append(out, n.Name)
				}
			}
		}
	}

	return out
}

// exportedReceiver reports whether a method's receiver type is exported; methods of
// unexported types need no doc comment.
func exportedReceiver(d *ast.FuncDecl) bool {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return true
	}

	typ := d.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}

	if idx, ok := typ.(*ast.IndexExpr); ok {
		typ = idx.X
	}

	id, ok := typ.(*ast.Ident)
	return !ok || id.IsExported()
}
