package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/pep"
)

// refusal is how a request is answered when it may not proceed. The reason
// goes to the audit trail; the caller sees only the status and, for 401, the
// RFC 6750 challenge.
type refusal struct {
	status    int
	reason    string
	challenge string
	cause     error
	dpop      bool // the challenge's error belongs to the DPoP scheme
	// principal is who a verified credential named when the request was
	// refused after verification (revoked, bad DPoP proof): the audit
	// trail's actor. Nil when nobody was identified.
	principal *zt.Principal
}

// naming records that ref refused a request whose credential named p.
func (ref *refusal) naming(p *zt.Principal) *refusal {
	ref.principal = p
	return ref
}

// StepUpError asks the caller to authenticate again, more strongly or more
// recently (RFC 9470). ObligationFuncs return it to answer 401 with an
// "insufficient_user_authentication" challenge.
type StepUpError struct {
	// ACRValues lists acceptable authentication context classes, for example
	// "otp"; empty omits them.
	ACRValues string
	// MaxAge is the maximum age of the authentication in seconds; 0 omits it.
	MaxAge int
}

// Error describes the step-up request.
func (e *StepUpError) Error() string {
	return fmt.Sprintf("middleware: step-up authentication required (acr %q, max_age %d)",
		e.ACRValues, e.MaxAge)
}

// stepUp is the default "step_up" obligation: it always refuses, because the
// policy only asks for it when the current authentication is not enough. Its
// value may name "method" (acr_values) and "max_age" (seconds).
func stepUp(_ context.Context, _ *http.Request, value any) error {
	e := &StepUpError{}
	if m, ok := value.(map[string]any); ok {
		e.ACRValues, _ = m["method"].(string)
		if n, ok := m["max_age"].(float64); ok {
			e.MaxAge = int(n)
		}
		if n, ok := m["max_age"].(interface{ Int64() (int64, error) }); ok {
			v, _ := n.Int64()
			e.MaxAge = int(v)
		}
	}
	return e
}

func forbidden(reason string, cause error) *refusal {
	return &refusal{status: http.StatusForbidden, reason: reason, cause: cause}
}

func unavailable(reason string, cause error) *refusal {
	return &refusal{status: http.StatusServiceUnavailable, reason: reason, cause: cause}
}

// unauthenticated answers 401 (or 400 for an invalid request) with the
// RFC 6750 challenge for e's code.
func unauthenticated(e *zt.Error) *refusal {
	status := http.StatusUnauthorized
	if e.Code == zt.CodeInvalidRequest || errors.Is(e, zt.ErrInvalidRequest) {
		status = http.StatusBadRequest
	}
	return &refusal{status: status, reason: e.Reason, cause: e, challenge: challengeParams(e.Code, "")}
}

// refusalOf turns an obligation's error into a refusal.
func refusalOf(err error) *refusal {
	var su *StepUpError
	if errors.As(err, &su) {
		extra := ""
		if su.ACRValues != "" {
			extra += `, acr_values="` + quoteSafe(su.ACRValues) + `"`
		}
		if su.MaxAge > 0 {
			extra += `, max_age=` + strconv.Itoa(su.MaxAge)
		}
		return &refusal{
			status: http.StatusUnauthorized, reason: ReasonStepUp, cause: err,
			challenge: challengeParams("insufficient_user_authentication", extra),
		}
	}
	if r := zt.ReasonOf(err); r != "" {
		return forbidden(r, err)
	}
	return forbidden(pep.ReasonObligationFailed, err)
}

func challengeParams(code, extra string) string {
	if code == "" {
		return extra
	}
	return `error="` + code + `"` + extra
}

// quoteSafe drops characters that cannot appear in a quoted-string.
func quoteSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r > 0x7e {
			return -1
		}
		return r
	}, s)
}

var problemBodies = map[int]string{}

func init() {
	for _, code := range []int{400, 401, 403, 503} {
		problemBodies[code] = fmt.Sprintf(`{"type":"about:blank","title":%q,"status":%d}`,
			http.StatusText(code), code)
	}
}

// write answers the refusal: a WWW-Authenticate challenge for 400 and 401
// (RFC 6750) and an RFC 9457 problem body that says nothing of the reason.
func (m *Middleware) write(w http.ResponseWriter, ref *refusal) {
	h := w.Header()
	if ref.status == http.StatusUnauthorized || ref.status == http.StatusBadRequest {
		h.Set("WWW-Authenticate", m.challenge(ref))
	}
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(ref.status)
	_, _ = w.Write([]byte(problemBodies[ref.status]))
}

// schemes returns the start of the Bearer and the DPoP challenges; an empty
// one is not offered.
func (m *Middleware) schemes() [2]string {
	realm := ""
	if m.cfg.Realm != "" {
		realm = `realm="` + quoteSafe(m.cfg.Realm) + `"`
	}
	var out [2]string
	if !m.cfg.RequireDPoP {
		out[0] = strings.TrimSpace("Bearer " + realm)
	}
	if m.dpop != nil {
		out[1] = "DPoP " + realm
		if realm != "" {
			out[1] += ", "
		}
		out[1] += `algs="` + m.dpop.algs + `"`
	}
	return out
}

// challenge returns the WWW-Authenticate value: the Bearer challenge, and
// the DPoP one (RFC 9449 section 7.1) when DPoP is on, with the refusal's
// parameters on the scheme they concern.
func (m *Middleware) challenge(ref *refusal) string {
	params := strings.TrimPrefix(ref.challenge, ", ")
	target := 0
	if ref.dpop {
		target = 1
	}
	if m.challenges[target] == "" {
		target = 1 - target
	}
	out := ""
	for i, c := range m.challenges {
		if c == "" {
			continue
		}
		if i == target && params != "" {
			if strings.Contains(c, " ") {
				c += ","
			}
			c += " " + params
		}
		if out != "" {
			out += ", "
		}
		out += c
	}
	return out
}
