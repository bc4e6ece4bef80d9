# Package zerosms.authz decides every request to the ZeroSMS backend.
#
# Two kinds of caller reach it. A user of the finance platform, with the
# platform's access token (no device facet), enrolls, lists and revokes
# devices. A device, with the backend's DPoP-bound device token (or, at the
# token endpoint, a proof signed by its enrolled key), reports its posture,
# uploads SMS and reads what the backend made of them. Each action is for
# exactly one of the two; the device's posture decides what it may do.
#
# data.zerosms.posture_deny lists the posture claims that forbid each device
# action, for example {"messages.upload": ["rooted", "debuggable"]}.
package zerosms.authz

decision := {"allow": allow, "reasons": reasons, "obligations": {}}

user_actions := {"devices.enroll", "devices.list", "devices.revoke", "devices.postures"}

device_actions := {"devices.token", "device.posture", "messages.upload", "messages.read"}

default allow := false

allow if {
	count(denials) == 0
	count(permits) > 0
}

reasons := denials if count(denials) > 0
else := permits if count(permits) > 0
else := {"action.unknown"}

signed_in if input.subject.id != ""

is_device if input.device.key_thumbprint != ""

denials contains "subject.missing" if not signed_in

denials contains "device.token_for_user_action" if {
	input.action in user_actions
	is_device
}

denials contains "device.missing" if {
	input.action in device_actions
	not is_device
}

# A posture claim listed for the action forbids it; the reason names it,
# for example "device.rooted".
denials contains sprintf("device.%s", [claim]) if {
	input.action in device_actions
	some claim in data.zerosms.posture_deny[input.action]
	input.device.posture[claim] == true
}

denials contains "device.no_posture" if {
	input.action in device_actions
	is_device
	not input.device.posture
}

permits contains "user.signed_in" if {
	input.action in user_actions
	signed_in
}

permits contains "device.bound" if {
	input.action in device_actions
	is_device
	signed_in
}
