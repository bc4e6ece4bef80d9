package middleware

import (
	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/zt"
)

// Echo returns echo/v4 middleware that authenticates, decides and audits
// every request before the handler runs. Register it with e.Use; routes are
// matched as "METHOD path" with echo's path syntax ("GET /v1/items/:id").
//
// An allowed request reaches the handler with the Principal and the Decision
// in its request's context (zt.PrincipalFrom, zt.DecisionFrom), and as echo
// values "zt.principal" and "zt.decision".
func (m *Middleware) Echo() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			pattern, ok := m.patterns[routeKey{r.Method, c.Path()}]
			if !ok {
				pattern = r.Method + " " + c.Path()
			}
			v := m.authorize(r.Context(), call{r: r, pattern: pattern, param: c.Param})
			switch {
			case v.refusal != nil:
				m.write(c.Response(), v.refusal)
				return nil
			case v.public:
				return next(c)
			}
			ctx := zt.WithDecision(zt.WithPrincipal(r.Context(), v.principal), v.decision)
			c.SetRequest(r.WithContext(ctx))
			c.Set("zt.principal", v.principal)
			c.Set("zt.decision", v.decision)
			return next(c)
		}
	}
}
