# Package financeapp.lib holds what every service's policy shares: who the
# caller is (live role, calling workload), what the route table says about
# the action, and step-up.
#
# data.financeapp.actions comes from the Go route table:
#   {"<action>": {"service": "user", "roles": ["user"], "owner": true,
#                 "step_up": false, "anonymous": false}}
# Facts pushed to the PIP by the backend (data.ztkit.pip.facts):
#   services: {"public": "spiffe://<td>/financeapp/public", ...}
#   totp:     {"<user id>": true} for users with TOTP enabled
#   grants:   {"<auditor id>": [{"id", "owner", "scope", "date_from",
#             "date_to", "categories", "expires_ns"}]}, active grants only
# Role bindings (data.ztkit.pip.role_bindings) hold exactly one role for an
# active user and none for anyone else; tokens carry no roles.
package financeapp.lib

facts := data.ztkit.pip.facts

# route is the route table's entry for the action; undefined if unknown.
route := data.financeapp.actions[input.action]

# role is the caller's live role; undefined unless exactly one is bound.
role := r if {
	input.subject.roles_bound == true
	count(input.subject.roles) == 1
	some r in input.subject.roles
}

signed_in if input.subject.id != ""

# called_by(name) holds when the mTLS peer is the named service.
called_by(name) if {
	input.workload.id != ""
	input.workload.id == facts.services[name]
}

role_allowed if role in route.roles

# owns holds when the resource is the caller's, or when there is no such
# resource (the handler then answers 404).
owns if {
	signed_in
	input.resource.owner == input.subject.id
}

owns if input.resource.attributes.exists == false

# Step-up: sensitive actions need a sign-in at most max_age seconds old, with
# a TOTP code when the user has TOTP enabled.
max_age := data.financeapp.step_up_max_age

step_up_method := "otp" if facts.totp[input.subject.id] == true

else := "pwd"

# input.context.auth_fresh is computed by the service before each decision
# (the sign-in is at most max_age seconds old), so that no rule reads the
# request time and decisions can be cached.
fresh if {
	input.context.auth_fresh == true
	step_up_method in input.subject.auth_methods
}

# Risk (input.risk.score, raised by the detectors' responses): from
# risk_step_up on, every signed-in action but sign-in's own needs a fresh
# step-up; from risk_deny on, the services deny outright.
risk_step_up := 50

risk_deny := 80

needs_step_up if route.step_up == true

needs_step_up if {
	input.risk.score >= risk_step_up
	signed_in
	not startswith(input.action, "auth.")
}

# obligations asks for a step-up when the route or the caller's risk needs
# one and the sign-in is not fresh enough.
obligations := {"step_up": {"method": step_up_method, "max_age": max_age}} if {
	needs_step_up
	not fresh
}

else := {}
