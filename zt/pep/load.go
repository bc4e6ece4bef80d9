package pep

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/util"
)

// ErrPolicyRefused is matched by the error of a load or reload whose policy
// could not be read, failed to compile, or failed its policy tests. The last
// good policy keeps serving.
var ErrPolicyRefused = errors.New("pep: policy refused")

// policy is a compiled set of modules and their data; it never changes once
// built.
type policy struct {
	revision    string
	fingerprint string
	modules     map[string]*ast.Module
	compiler    *ast.Compiler
	data        map[string]any
	cacheable   bool
	shape       shape
}

// readBundle reads the configured source as an OPA bundle.
func (e *Engine) readBundle() (*bundle.Bundle, error) {
	var loader bundle.DirectoryLoader
	switch {
	case e.cfg.Policies != nil:
		l, err := bundle.NewFSLoader(e.cfg.Policies)
		if err != nil {
			return nil, err
		}
		loader = l
	case e.cfg.Dir != "":
		if info, err := os.Stat(e.cfg.Dir); err != nil || !info.IsDir() {
			return nil, fmt.Errorf("pep: policy folder %q is not a readable folder", e.cfg.Dir)
		}
		loader = bundle.NewDirectoryLoader(e.cfg.Dir)
	default:
		f, err := os.Open(e.cfg.Bundle)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		loader = bundle.NewTarballLoader(f)
	}

	r := bundle.NewCustomReader(loader).WithRegoVersion(ast.RegoV1)
	if k := e.cfg.BundleKey; k != nil {
		keys := map[string]*bundle.KeyConfig{k.ID: {
			Key: k.PublicKey, Algorithm: k.Algorithm, Scope: k.Scope,
		}}
		r = r.WithBundleVerificationConfig(
			bundle.NewVerificationConfig(keys, k.ID, k.Scope, nil))
	} else {
		r = r.WithSkipBundleVerification(true)
	}
	b, err := r.Read()
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// compilePolicy reads, compiles and tests the configured policy. It returns
// (nil, nil) when the policy is unchanged from prev.
func (e *Engine) compilePolicy(ctx context.Context, prev *policy) (*policy, error) {
	b, err := e.readBundle()
	if err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrPolicyRefused, err)
	}

	fp := fingerprint(b)
	if prev != nil && prev.fingerprint == fp {
		return nil, nil
	}

	p := &policy{fingerprint: fp, revision: b.Manifest.Revision, data: b.Data}
	if p.revision == "" {
		p.revision = "sha256:" + fp[:16]
	}
	if p.data == nil {
		p.data = map[string]any{}
	}
	p.modules = make(map[string]*ast.Module, len(b.Modules))
	for _, m := range b.Modules {
		p.modules[m.Path] = m.Parsed
	}

	p.compiler = ast.NewCompiler().WithEnablePrintStatements(false)
	if p.compiler.Compile(p.modules); p.compiler.Failed() {
		return nil, fmt.Errorf("%w: compile: %w", ErrPolicyRefused, p.compiler.Errors)
	}
	if err := e.checkEntrypoints(p); err != nil {
		return nil, err
	}
	if !e.cfg.SkipPolicyTests {
		if err := runPolicyTests(ctx, p); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrPolicyRefused, err)
		}
	}
	p.cacheable = isCacheable(p.modules)
	p.shape = shape{
		time:   !p.cacheable,
		token:  readsInput(p.modules, "token"),
		claims: readsInput(p.modules, "token", "claims"),
		names:  newInterner(),
	}
	return p, nil
}

func (e *Engine) checkEntrypoints(p *policy) error {
	for _, ep := range e.cfg.Entrypoints {
		ref, err := entrypointRef(ep)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrPolicyRefused, err)
		}
		if len(p.compiler.GetRulesExact(ref)) == 0 {
			return fmt.Errorf("%w: entrypoint %q is not defined", ErrPolicyRefused, ep)
		}
	}
	return nil
}

// entrypointRef turns "a/b/c" (or "data.a.b.c") into the reference data.a.b.c.
func entrypointRef(ep string) (ast.Ref, error) {
	path := strings.TrimPrefix(strings.ReplaceAll(strings.Trim(ep, "/"), "/", "."), "data.")
	ref, err := ast.ParseRef("data." + path)
	if err != nil || path == "" {
		return nil, fmt.Errorf("pep: invalid entrypoint %q", ep)
	}
	return ref, nil
}

// fingerprint hashes a bundle's modules and data in a stable order.
func fingerprint(b *bundle.Bundle) string {
	h := sha256.New()
	mods := make([]bundle.ModuleFile, len(b.Modules))
	copy(mods, b.Modules)
	sort.Slice(mods, func(i, j int) bool { return mods[i].Path < mods[j].Path })
	for _, m := range mods {
		fmt.Fprintf(h, "%s\x00%d\x00", m.Path, len(m.Raw))
		h.Write(m.Raw)
	}
	h.Write(util.MustMarshalJSON(b.Data))
	return hex.EncodeToString(h.Sum(nil))
}

// runPolicyTests runs the test_ rules of the policy's *_test.rego modules
// and fails if any fails.
func runPolicyTests(ctx context.Context, p *policy) error {
	results, err := runTests(ctx, p.modules, p.data)
	if err != nil {
		return err
	}
	var failed []string
	for _, r := range results {
		if !r.Pass && !r.Skipped {
			failed = append(failed, r.Name)
		}
	}
	if len(failed) > 0 {
		sort.Strings(failed)
		return fmt.Errorf("policy tests failed: %s", strings.Join(failed, ", "))
	}
	return nil
}

// newStore builds the store of a policy's data with the PIP document.
func newStore(ctx context.Context, p *policy, pip *pipData) (storage.Store, error) {
	var buf bytes.Buffer
	buf.Write(util.MustMarshalJSON(p.data))
	store := inmem.NewFromReaderWithOpts(&buf,
		inmem.OptRoundTripOnWrite(false), inmem.OptReturnASTValuesOnRead(true))
	if err := writePIP(ctx, store, pip); err != nil {
		return nil, err
	}
	return store, nil
}

// isCacheable reports whether a policy's decisions depend only on the input
// minus the request time and on the data: it must neither read the time (or
// the whole input or request document) nor call a non-deterministic builtin.
func isCacheable(modules map[string]*ast.Module) bool {
	ok := true
	for path, m := range modules {
		if strings.HasSuffix(path, "_test.rego") {
			continue
		}
		ast.WalkRefs(m, func(r ast.Ref) bool {
			if refReads(r, "request", "time_ns") {
				ok = false
			}
			return !ok
		})
		ast.WalkExprs(m, func(x *ast.Expr) bool {
			if nondeterministic(x.Operator()) {
				ok = false
			}
			return !ok
		})
		ast.WalkTerms(m, func(t *ast.Term) bool {
			if call, isCall := t.Value.(ast.Call); isCall && nondeterministic(call[0].Value) {
				ok = false
			}
			return !ok
		})
	}
	return ok
}

// nondeterministic reports whether op names a non-deterministic builtin.
func nondeterministic(op ast.Value) bool {
	ref, isRef := op.(ast.Ref)
	if !isRef || len(ref) == 0 {
		return false
	}
	b, found := ast.BuiltinMap[ref.String()]
	return found && b.Nondeterministic
}

// readsInput reports whether a policy (tests aside) may read the input
// document at path.
func readsInput(modules map[string]*ast.Module, path ...string) bool {
	found := false
	for name, m := range modules {
		if strings.HasSuffix(name, "_test.rego") {
			continue
		}
		ast.WalkRefs(m, func(r ast.Ref) bool {
			found = found || refReads(r, path...)
			return found
		})
	}
	return found
}

// refReads reports whether r may read input at path: r is input itself, a
// prefix of the path, the path or below it, or picks a field by variable
// on the way.
func refReads(r ast.Ref, path ...string) bool {
	if !r.HasPrefix(ast.InputRootRef) {
		return false
	}
	for i, want := range path {
		if len(r) == i+1 {
			return true
		}
		s, isStr := r[i+1].Value.(ast.String)
		if !isStr {
			return true
		}
		if string(s) != want {
			return false
		}
	}
	return true
}
