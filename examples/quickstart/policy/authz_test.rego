package ztkit.authz_test

import data.ztkit.authz

test_owner_reads_own_profile if {
	authz.allow with input as {
		"action": "profiles.read",
		"subject": {"id": "alice"},
		"resource": {"id": "alice"},
	}
}

test_other_profile_denied if {
	not authz.allow with input as {
		"action": "profiles.read",
		"subject": {"id": "alice"},
		"resource": {"id": "bob"},
	}
}
