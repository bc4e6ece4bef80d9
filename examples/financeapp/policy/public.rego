# Package financeapp.public decides requests at the edge: anonymous routes
# (sign-up, sign-in, refresh, keys, health) for anyone; a signed-in caller
# for logout and step-up; an active account with a permitted role for every
# route it forwards to another service (which decides again).
package financeapp.public

import data.financeapp.lib

decision := {"allow": allow, "reasons": reasons, "obligations": {}}

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
