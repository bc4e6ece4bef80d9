package caep

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/token"
)

// Error codes of RFC 8935 section 2.4.
const (
	CodeInvalidRequest       = "invalid_request"
	CodeInvalidKey           = "invalid_key"
	CodeInvalidIssuer        = "invalid_issuer"
	CodeInvalidAudience      = "invalid_audience"
	CodeAuthenticationFailed = "authentication_failed"
	CodeAccessDenied         = "access_denied"
)

// Error is a refused SET: Code and Description go to the transmitter, Err
// (the cause) only to the operator's log. An empty Code means the failure was
// the Receiver's (keys or revocation store unavailable).
type Error struct {
	// Code is one of the Code* constants, or "".
	Code string

	// Description explains the refusal to the transmitter.
	Description string

	// Err is the cause.
	Err error
}

// Error returns the code, description and cause.
func (e *Error) Error() string {
	msg := "caep: " + e.Code + ": " + e.Description
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}

	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error {
	return e.Err
}

func badRequest(description string) *Error {
	return &Error{Code: CodeInvalidRequest, Description: description}
}

// verifyError maps a token verification failure to an RFC 8935 error.
func verifyError(err error) error {
	code, desc := CodeInvalidRequest, "SET rejected"

	switch zt.ReasonOf(err) {
	case token.ReasonSignature, token.ReasonUnknownKey, token.ReasonAlgorithm, token.ReasonKeyHeader:
		code, desc = CodeInvalidKey, "SET signature not verifiable with the transmitter's keys"
	case token.ReasonIssuer:
		code, desc = CodeInvalidIssuer, "issuer not accepted"
	case token.ReasonAudience:
		code, desc = CodeInvalidAudience, "audience not accepted"
	case token.ReasonTooOld, token.ReasonExpired, token.ReasonNotYetValid, token.ReasonIssuedInFuture:
		desc = "SET expired or not yet valid"
	case token.ReasonType:
		desc = "typ must be secevent+jwt"
	case token.ReasonKeysUnavailable:
		code, desc = "", "transmitter keys unavailable"
	}

	return &Error{Code: code, Description: desc, Err: err}
}

// refuse writes the RFC 8935 error response for err.
func (rx *Receiver) refuse(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Description: "internal error", Err: err}
	}

	rx.log("caep: SET refused", err)

	status := http.StatusBadRequest
	switch e.Code {
	case "":
		w.Header().Set("Retry-After", "5")
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)

		return
	case CodeAuthenticationFailed:
		status = http.StatusUnauthorized
	case CodeAccessDenied:
		status = http.StatusForbidden
	}

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)

	body, _ := json.Marshal(map[string]string{"err": e.Code, "description": e.Description})
	if _, werr := w.Write(body); werr != nil && rx.cfg.Logger != nil {
		rx.cfg.Logger.Debug("caep: error response not written", slog.String("error", werr.Error()))
	}
}
