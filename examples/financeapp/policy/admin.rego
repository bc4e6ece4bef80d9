# Package financeapp.admin decides requests to the admin service: only the
# public service may call it, for a caller whose live role the route table
# permits; sensitive routes carry a step-up obligation.
package financeapp.admin

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

denials contains "action.other_service" if lib.route.service != "admin"

denials contains "workload.not_public" if not lib.called_by("public")

denials contains "risk.high" if input.risk.score >= lib.risk_deny

permits contains "rbac.role" if lib.role_allowed

# An admin cannot change, reject, delete or revoke themself: another admin
# must, so that one stolen session cannot entrench itself.
denials contains "admin.self" if {
	startswith(input.action, "admin.users.")
	input.action != "admin.users.list"
	input.resource.id == input.subject.id
}
