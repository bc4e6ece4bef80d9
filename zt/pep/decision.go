package pep

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/ztkit/ztkit/zt"
)

// BeforeHook runs before a decision. It may complete the input, for example
// load the owner and attributes of in.Request.Resource. An error denies with
// ReasonHookError.
type BeforeHook func(ctx context.Context, in *Input) error

// AfterHook runs after a decision that allowed. It enforces obligations and
// may change d; an error turns it into a deny with ReasonObligationFailed.
type AfterHook func(ctx context.Context, in *Input, d *zt.Decision) error

// DenyHook runs after a decision that denied, for example to count or react
// to denials. It cannot change the decision.
type DenyHook func(ctx context.Context, in *Input, d zt.Decision)

// outcome is what an evaluation produced, before it becomes a zt.Decision.
type outcome struct {
	allow       bool
	reasons     []string
	obligations map[string]any
	cached      bool
	input       ast.Value
}

func denied(reason string) outcome {
	return outcome{reasons: []string{reason}}
}

var (
	keyAllow       = ast.StringTerm("allow")
	keyReasons     = ast.StringTerm("reasons")
	keyObligations = ast.StringTerm("obligations")
)

// parseOutcome reads a policy's result: either a boolean, or an object with
// a boolean "allow", optional "reasons" (a set or array of strings) and
// optional "obligations" (an object).
func parseOutcome(t *ast.Term) (outcome, error) {
	if t == nil {
		return denied(ReasonMalformed), fmt.Errorf("pep: decision is not a value")
	}
	switch v := t.Value.(type) {
	case ast.Boolean:
		return outcome{allow: bool(v), reasons: defaultReasons(bool(v))}, nil
	case ast.Object:
		return parseObject(v)
	default:
		err := fmt.Errorf("pep: decision is a %s, not an object", ast.ValueName(v))
		return denied(ReasonMalformed), err
	}
}

func parseObject(obj ast.Object) (outcome, error) {
	at := obj.Get(keyAllow)
	if at == nil {
		return denied(ReasonMalformed), fmt.Errorf("pep: decision has no \"allow\"")
	}
	a, ok := at.Value.(ast.Boolean)
	if !ok {
		return denied(ReasonMalformed), fmt.Errorf("pep: decision has no boolean \"allow\"")
	}
	out := outcome{allow: bool(a)}

	if r := obj.Get(keyReasons); r != nil {
		reasons, err := stringsOf(r.Value)
		if err != nil {
			return denied(ReasonMalformed), err
		}
		out.reasons = reasons
	}
	if len(out.reasons) == 0 {
		out.reasons = defaultReasons(out.allow)
	}

	if o := obj.Get(keyObligations); o != nil {
		m, err := ast.JSON(o.Value)
		obl, isMap := m.(map[string]any)
		if err != nil || !isMap {
			return denied(ReasonMalformed), fmt.Errorf("pep: decision obligations are not an object")
		}
		if len(obl) > 0 {
			out.obligations = obl
		}
	}
	return out, nil
}

func defaultReasons(allow bool) []string {
	if allow {
		return []string{zt.ReasonAllowed}
	}
	return []string{zt.ReasonUndefined}
}

// stringsOf reads a set or array of strings, sorted for a set.
func stringsOf(v ast.Value) ([]string, error) {
	var out []string
	bad := false
	add := func(t *ast.Term) {
		s, ok := t.Value.(ast.String)
		bad = bad || !ok
		out = append(out, string(s))
	}
	switch c := v.(type) {
	case ast.Set:
		c.Foreach(add)
		slices.Sort(out)
	case *ast.Array:
		c.Foreach(add)
	default:
		bad = true
	}
	if bad {
		return nil, fmt.Errorf("pep: decision reasons are not strings")
	}
	return out, nil
}

// clone copies the parts of o that a caller may change.
func (o outcome) clone() outcome {
	o.reasons = slices.Clone(o.reasons)
	o.obligations = maps.Clone(o.obligations)
	return o
}
