# Package ztkit.authz is the quick start's policy: a signed-in user may read
# their own profile and nobody else's.
package ztkit.authz

decision := {"allow": allow, "reasons": reasons, "obligations": {}}

default allow := false

allow if {
	input.action == "profiles.read"
	input.resource.id == input.subject.id
}

reasons := ["profile.owner"] if allow else := ["profile.not_owner"]
