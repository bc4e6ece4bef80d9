# Package financeapp.backend decides requests to the backend, the only
# service that touches the database. Each route may be called only by the
# service that owns it in the route table, for a caller whose live role the
# table permits, on a resource the caller owns where the route says so.
# Sign-in routes have no user yet: they are for the public service alone.
package financeapp.backend

import data.financeapp.lib

decision := {"allow": allow, "reasons": reasons, "obligations": lib.obligations}

default allow := false

allow if {
	count(denials) == 0
	count(permits) > 0
}

reasons := denials if count(denials) > 0
else := permits if count(permits) > 0
else := {"rbac.no_permission"}

denials contains "action.unknown" if not lib.route

denials contains "risk.high" if input.risk.score >= lib.risk_deny

denials contains "workload.not_owner_service" if {
	lib.route.service != "backend"
	not lib.called_by(lib.route.service)
}

# The backend's own routes (the PIP feed) serve the platform's services.
denials contains "workload.not_platform" if {
	lib.route.service == "backend"
	not platform_caller
}

platform_caller if {
	some s in ["public", "user", "auditor", "admin"]
	lib.called_by(s)
}

denials contains "resource.not_owner" if {
	lib.route.owner == true
	not lib.owns
}

denials contains "admin.self" if {
	startswith(input.action, "admin.users.")
	input.action != "admin.users.list"
	input.resource.id == input.subject.id
}

permits contains "route.anonymous" if lib.route.anonymous == true

permits contains "session.signed_in" if {
	lib.route.service == "public"
	lib.route.anonymous != true
	lib.signed_in
}

permits contains "rbac.role" if {
	lib.route.service != "public"
	lib.role_allowed
}
