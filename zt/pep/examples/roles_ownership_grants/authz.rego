# Package ztkit.authz decides every request of the reference finance
# platform: roles give permissions, owners reach their own resources, and
# grants (for example a user sharing transactions with an auditor) reach
# another user's resources. The input contract is docs/policy-input.md.
package ztkit.authz

# decision is the entrypoint ztkit evaluates. Denials override every permit;
# without a permit, the request is denied.
decision := {"allow": true, "reasons": permits, "obligations": obligations} if {
	count(denials) == 0
	count(permits) > 0
} else := {"allow": false, "reasons": denials} if {
	count(denials) > 0
} else := {"allow": false, "reasons": {"rbac.no_permission"}}

# Denials override every permit.

denials contains "risk.high" if input.risk.score >= data.ztkit.max_risk

denials contains "device.rooted" if input.device.posture.rooted == true

# Permits name why a request is allowed.

permits contains "rbac.role" if {
	some role in input.subject.roles
	input.action in data.ztkit.roles[role]
}

permits contains "resource.owner" if {
	input.action in data.ztkit.owner_actions
	input.subject.id != ""
	input.resource.owner == input.subject.id
}

permits contains "grant" if {
	some g in data.ztkit.pip.grants[input.subject.id]
	g.action == input.action
	g.resource_type == input.resource.type
	grant_covers(g)
}

permits contains "workload" if {
	input.action in data.ztkit.workloads[input.workload.id]
}

grant_covers(g) if g.resource_id == input.resource.id

grant_covers(g) if {
	not g.resource_id
	g.owner == input.resource.owner
}

# Obligations travel with an allow and must be fulfilled by the enforcement
# point.

obligations.step_up := {"method": "otp"} if {
	input.action in data.ztkit.step_up_actions
	not "otp" in input.subject.auth_methods
}

obligations.redact := data.ztkit.redact_for_grantees if {
	permits == {"grant"}
}

obligations.filter := input.resource.type if {
	endswith(input.action, ".list")
}
