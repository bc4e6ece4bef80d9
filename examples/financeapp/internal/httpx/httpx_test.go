package httpx

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

type sample struct {
	Amount int64  `json:"amount_minor"`
	Name   string `json:"name"`
}

func TestBind(t *testing.T) {
	for name, tc := range map[string]struct {
		ctype, body string
		status      int
	}{
		"ok":            {"application/json", `{"amount_minor": 5, "name": "x"}`, 0},
		"charset ok":    {"application/json; charset=utf-8", `{"name": "x"}`, 0},
		"unknown field": {"application/json", `{"name": "x", "admin": true}`, 400},
		"wrong type":    {"application/json", `{"amount_minor": "5"}`, 400},
		"overflow":      {"application/json", `{"amount_minor": 92233720368547758070}`, 400},
		"float":         {"application/json", `{"amount_minor": 1.5}`, 400},
		"two objects":   {"application/json", `{"name": "a"} {"name": "b"}`, 400},
		"truncated":     {"application/json", `{"name": `, 400},
		"empty":         {"application/json", ``, 400},
		"array":         {"application/json", `[1]`, 400},
		"not json":      {"text/plain", `{"name": "x"}`, 415},
		"no type":       {"", `{"name": "x"}`, 415},
		"too large":     {"application/json", `{"name": "` + strings.Repeat("a", MaxBody) + `"}`, 413},
	} {
		t.Run(name, func(t *testing.T) {
			e := echo.New()
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}

			c := e.NewContext(req, httptest.NewRecorder())

			var v sample
			err := Bind(c, &v)

			var pe *Error
			switch {
			case tc.status == 0 && err != nil:
				t.Fatalf("Bind = %v, want nil", err)
			case tc.status != 0 && (!errors.As(err, &pe) || pe.Status != tc.status):
				t.Fatalf("Bind = %v, want status %d", err, tc.status)
			}
		})
	}
}

func TestErrorHandlerWritesProblem(t *testing.T) {
	e := echo.New()
	rec := httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)

	ErrorHandler(errors.New("secret database detail"), c)

	if rec.Code != 500 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}

	if strings.Contains(rec.Body.String(), "secret") {
		t.Fatal("an internal error's detail reached the caller")
	}
}
