package financeapp.policy_test

import data.financeapp.admin
import data.financeapp.auditor
import data.financeapp.backend
import data.financeapp.public
import data.financeapp.user

services := {
	"public": "spiffe://fin.test/financeapp/public",
	"user": "spiffe://fin.test/financeapp/user",
	"auditor": "spiffe://fin.test/financeapp/auditor",
	"admin": "spiffe://fin.test/financeapp/admin",
	"backend": "spiffe://fin.test/financeapp/backend",
	"zerosms": "spiffe://fin.test/zerosms/backend",
}

facts := {"services": services, "totp": {"carol": true}}

now_ns := 1767225600000000000

subject(id, role) := {
	"id": id, "roles": [role], "roles_bound": true,
	"auth_methods": ["pwd"], "auth_time": (now_ns / 1000000000) - 10,
}

from(svc) := {"id": services[svc]}

# fresh_at says what the services put in input.context.auth_fresh.
fresh_at(subj) := ((now_ns / 1000000000) - subj.auth_time) <= 300

req(action, subj, svc) := {
	"action": action, "subject": subj, "workload": from(svc),
	"request": {"time_ns": now_ns}, "risk": {"score": 0},
	"resource": {"id": "", "owner": "", "attributes": {}},
	"context": {"auth_fresh": fresh_at(subj)},
}

test_user_lists_own_transactions if {
	d := user.decision with input as req("transactions.list", subject("alice", "user"), "public")
		with data.ztkit.pip.facts as facts
	d.allow
}

test_user_service_only_from_public if {
	d := user.decision with input as req("transactions.list", subject("alice", "user"), "auditor")
		with data.ztkit.pip.facts as facts
	not d.allow
	"workload.not_public" in d.reasons
}

test_auditor_cannot_use_user_routes if {
	d := user.decision with input as req("transactions.list", subject("bob", "auditor"), "public")
		with data.ztkit.pip.facts as facts
	not d.allow
}

test_auditor_cannot_grant_itself if {
	d := user.decision with input as req("grants.create", subject("bob", "auditor"), "public")
		with data.ztkit.pip.facts as facts
	not d.allow

	b := backend.decision with input as req("grants.create", subject("bob", "auditor"), "auditor")
		with data.ztkit.pip.facts as facts
	not b.allow
}

test_unbound_roles_deny if {
	s := object.union(subject("alice", "user"), {"roles_bound": false})
	d := user.decision with input as req("transactions.list", s, "public")
		with data.ztkit.pip.facts as facts
	not d.allow
}

test_pending_user_has_no_role if {
	s := object.union(subject("pat", "user"), {"roles": []})
	d := user.decision with input as req("profile.read", s, "public")
		with data.ztkit.pip.facts as facts
	not d.allow
}

test_grant_needs_fresh_sign_in if {
	s := object.union(subject("alice", "user"), {"auth_time": (now_ns / 1000000000) - 3600})
	d := user.decision with input as req("grants.create", s, "public")
		with data.ztkit.pip.facts as facts
	d.allow
	d.obligations.step_up.method == "pwd"

	f := user.decision with input as req("grants.create", subject("alice", "user"), "public")
		with data.ztkit.pip.facts as facts
	f.obligations == {}
}

test_step_up_needs_otp_when_enabled if {
	d := user.decision with input as req("grants.create", subject("carol", "user"), "public")
		with data.ztkit.pip.facts as facts
	d.obligations.step_up.method == "otp"

	s := object.union(subject("carol", "user"), {"auth_methods": ["pwd", "otp"]})
	e := user.decision with input as req("grants.create", s, "public")
		with data.ztkit.pip.facts as facts
	e.obligations == {}
}

test_backend_checks_owner if {
	r := object.union(req("transactions.read", subject("bob", "user"), "user"),
		{"resource": {"type": "transaction", "id": "t1", "owner": "alice", "attributes": {}}})
	d := backend.decision with input as r with data.ztkit.pip.facts as facts
	not d.allow
	"resource.not_owner" in d.reasons

	own := object.union(r, {"subject": subject("alice", "user")})
	e := backend.decision with input as own with data.ztkit.pip.facts as facts
	e.allow
}

test_backend_only_from_owning_service if {
	d := backend.decision with input as req("transactions.list", subject("alice", "user"), "public")
		with data.ztkit.pip.facts as facts
	not d.allow
	"workload.not_owner_service" in d.reasons
}

test_backend_sign_in_only_from_public if {
	r := {"action": "auth.login", "workload": from("public"), "request": {"time_ns": now_ns},
		"risk": {"score": 0}, "resource": {}}
	d := backend.decision with input as r with data.ztkit.pip.facts as facts
	d.allow

	e := backend.decision with input as object.union(r, {"workload": from("user")})
		with data.ztkit.pip.facts as facts
	not e.allow
}

test_drafts_ingest_only_from_zerosms if {
	d := backend.decision with input as req("drafts.ingest", subject("alice", "user"), "zerosms")
		with data.ztkit.pip.facts as facts
	d.allow

	e := backend.decision with input as req("drafts.ingest", subject("alice", "user"), "public")
		with data.ztkit.pip.facts as facts
	not e.allow
}

test_admin_cannot_change_self if {
	r := object.union(req("admin.users.set_role", subject("root", "admin"), "public"),
		{"resource": {"type": "user", "id": "root", "owner": "", "attributes": {}}})
	d := admin.decision with input as r with data.ztkit.pip.facts as facts
	not d.allow
	"admin.self" in d.reasons
}

test_admin_routes_need_admin if {
	d := admin.decision with input as req("admin.users.list", subject("alice", "user"), "public")
		with data.ztkit.pip.facts as facts
	not d.allow

	e := admin.decision with input as req("admin.users.list", subject("root", "admin"), "public")
		with data.ztkit.pip.facts as facts
	e.allow
}

test_auditor_routes_need_auditor if {
	d := auditor.decision with input as req("auditor.transactions", subject("alice", "user"), "public")
		with data.ztkit.pip.facts as facts
	not d.allow

	e := auditor.decision with input as req("auditor.transactions", subject("bob", "auditor"), "public")
		with data.ztkit.pip.facts as facts
	e.allow
}

test_public_anonymous_and_forwarded if {
	login := {"action": "auth.login", "request": {}, "risk": {"score": 0}, "resource": {}}
	a := public.decision with input as login
	a.allow

	anon := {"action": "transactions.list", "request": {}, "risk": {"score": 0}, "resource": {}}
	b := public.decision with input as anon
	not b.allow

	c := public.decision with input as req("transactions.list", subject("alice", "user"), "public")
	c.allow

	unknown := public.decision with input as req("nope", subject("alice", "user"), "public")
	not unknown.allow
}

test_high_risk_denies if {
	r := object.union(req("transactions.list", subject("alice", "user"), "public"), {"risk": {"score": 90}})
	d := user.decision with input as r with data.ztkit.pip.facts as facts
	not d.allow
	"risk.high" in d.reasons
}

test_pip_feed_only_for_platform_services if {
	r := {"action": "pip.read", "workload": from("auditor"), "request": {"time_ns": now_ns},
		"risk": {"score": 0}, "resource": {}}
	d := backend.decision with input as r with data.ztkit.pip.facts as facts
	d.allow

	e := backend.decision with input as object.union(r, {"workload": from("zerosms")})
		with data.ztkit.pip.facts as facts
	not e.allow
}

stale(id, role) := object.union(subject(id, role), {"auth_time": (now_ns / 1000000000) - 3600})

risky(r, score) := object.union(r, {"risk": {"score": score}})

test_elevated_risk_asks_for_step_up if {
	r := risky(req("transactions.list", stale("alice", "user"), "public"), 60)
	d := user.decision with input as r with data.ztkit.pip.facts as facts
	d.allow
	d.obligations.step_up.method == "pwd"

	b := backend.decision with input as object.union(r, {"workload": from("user")})
		with data.ztkit.pip.facts as facts
	b.obligations.step_up.max_age == 300
}

test_elevated_risk_passes_after_fresh_step_up if {
	r := risky(req("transactions.list", subject("alice", "user"), "public"), 60)
	d := user.decision with input as r with data.ztkit.pip.facts as facts
	d.allow
	d.obligations == {}
}

test_elevated_risk_leaves_sign_in_alone if {
	r := risky(req("auth.backend.step_up", stale("alice", "user"), "public"), 60)
	d := backend.decision with input as r with data.ztkit.pip.facts as facts
	d.obligations == {}
}

test_low_risk_needs_nothing if {
	r := risky(req("transactions.list", stale("alice", "user"), "public"), 49)
	d := user.decision with input as r with data.ztkit.pip.facts as facts
	d.allow
	d.obligations == {}
}

test_high_risk_denies_at_the_backend if {
	r := risky(req("transactions.list", subject("alice", "user"), "user"), 80)
	d := backend.decision with input as r with data.ztkit.pip.facts as facts
	not d.allow
	"risk.high" in d.reasons
}

test_admin_alerts_for_admins_only if {
	a := admin.decision with input as req("admin.alerts", subject("root", "admin"), "public")
		with data.ztkit.pip.facts as facts
	a.allow

	u := admin.decision with input as req("admin.alerts", subject("alice", "user"), "public")
		with data.ztkit.pip.facts as facts
	not u.allow

	b := backend.decision with input as req("admin.alerts", subject("alice", "user"), "admin")
		with data.ztkit.pip.facts as facts
	not b.allow
}

test_lifting_an_alert_needs_a_fresh_admin_sign_in if {
	d := admin.decision with input as req("admin.alerts.lift", stale("root", "admin"), "public")
		with data.ztkit.pip.facts as facts
	d.allow
	d.obligations.step_up.method == "pwd"

	f := admin.decision with input as req("admin.alerts.lift", subject("root", "admin"), "public")
		with data.ztkit.pip.facts as facts
	f.allow
	f.obligations == {}

	u := admin.decision with input as req("admin.alerts.lift", subject("alice", "user"), "public")
		with data.ztkit.pip.facts as facts
	not u.allow
}
