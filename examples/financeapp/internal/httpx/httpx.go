// Package httpx holds the finance platform's HTTP conventions: strict JSON
// request bodies (one object, no unknown fields, at most MaxBody bytes) and
// RFC 9457 problem details for every error, with a stable type code.
package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/store"
)

// MaxBody is the largest request body accepted, in bytes.
const MaxBody = 64 << 10

// Problem is an RFC 9457 problem details document.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Field  string `json:"field,omitempty"`
}

// Error is a problem as a Go error; handlers return it and ErrorHandler
// writes it.
type Error struct {
	Problem

	// Header holds response headers to add, such as WWW-Authenticate.
	Header http.Header
}

// Error returns the problem's type and detail.
func (e *Error) Error() string {
	return "httpx: " + e.Type + ": " + e.Detail
}

// Fail returns an *Error with the given status, type code and detail.
func Fail(status int, typ, detail string) *Error {
	return &Error{Problem: Problem{Type: typ, Title: http.StatusText(status),
		Status: status, Detail: detail}}
}

// Bind decodes the JSON request body into v strictly: the Content-Type must
// be JSON, the body at most MaxBody bytes, exactly one object with no unknown
// fields and values of the right types.
func Bind(c echo.Context, v any) error {
	r := c.Request()

	mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return Fail(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"the body must be application/json")
	}

	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), r.Body, MaxBody))
	dec.DisallowUnknownFields()

	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}

	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Fail(http.StatusBadRequest, "invalid_json", "the body must hold one JSON object")
	}

	return nil
}

func decodeError(err error) error {
	var (
		tooBig  *http.MaxBytesError
		typeErr *json.UnmarshalTypeError
		syntax  *json.SyntaxError
	)

	switch {
	case errors.As(err, &tooBig):
		return Fail(http.StatusRequestEntityTooLarge, "body_too_large",
			fmt.Sprintf("the body must be at most %d bytes", MaxBody))
	case errors.As(err, &typeErr):
		e := Fail(http.StatusBadRequest, "invalid_field",
			"field has the wrong type, or a number out of range")
		e.Field = typeErr.Field

		return e
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return Fail(http.StatusBadRequest, "invalid_json", "the body is not valid JSON")
	default:
		// Unknown fields and other decoder refusals.
		return Fail(http.StatusBadRequest, "invalid_json", err.Error())
	}
}

// From maps an error of the platform's packages to a problem.
func From(err error) *Error {
	var (
		e  *Error
		fe *domain.FieldError
		he *echo.HTTPError
	)

	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &fe):
		p := Fail(http.StatusBadRequest, "invalid_field", fe.Msg)
		p.Field = fe.Field

		return p
	case errors.Is(err, domain.ErrInvalid):
		return Fail(http.StatusBadRequest, "invalid_field", "a field is invalid")
	case errors.Is(err, store.ErrNotFound):
		return Fail(http.StatusNotFound, "not_found", "no such resource")
	case errors.Is(err, store.ErrConflict):
		return Fail(http.StatusConflict, "conflict", "the change conflicts with the current state")
	case errors.As(err, &he):
		return Fail(he.Code, "http_error", http.StatusText(he.Code))
	default:
		return Fail(http.StatusInternalServerError, "internal", "the request could not be served")
	}
}

// ErrorHandler is an echo.HTTPErrorHandler that writes problems.
func ErrorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}

	p := From(err)
	for k, vs := range p.Header {
		for _, v := range vs {
			c.Response().Header().Add(k, v)
		}
	}

	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	_ = json.NewEncoder(c.Response()).Encode(p.Problem)
}
