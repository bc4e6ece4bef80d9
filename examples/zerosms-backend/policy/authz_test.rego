package zerosms.authz_test

import data.zerosms.authz

clean := {"rooted": false, "debuggable": false, "emulator": false, "developer_mode": false}

user_req(action) := {"action": action, "subject": {"id": "u1"}}

device_req(action, posture) := {
	"action": action,
	"subject": {"id": "u1"},
	"device": {"id": "d1", "key_thumbprint": "jkt", "posture": posture},
}

deny_data := {"messages.upload": ["rooted", "debuggable"]}

test_user_enrolls if {
	d := authz.decision with input as user_req("devices.enroll")
	d.allow
	d.reasons == {"user.signed_in"}
}

test_anonymous_refused if {
	d := authz.decision with input as {"action": "devices.list"}
	not d.allow
	"subject.missing" in d.reasons
}

test_device_token_cannot_manage_devices if {
	d := authz.decision with input as device_req("devices.revoke", clean)
	not d.allow
	"device.token_for_user_action" in d.reasons
}

test_user_token_cannot_upload if {
	d := authz.decision with input as user_req("messages.upload")
		with data.zerosms.posture_deny as deny_data
	not d.allow
	"device.missing" in d.reasons
}

test_clean_device_uploads if {
	d := authz.decision with input as device_req("messages.upload", clean)
		with data.zerosms.posture_deny as deny_data
	d.allow
	d.reasons == {"device.bound"}
}

test_rooted_device_may_not_upload if {
	d := authz.decision with input as device_req("messages.upload", object.union(clean, {"rooted": true}))
		with data.zerosms.posture_deny as deny_data
	not d.allow
	d.reasons == {"device.rooted"}
}

test_debuggable_and_rooted_both_named if {
	p := object.union(clean, {"rooted": true, "debuggable": true})
	d := authz.decision with input as device_req("messages.upload", p)
		with data.zerosms.posture_deny as deny_data
	d.reasons == {"device.rooted", "device.debuggable"}
}

test_rooted_device_still_reads_and_reports if {
	p := object.union(clean, {"rooted": true})
	every a in ["messages.read", "device.posture", "devices.token"] {
		d := authz.decision with input as device_req(a, p)
			with data.zerosms.posture_deny as deny_data
		d.allow
	}
}

test_device_without_posture_refused if {
	d := authz.decision with input as {"action": "messages.read", "subject": {"id": "u1"},
		"device": {"id": "d1", "key_thumbprint": "jkt"}}
	not d.allow
	"device.no_posture" in d.reasons
}

test_unknown_action_refused if {
	d := authz.decision with input as user_req("devices.destroy")
	not d.allow
	d.reasons == {"action.unknown"}
}

test_user_reads_posture_history if {
	d := authz.decision with input as user_req("devices.postures")
	d.allow
}
