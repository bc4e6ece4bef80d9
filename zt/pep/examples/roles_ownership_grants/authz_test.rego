package ztkit.authz_test

import data.ztkit.authz

alice := {"id": "alice", "roles": ["user"], "auth_methods": ["pwd"]}

bob_auditor := {"id": "bob", "roles": ["auditor"], "auth_methods": ["pwd"]}

tx(owner) := {"type": "transaction", "id": "t1", "owner": owner}

low_risk := {"score": 10, "signals": []}

test_owner_reads_own_transaction if {
	d := authz.decision with input as {
		"action": "transactions.read", "subject": alice,
		"resource": tx("alice"), "risk": low_risk,
	}
	d.allow
	d.reasons == {"resource.owner"}
	d.obligations == {}
}

test_user_cannot_read_someone_elses if {
	d := authz.decision with input as {
		"action": "transactions.read", "subject": alice,
		"resource": tx("carol"), "risk": low_risk,
	}
	not d.allow
	d.reasons == {"rbac.no_permission"}
}

test_grant_allows_with_redaction if {
	grants := {"bob": [{"action": "transactions.read", "resource_type": "transaction", "owner": "alice"}]}
	d := authz.decision with input as {
		"action": "transactions.read", "subject": bob_auditor,
		"resource": tx("alice"), "risk": low_risk,
	}
		with data.ztkit.pip.grants as grants
	d.allow
	d.reasons == {"grant"}
	d.obligations.redact == ["account_number", "note"]
}

test_grant_for_other_owner_does_not_apply if {
	grants := {"bob": [{"action": "transactions.read", "resource_type": "transaction", "owner": "alice"}]}
	d := authz.decision with input as {
		"action": "transactions.read", "subject": bob_auditor,
		"resource": tx("carol"), "risk": low_risk,
	}
		with data.ztkit.pip.grants as grants
	not d.allow
}

test_high_risk_denies_even_the_owner if {
	d := authz.decision with input as {
		"action": "transactions.read", "subject": alice,
		"resource": tx("alice"), "risk": {"score": 95, "signals": ["impossible_travel"]},
	}
	not d.allow
	d.reasons == {"risk.high"}
}

test_rooted_device_denies if {
	d := authz.decision with input as {
		"action": "transactions.read", "subject": alice,
		"resource": tx("alice"), "risk": low_risk,
		"device": {"id": "d1", "posture": {"rooted": true}},
	}
	not d.allow
	d.reasons == {"device.rooted"}
}

test_delete_without_otp_asks_for_step_up if {
	d := authz.decision with input as {
		"action": "transactions.delete", "subject": alice,
		"resource": tx("alice"), "risk": low_risk,
	}
	d.allow
	d.obligations.step_up == {"method": "otp"}
}

test_delete_with_otp_has_no_step_up if {
	subject := object.union(alice, {"auth_methods": ["pwd", "otp"]})
	d := authz.decision with input as {
		"action": "transactions.delete", "subject": subject,
		"resource": tx("alice"), "risk": low_risk,
	}
	d.allow
	not d.obligations.step_up
}

test_list_carries_filter_obligation if {
	d := authz.decision with input as {
		"action": "transactions.list", "subject": alice,
		"resource": {"type": "transaction"}, "risk": low_risk,
	}
	d.allow
	d.reasons == {"rbac.role"}
	d.obligations.filter == "transaction"
}

test_workload_permission if {
	d := authz.decision with input as {
		"action": "transactions.list",
		"workload": {"id": "spiffe://ztkit.test/financeapp/user"},
		"resource": {"type": "transaction"}, "risk": low_risk,
	}
	d.allow
	d.reasons == {"workload"}
}

test_anonymous_is_denied if {
	d := authz.decision with input as {
		"action": "transactions.list",
		"resource": {"type": "transaction"}, "risk": low_risk,
	}
	not d.allow
}
