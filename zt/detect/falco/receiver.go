package falco

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/ztkit/ztkit/zt/detect"
)

// DefaultMaxBodyBytes is the largest alert body a Receiver reads, after
// decompression, when its config says nothing.
const DefaultMaxBodyBytes = 1 << 20

// AuthorizeFunc decides whether the caller of r may post alerts, for
// example by the SPIFFE ID of its mTLS peer (see mtls.RequestWorkload). It
// returns nil to let the caller in.
type AuthorizeFunc func(r *http.Request) error

// ReceiverConfig configures a Receiver. Handler and at least one of Token
// and Authorize are required: a receiver that anyone could post to would
// let anyone quarantine workloads.
type ReceiverConfig struct {
	// Handler responds to each alert; a *detect.Responder.
	Handler detect.Handler

	// Mapper maps an alert's pod to its workload's SPIFFE ID. Nil maps
	// nothing, so no response can quarantine a workload.
	Mapper Mapper

	// Token is the shared secret that callers send as
	// "Authorization: Bearer <token>" (falcosidekick's webhook customHeaders).
	// The zero Secret requires none.
	Token Secret

	// Authorize is asked about every caller, after the token check; nil
	// asks nothing. Use it to require an mTLS peer (Falco's http_output
	// authenticates with a client certificate, not a header).
	Authorize AuthorizeFunc

	// MaxBodyBytes bounds a request body (after gzip decompression); zero
	// means DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Logger receives refused requests and failed responses, never a token
	// or an alert's output text. Nil logs nothing.
	Logger *slog.Logger
}

// ErrConfig is returned by NewReceiver for an unusable configuration.
var ErrConfig = errors.New("falco: invalid receiver config")

// Receiver is an http.Handler that accepts Falco alerts as Falco's
// http_output and falcosidekick's webhook and CloudEvents outputs post them,
// one alert per POST, and hands each to a detect.Handler. It answers 202
// with the decided outcomes as JSON, and refuses with an RFC 9457 problem
// document: 401 for an unauthenticated caller, 405 for a method other than
// POST, 413 for a body over the limit, 415 for a body that is not JSON (or
// is encoded other than with gzip) and 400 for a malformed alert.
type Receiver struct {
	cfg ReceiverConfig
}

// NewReceiver returns a Receiver for cfg.
func NewReceiver(cfg ReceiverConfig) (*Receiver, error) {
	switch {
	case cfg.Handler == nil:
		return nil, fmt.Errorf("%w: no handler", ErrConfig)
	case cfg.Token.IsZero() && cfg.Authorize == nil:
		return nil, fmt.Errorf("%w: neither a token nor an authorizer: "+
			"anyone could post alerts", ErrConfig)
	case cfg.MaxBodyBytes < 0:
		return nil, fmt.Errorf("%w: negative MaxBodyBytes", ErrConfig)
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}

	return &Receiver{cfg: cfg}, nil
}

// Answer is the JSON body of a 202 answer.
type Answer struct {
	// ID is the alert's ID.
	ID string `json:"id"`
	// Rule is the Falco rule.
	Rule string `json:"rule"`
	// Severity is the alert's severity.
	Severity detect.Severity `json:"severity"`
	// Workload is the SPIFFE ID the alert was mapped to, if any.
	Workload string `json:"workload,omitempty"`
	// Outcomes are the responses decided.
	Outcomes []detect.Outcome `json:"outcomes"`
}

// ServeHTTP receives one alert.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		rc.refuse(w, r, http.StatusMethodNotAllowed, "only POST is accepted")
		return
	}

	if !rc.authenticated(w, r) {
		return
	}

	alert, status, err := rc.read(w, r)
	if err != nil {
		rc.refuse(w, r, status, err.Error())
		return
	}

	answer, err := rc.respond(r.Context(), alert)
	if err != nil {
		rc.log(r.Context(), "response failed", slog.String("alert", answer.ID),
			slog.String("error", err.Error()))
	}

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(answer)
}

func (rc *Receiver) respond(ctx context.Context, a *Alert) (Answer, error) {
	d, err := rc.cfg.Handler.Handle(ctx, a.Detection(rc.cfg.Mapper))

	return Answer{
		ID:       d.ID,
		Rule:     d.Rule,
		Severity: d.Severity,
		Workload: d.Subject.Workload,
		Outcomes: d.Outcomes,
	}, err
}

// authenticated checks the bearer token and the authorizer, and answers
// 401 when either refuses.
func (rc *Receiver) authenticated(w http.ResponseWriter, r *http.Request) bool {
	if !rc.cfg.Token.IsZero() {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || !rc.cfg.Token.Equal(token) {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			rc.refuse(w, r, http.StatusUnauthorized, "a valid bearer token is required")
			return false
		}
	}

	if rc.cfg.Authorize != nil {
		if err := rc.cfg.Authorize(r); err != nil {
			rc.log(r.Context(), "caller refused", slog.String("error", err.Error()))
			rc.refuse(w, r, http.StatusUnauthorized, "caller not authorized")
			return false
		}
	}

	return true
}

// read reads and decodes the body, or returns the status to refuse it with.
func (rc *Receiver) read(w http.ResponseWriter, r *http.Request) (*Alert, int, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" && mt != "application/cloudevents+json" {
		return nil, http.StatusUnsupportedMediaType,
			errors.New("the body must be application/json (enable json_output in Falco)")
	}

	body := io.Reader(http.MaxBytesReader(w, r.Body, rc.cfg.MaxBodyBytes))
	switch enc := strings.ToLower(r.Header.Get("Content-Encoding")); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("falco: gzip: %w", err)
		}
		defer zr.Close()
		body = io.LimitReader(zr, rc.cfg.MaxBodyBytes+1)
	default:
		return nil, http.StatusUnsupportedMediaType,
			fmt.Errorf("unsupported Content-Encoding %q", truncate(enc, 32))
	}

	data, err := io.ReadAll(body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig), int64(len(data)) > rc.cfg.MaxBodyBytes:
		return nil, http.StatusRequestEntityTooLarge,
			fmt.Errorf("the body exceeds %d bytes", rc.cfg.MaxBodyBytes)
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("falco: reading body: %w", err)
	}

	a, err := Decode(data)
	if err != nil {
		return nil, http.StatusBadRequest, err
	}

	return a, 0, nil
}

// Problem is an RFC 9457 problem document, as a Receiver refuses with.
type Problem struct {
	// Type is "about:blank": the status says what went wrong.
	Type string `json:"type"`
	// Title is the status text.
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail explains what was wrong with the request.
	Detail string `json:"detail,omitempty"`
}

func (rc *Receiver) refuse(w http.ResponseWriter, r *http.Request, status int, detail string) {
	rc.log(r.Context(), "refused", slog.Int("status", status), slog.String("detail", detail))

	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Problem{
		Type:   "about:blank",
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
	})
}

func (rc *Receiver) log(ctx context.Context, msg string, attrs ...slog.Attr) {
	if rc.cfg.Logger != nil {
		rc.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "falco: receiver: "+msg, attrs...)
	}
}
