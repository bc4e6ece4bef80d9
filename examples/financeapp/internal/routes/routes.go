// Package routes is the finance platform's route table: every HTTP route,
// the action it maps to, the service that owns it and who may call it. The
// services register their handlers from it, the policies receive it as data
// (data.financeapp.actions), the OpenAPI test checks it against the
// document, and the authorization matrix test is generated from it.
package routes

import (
	"net/http"
	"slices"
	"time"
)

// Service names a service of the platform.
type Service string

// The services. Each runs as its own workload with its own SPIFFE ID.
const (
	Public  Service = "public"
	User    Service = "user"
	Auditor Service = "auditor"
	Admin   Service = "admin"
	Backend Service = "backend"
	ZeroSMS Service = "zerosms"
)

// Services lists the platform's own services, in start order.
var Services = []Service{Backend, User, Auditor, Admin, Public}

// Route is one HTTP route.
type Route struct {
	// Method and Path are the HTTP method and the route template, with
	// parameters as {name} (OpenAPI style).
	Method, Path string

	// Action is the policy action.
	Action string

	// Service owns the route: public serves it itself or forwards it there;
	// the backend accepts it only from that service.
	Service Service

	// Roles may call the route (live role bindings).
	Roles []string

	// Anonymous routes need no sign-in.
	Anonymous bool

	// Owner routes act on one resource ({id}) that must be the caller's.
	Owner bool

	// Resource is the type of the {id} resource; owner routes must set it,
	// others name it for the policy and the audit trail ("user" when empty).
	Resource string

	// StepUp routes need a fresh sign-in (and TOTP when enabled).
	StepUp bool

	// Internal routes are served by the backend only, never by public.
	Internal bool
}

var (
	all    = []string{"admin", "user", "auditor"}
	users  = []string{"user"}
	audit  = []string{"auditor"}
	admins = []string{"admin"}
	nobody = []string{}
	get    = http.MethodGet
	post   = http.MethodPost
	put    = http.MethodPut
	patch  = http.MethodPatch
	del    = http.MethodDelete
)

// Table is every route of the platform.
var Table = []Route{
	{Method: get, Path: "/healthz", Action: "health", Service: Public, Roles: nobody, Anonymous: true},
	{Method: get, Path: "/.well-known/jwks.json", Action: "jwks", Service: Public, Roles: nobody, Anonymous: true},
	{Method: post, Path: "/v1/auth/register", Action: "auth.register", Service: Public, Roles: nobody, Anonymous: true},
	{Method: post, Path: "/v1/auth/login", Action: "auth.login", Service: Public, Roles: nobody, Anonymous: true},
	{Method: post, Path: "/v1/auth/refresh", Action: "auth.refresh", Service: Public, Roles: nobody, Anonymous: true},
	{Method: post, Path: "/v1/auth/step-up", Action: "auth.step_up", Service: Public, Roles: nobody},
	{Method: post, Path: "/v1/auth/logout", Action: "auth.logout", Service: Public, Roles: nobody},

	{Method: get, Path: "/v1/me", Action: "profile.read", Service: User, Roles: all},
	{Method: patch, Path: "/v1/me", Action: "profile.update", Service: User, Roles: all},
	{Method: post, Path: "/v1/me/totp", Action: "profile.totp_setup", Service: User, Roles: all, StepUp: true},
	{Method: post, Path: "/v1/me/totp/confirm", Action: "profile.totp_confirm", Service: User, Roles: all},
	{Method: get, Path: "/v1/me/sessions", Action: "profile.sessions", Service: User, Roles: all},
	{Method: put, Path: "/v1/me/password", Action: "profile.password", Service: User, Roles: all, StepUp: true},
	{Method: del, Path: "/v1/me/totp", Action: "profile.totp_disable", Service: User, Roles: all, StepUp: true},

	{Method: get, Path: "/v1/transactions", Action: "transactions.list", Service: User, Roles: users},
	{Method: post, Path: "/v1/transactions", Action: "transactions.create", Service: User, Roles: users},
	{Method: get, Path: "/v1/transactions/summary", Action: "transactions.summary", Service: User, Roles: users},
	{Method: get, Path: "/v1/transactions/export", Action: "transactions.export", Service: User, Roles: users},
	{Method: get, Path: "/v1/transactions/{id}", Action: "transactions.read", Service: User, Roles: users, Owner: true, Resource: "transaction"},
	{Method: put, Path: "/v1/transactions/{id}", Action: "transactions.update", Service: User, Roles: users, Owner: true, Resource: "transaction"},
	{Method: del, Path: "/v1/transactions/{id}", Action: "transactions.delete", Service: User, Roles: users, Owner: true, Resource: "transaction"},

	{Method: get, Path: "/v1/auditors", Action: "auditors.list", Service: User, Roles: users},
	{Method: get, Path: "/v1/grants", Action: "grants.list", Service: User, Roles: users},
	{Method: post, Path: "/v1/grants", Action: "grants.create", Service: User, Roles: users, StepUp: true},
	{Method: del, Path: "/v1/grants/{id}", Action: "grants.revoke", Service: User, Roles: users, Owner: true, Resource: "grant"},

	{Method: get, Path: "/v1/drafts", Action: "drafts.list", Service: User, Roles: users},
	{Method: post, Path: "/v1/drafts/{id}/confirm", Action: "drafts.confirm", Service: User, Roles: users, Owner: true, Resource: "draft"},
	{Method: post, Path: "/v1/drafts/{id}/discard", Action: "drafts.discard", Service: User, Roles: users, Owner: true, Resource: "draft"},

	{Method: get, Path: "/v1/auditor/grants", Action: "auditor.grants", Service: Auditor, Roles: audit},
	{Method: get, Path: "/v1/auditor/transactions", Action: "auditor.transactions", Service: Auditor, Roles: audit},

	{Method: get, Path: "/v1/admin/users", Action: "admin.users.list", Service: Admin, Roles: admins},
	{Method: put, Path: "/v1/admin/users/{id}/role", Action: "admin.users.set_role", Service: Admin, Roles: admins, StepUp: true},
	{Method: post, Path: "/v1/admin/users/{id}/reject", Action: "admin.users.reject", Service: Admin, Roles: admins},
	{Method: del, Path: "/v1/admin/users/{id}", Action: "admin.users.delete", Service: Admin, Roles: admins, StepUp: true},
	{Method: post, Path: "/v1/admin/users/{id}/sessions/revoke", Action: "admin.users.revoke_sessions", Service: Admin, Roles: admins},
	{Method: get, Path: "/v1/admin/session-log", Action: "admin.session_log", Service: Admin, Roles: admins},
	{Method: get, Path: "/v1/admin/audit", Action: "admin.audit", Service: Admin, Roles: admins},
	{Method: get, Path: "/v1/admin/alerts", Action: "admin.alerts", Service: Admin, Roles: admins},
	{Method: post, Path: "/v1/admin/alerts/{id}/lift", Action: "admin.alerts.lift", Service: Admin, Roles: admins, Resource: "alert", StepUp: true},

	{Method: post, Path: "/internal/v1/drafts", Action: "drafts.ingest", Service: ZeroSMS, Roles: users, Internal: true},

	// The policy information feed that services in other processes poll.
	{Method: get, Path: "/internal/v1/pip", Action: "pip.read", Service: Backend, Roles: nobody, Anonymous: true, Internal: true},

	// The backend's side of sign-in, for the public service alone.
	{Method: post, Path: "/internal/v1/auth/register", Action: "auth.backend.register", Service: Public, Roles: nobody, Anonymous: true, Internal: true},
	{Method: post, Path: "/internal/v1/auth/login", Action: "auth.backend.login", Service: Public, Roles: nobody, Anonymous: true, Internal: true},
	{Method: post, Path: "/internal/v1/auth/refresh", Action: "auth.backend.refresh", Service: Public, Roles: nobody, Anonymous: true, Internal: true},
	{Method: post, Path: "/internal/v1/auth/step-up", Action: "auth.backend.step_up", Service: Public, Roles: nobody, Internal: true},
	{Method: post, Path: "/internal/v1/auth/logout", Action: "auth.backend.logout", Service: Public, Roles: nobody, Internal: true},
}

// Find returns the route with the given method and template.
func Find(method, path string) (Route, bool) {
	i := slices.IndexFunc(Table, func(r Route) bool {
		return r.Method == method && r.Path == path
	})
	if i < 0 {
		return Route{}, false
	}

	return Table[i], true
}

// Served returns the routes a service serves: public serves every route
// that is not internal; the backend serves every route but public's own
// sign-in front; the others serve the routes they own.
func Served(s Service) []Route {
	var out []Route
	for _, r := range Table {
		switch {
		case s == Public && !r.Internal,
			s == Backend && (r.Internal || r.Service != Public),
			s != Public && s != Backend && r.Service == s && !r.Internal:
			out = append(out, r)
		}
	}

	return out
}

// Of returns the routes that service owns.
func Of(s Service) []Route {
	var out []Route
	for _, r := range Table {
		if r.Service == s {
			out = append(out, r)
		}
	}

	return out
}

// EchoPath returns the route template in echo's syntax (":id").
func (r Route) EchoPath() string {
	b := []byte(r.Path)
	out := make([]byte, 0, len(b))

	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '{':
			out = append(out, ':')
		case '}':
		default:
			out = append(out, b[i])
		}
	}

	return string(out)
}

// PolicyData returns the route table as the policies see it, under
// data.financeapp.actions.
func PolicyData() map[string]any {
	actions := make(map[string]any, len(Table))
	for _, r := range Table {
		roles := make([]any, len(r.Roles))
		for i, role := range r.Roles {
			roles[i] = role
		}

		actions[r.Action] = map[string]any{
			"service": string(r.Service), "roles": roles, "owner": r.Owner,
			"step_up": r.StepUp, "anonymous": r.Anonymous,
		}
	}

	return map[string]any{"financeapp": map[string]any{"actions": actions,
		"step_up_max_age": int(StepUpMaxAge.Seconds())}}
}

// StepUpMaxAge is how old a sign-in may be for a route that needs a
// step-up. The policies read it as data.financeapp.step_up_max_age; the
// services compute input.context.auth_fresh from it before each decision,
// so that no policy reads the request time and decisions can be cached.
const StepUpMaxAge = 5 * time.Minute
