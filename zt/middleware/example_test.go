package middleware_test

import (
	"context"
	"log"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/middleware"
	"github.com/ztkit/ztkit/zt/pep"
	"github.com/ztkit/ztkit/zt/token"
)

func ExampleMiddleware_Handler() {
	ctx := context.Background()
	verifier, err := token.NewVerifier(ctx, token.VerifierConfig{
		Issuer:   "https://issuer.example",
		Audience: []string{"https://api.example"},
		JWKSURL:  "https://issuer.example/.well-known/jwks.json",
	})
	if err != nil {
		log.Fatal(err)
	}
	engine, err := pep.New(ctx, pep.Config{Policies: os.DirFS("policy")})
	if err != nil {
		log.Fatal(err)
	}
	protect, err := middleware.New(middleware.Config{
		Verifier: verifier,
		Engine:   engine,
		Routes: map[string]middleware.Route{
			"GET /v1/transactions/{id}": {Action: "transactions.read", Resource: "transaction", IDParam: "id"},
		},
		Public: []string{"GET /healthz"},
	})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/transactions/{id}", func(w http.ResponseWriter, r *http.Request) {
		p, _ := zt.PrincipalFrom(r.Context())
		log.Printf("%s reads %s", p.Subject(), r.PathValue("id"))
	})
	mux.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {})
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", protect.Handler(mux)))
}

func ExampleMiddleware_Echo() {
	var protect *middleware.Middleware // built by middleware.New, as for net/http

	e := echo.New()
	e.Use(protect.Echo())
	e.GET("/v1/transactions/:id", func(c echo.Context) error {
		d, _ := zt.DecisionFrom(c.Request().Context())
		return c.JSON(http.StatusOK, d.Obligations)
	})
	log.Fatal(e.Start("127.0.0.1:8080"))
}
