package pep

import (
	"fmt"
	"net"
	"net/netip"

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

// shape says which costly parts of the input a policy reads: the request
// time (which also defeats the decision cache) and the token's claims.
type shape struct {
	time   bool
	claims bool
}

// fullShape is the input with every part, for filters and logs.
var fullShape = shape{time: true, claims: true}

// value builds the input document as an AST value. When bound, roles are
// the subject's live roles and replace the token's. Parts that the policy
// does not read (see shape) are left out.
func (in *Input) value(roles []string, bound bool, sh shape) (ast.Value, error) {
	doc := ast.NewObject(
		item("version", ast.String(InputVersion)),
		item("action", ast.String(in.Request.Action)),
		item("request", in.requestValue(sh.time)),
		item("risk", riskValue(in.Risk)),
	)

	res, err := resourceValue(in.Request.Resource)
	if err != nil {
		return nil, err
	}
	doc.Insert(ast.StringTerm("resource"), ast.NewTerm(res))

	if err := principalInto(doc, in.Principal, roles, bound, sh.claims); err != nil {
		return nil, err
	}

	if in.Context != nil {
		v, err := ast.InterfaceToValue(in.Context)
		if err != nil {
			return nil, fmt.Errorf("pep: input context: %w", err)
		}
		doc.Insert(ast.StringTerm("context"), ast.NewTerm(v))
	}
	return doc, nil
}

func item(key string, v ast.Value) [2]*ast.Term {
	return ast.Item(ast.StringTerm(key), ast.NewTerm(v))
}

func stringArray(ss []string) ast.Value {
	terms := make([]*ast.Term, len(ss))
	for i, s := range ss {
		terms[i] = ast.StringTerm(s)
	}
	return ast.NewArray(terms...)
}

func (in *Input) requestValue(withTime bool) ast.Value {
	r := in.Request
	obj := ast.NewObject(
		item("method", ast.String(r.Method)),
		item("route", ast.String(r.Route)),
	)
	if ip := sourceIP(r.SourceAddr); ip != "" {
		obj.Insert(ast.StringTerm("source_ip"), ast.StringTerm(ip))
	}
	if withTime && !r.Time.IsZero() {
		obj.Insert(ast.StringTerm("time_ns"), ast.IntNumberTerm(int(r.Time.UnixNano())))
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

func riskValue(r zt.Risk) ast.Value {
	return ast.NewObject(
		item("score", ast.Number(fmt.Sprint(r.Score))),
		item("signals", stringArray(r.Signals)),
	)
}

func resourceValue(r zt.Resource) (ast.Value, error) {
	obj := ast.NewObject(
		item("type", ast.String(r.Type)),
		item("id", ast.String(r.ID)),
		item("owner", ast.String(r.Owner)),
	)
	if r.Attributes != nil {
		v, err := ast.InterfaceToValue(r.Attributes)
		if err != nil {
			return nil, fmt.Errorf("pep: resource attributes: %w", err)
		}
		obj.Insert(ast.StringTerm("attributes"), ast.NewTerm(v))
	}
	return obj, nil
}

func principalInto(doc ast.Object, p *zt.Principal, roles []string, bound, claims bool) error {
	if p == nil {
		return nil
	}
	if p.User != nil {
		doc.Insert(ast.StringTerm("subject"), ast.NewTerm(subjectValue(p.User, roles, bound)))
	}
	if d := p.Device; d != nil {
		obj := ast.NewObject(
			item("id", ast.String(d.ID)),
			item("key_thumbprint", ast.String(d.KeyThumbprint)),
		)
		if d.Posture != nil {
			v, err := ast.InterfaceToValue(d.Posture)
			if err != nil {
				return fmt.Errorf("pep: device posture: %w", err)
			}
			obj.Insert(ast.StringTerm("posture"), ast.NewTerm(v))
		}
		doc.Insert(ast.StringTerm("device"), ast.NewTerm(obj))
	}
	if w := p.Workload; w != nil {
		doc.Insert(ast.StringTerm("workload"), ast.NewTerm(ast.NewObject(
			item("id", ast.String(w.ID)),
			item("trust_domain", ast.String(w.TrustDomain)),
		)))
	}
	if p.Token != nil {
		var c map[string]any
		if claims {
			c = p.Claims
		}
		tok, err := tokenValue(p.Token, c)
		if err != nil {
			return err
		}
		doc.Insert(ast.StringTerm("token"), ast.NewTerm(tok))
	}
	return nil
}

func subjectValue(u *zt.User, roles []string, bound bool) ast.Value {
	if !bound {
		roles = u.Roles
	}
	obj := ast.NewObject(
		item("id", ast.String(u.ID)),
		item("session_id", ast.String(u.SessionID)),
		item("roles", stringArray(roles)),
		item("roles_bound", ast.Boolean(bound)),
		item("token_roles", stringArray(u.Roles)),
		item("scopes", stringArray(u.Scopes)),
		item("auth_methods", stringArray(u.AuthMethods)),
	)
	if !u.AuthTime.IsZero() {
		obj.Insert(ast.StringTerm("auth_time"), ast.IntNumberTerm(int(u.AuthTime.Unix())))
	}
	return obj
}

func tokenValue(t *zt.Token, claims map[string]any) (ast.Value, error) {
	obj := ast.NewObject(
		item("id", ast.String(t.ID)),
		item("type", ast.String(t.Type)),
		item("issuer", ast.String(t.Issuer)),
		item("audience", stringArray(t.Audience)),
		item("client_id", ast.String(t.ClientID)),
		item("cnf_jkt", ast.String(t.ConfirmationJKT)),
	)
	if !t.IssuedAt.IsZero() {
		obj.Insert(ast.StringTerm("issued_at"), ast.IntNumberTerm(int(t.IssuedAt.Unix())))
	}
	if !t.ExpiresAt.IsZero() {
		obj.Insert(ast.StringTerm("expires_at"), ast.IntNumberTerm(int(t.ExpiresAt.Unix())))
	}
	if claims != nil {
		v, err := ast.InterfaceToValue(claims)
		if err != nil {
			return nil, fmt.Errorf("pep: token claims: %w", err)
		}
		obj.Insert(ast.StringTerm("claims"), ast.NewTerm(v))
	}
	return obj, nil
}
