package pep

import (
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/ztkit/ztkit/zt"
)

// InputVersion is the version of the input document that policies see. It is
// documented, with its JSON Schema, in docs/policy-input.md. A change that
// removes or renames a field bumps it.
const InputVersion = "ztkit.input/v1"

// Input is what a decision is made about: who calls, what they ask for, and
// how risky the request looks. Before hooks may change it.
type Input struct {
	// Principal is the authenticated caller; nil for an anonymous request.
	Principal *zt.Principal
	// Request is the action, resource and request facts.
	Request zt.Request
	// Risk is the current risk assessment of the principal.
	Risk zt.Risk
	// Context carries further facts for policies under input.context. Values
	// must be JSON-compatible.
	Context map[string]any
}

// shape says which optional parts of the input a policy reads: the request
// time (which also defeats the decision cache), the token's facts, and its
// claims. A part that the policy cannot read is not built.
type shape struct {
	time   bool
	token  bool
	claims bool
	names  *interner // terms of repeated names; nil builds them every time
}

// maxInterned bounds an interner: the method comes from the caller.
const maxInterned = 1024

// interner keeps the string terms of the input's low-cardinality values
// (actions, methods, route templates, resource types), which repeat on
// every request. Terms are never modified once built, so they are shared.
type interner struct {
	mu sync.RWMutex
	m  map[string]*ast.Term
}

func newInterner() *interner { return &interner{m: map[string]*ast.Term{}} }

// str returns the shared term of s, building it on first use.
func (n *interner) str(s string) *ast.Term {
	if n == nil || s == "" {
		return str(s)
	}
	n.mu.RLock()
	t := n.m[s]
	n.mu.RUnlock()
	if t != nil {
		return t
	}

	t = ast.StringTerm(s)
	n.mu.Lock()
	if len(n.m) < maxInterned {
		n.m[s] = t
	}
	n.mu.Unlock()
	return t
}

// fullShape is the input with every part, for filters and logs.
var fullShape = shape{time: true, token: true, claims: true}

// value builds the input document as an AST value. When bound, roles are
// the subject's live roles and replace the token's. Parts that the policy
// does not read (see shape) are left out.
func (in *Input) value(roles []string, bound bool, sh shape) (ast.Value, error) {
	doc := ast.NewObject(
		kv("version", str(InputVersion)),
		kv("action", sh.names.str(in.Request.Action)),
		item("request", in.requestValue(sh)),
		kv("risk", riskTerm(in.Risk)),
	)

	res, err := resourceValue(in.Request.Resource, sh.names)
	if err != nil {
		return nil, err
	}
	doc.Insert(key("resource"), ast.NewTerm(res))

	if err := principalInto(doc, in.Principal, roles, bound, sh); err != nil {
		return nil, err
	}

	if in.Context != nil {
		v, err := ast.InterfaceToValue(in.Context)
		if err != nil {
			return nil, fmt.Errorf("pep: input context: %w", err)
		}
		doc.Insert(key("context"), ast.NewTerm(v))
	}
	return doc, nil
}

// keyTerms holds a term for every key of the input document, built once:
// the input is built on every request, and its keys never change. Terms of
// the input are never modified once built, so they can be shared.
var keyTerms = func() map[string]*ast.Term {
	m := map[string]*ast.Term{}
	for _, k := range []string{
		"version", "action", "request", "risk", "resource", "context", "subject",
		"device", "workload", "token", "method", "route", "source_ip", "time_ns",
		"score", "signals", "type", "id", "owner", "attributes", "key_thumbprint",
		"posture", "trust_domain", "session_id", "roles", "roles_bound",
		"token_roles", "scopes", "auth_methods", "auth_time", "issuer", "audience",
		"client_id", "cnf_jkt", "issued_at", "expires_at", "claims",
	} {
		m[k] = ast.StringTerm(k)
	}
	return m
}()

// key returns the shared term of an input key.
func key(k string) *ast.Term {
	if t, ok := keyTerms[k]; ok {
		return t
	}
	return ast.StringTerm(k)
}

var (
	emptyArray = ast.NewTerm(ast.NewArray())
	emptyTerm  = key("")
)

func item(k string, v ast.Value) [2]*ast.Term {
	return [2]*ast.Term{key(k), ast.NewTerm(v)}
}

func kv(k string, t *ast.Term) [2]*ast.Term {
	return [2]*ast.Term{key(k), t}
}

// str returns a string term, shared for the empty string.
func str(s string) *ast.Term {
	if s == "" {
		return emptyTerm
	}
	return ast.StringTerm(s)
}

func stringArray(ss []string) *ast.Term {
	if len(ss) == 0 {
		return emptyArray
	}
	terms := make([]*ast.Term, len(ss))
	for i, s := range ss {
		terms[i] = ast.StringTerm(s)
	}
	return ast.NewTerm(ast.NewArray(terms...))
}

func (in *Input) requestValue(sh shape) ast.Value {
	r := in.Request
	obj := ast.NewObject(
		kv("method", sh.names.str(r.Method)),
		kv("route", sh.names.str(r.Route)),
	)
	if ip := sourceIP(r.SourceAddr); ip != "" {
		obj.Insert(key("source_ip"), ast.StringTerm(ip))
	}
	if sh.time && !r.Time.IsZero() {
		obj.Insert(key("time_ns"), ast.IntNumberTerm(int(r.Time.UnixNano())))
	}
	return obj
}

// sourceIP drops the port of addr, so that the input (and the decision cache
// key) does not change with every connection.
func sourceIP(addr string) string {
	if addr == "" {
		return ""
	}
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return ap.Addr().Unmap().String()
	}
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// noRisk is the risk term of a zero risk, the common case, built once.
var noRisk = newRiskTerm(zt.Risk{})

func riskTerm(r zt.Risk) *ast.Term {
	if r.Score == 0 && len(r.Signals) == 0 {
		return noRisk
	}
	return newRiskTerm(r)
}

func newRiskTerm(r zt.Risk) *ast.Term {
	return ast.NewTerm(ast.NewObject(
		kv("score", ast.InternedTerm(r.Score)),
		kv("signals", stringArray(r.Signals)),
	))
}

func resourceValue(r zt.Resource, names *interner) (ast.Value, error) {
	obj := ast.NewObject(
		kv("type", names.str(r.Type)),
		kv("id", str(r.ID)),
		kv("owner", str(r.Owner)),
	)
	if r.Attributes != nil {
		v, err := ast.InterfaceToValue(r.Attributes)
		if err != nil {
			return nil, fmt.Errorf("pep: resource attributes: %w", err)
		}
		obj.Insert(key("attributes"), ast.NewTerm(v))
	}
	return obj, nil
}

func principalInto(doc ast.Object, p *zt.Principal, roles []string, bound bool, sh shape) error {
	if p == nil {
		return nil
	}
	if p.User != nil {
		doc.Insert(key("subject"), ast.NewTerm(subjectValue(p.User, roles, bound)))
	}
	if d := p.Device; d != nil {
		obj := ast.NewObject(
			kv("id", str(d.ID)),
			kv("key_thumbprint", str(d.KeyThumbprint)),
		)
		if d.Posture != nil {
			v, err := ast.InterfaceToValue(d.Posture)
			if err != nil {
				return fmt.Errorf("pep: device posture: %w", err)
			}
			obj.Insert(key("posture"), ast.NewTerm(v))
		}
		doc.Insert(key("device"), ast.NewTerm(obj))
	}
	if w := p.Workload; w != nil {
		doc.Insert(key("workload"), ast.NewTerm(ast.NewObject(
			kv("id", str(w.ID)),
			kv("trust_domain", str(w.TrustDomain)),
		)))
	}
	if p.Token != nil && sh.token {
		var c map[string]any
		if sh.claims {
			c = p.Claims
		}
		tok, err := tokenValue(p.Token, c)
		if err != nil {
			return err
		}
		doc.Insert(key("token"), ast.NewTerm(tok))
	}
	return nil
}

func subjectValue(u *zt.User, roles []string, bound bool) ast.Value {
	tokenRoles := stringArray(u.Roles)
	effective := tokenRoles
	if bound {
		effective = stringArray(roles)
	}
	obj := ast.NewObject(
		kv("id", str(u.ID)),
		kv("session_id", str(u.SessionID)),
		kv("roles", effective),
		kv("roles_bound", ast.InternedTerm(bound)),
		kv("token_roles", tokenRoles),
		kv("scopes", stringArray(u.Scopes)),
		kv("auth_methods", stringArray(u.AuthMethods)),
	)
	if !u.AuthTime.IsZero() {
		obj.Insert(key("auth_time"), ast.IntNumberTerm(int(u.AuthTime.Unix())))
	}
	return obj
}

func tokenValue(t *zt.Token, claims map[string]any) (ast.Value, error) {
	obj := ast.NewObject(
		kv("id", str(t.ID)),
		kv("type", str(t.Type)),
		kv("issuer", str(t.Issuer)),
		kv("audience", stringArray(t.Audience)),
		kv("client_id", str(t.ClientID)),
		kv("cnf_jkt", str(t.ConfirmationJKT)),
	)
	if !t.IssuedAt.IsZero() {
		obj.Insert(key("issued_at"), ast.IntNumberTerm(int(t.IssuedAt.Unix())))
	}
	if !t.ExpiresAt.IsZero() {
		obj.Insert(key("expires_at"), ast.IntNumberTerm(int(t.ExpiresAt.Unix())))
	}
	if claims != nil {
		v, err := ast.InterfaceToValue(claims)
		if err != nil {
			return nil, fmt.Errorf("pep: token claims: %w", err)
		}
		obj.Insert(key("claims"), ast.NewTerm(v))
	}
	return obj, nil
}
