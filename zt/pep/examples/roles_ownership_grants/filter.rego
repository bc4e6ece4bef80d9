# Package ztkit.filter.transactions decides which rows of the transactions
# table a subject may list. It is partially evaluated with the row
# (input.transactions) unknown and translated into a SQL WHERE clause.
package ztkit.filter.transactions

include if "admin" in input.subject.roles

include if input.transactions.owner == input.subject.id

# A grant over all of an owner's transactions hides the private ones.
include if {
	some g in data.ztkit.pip.grants[input.subject.id]
	g.action == "transactions.read"
	g.resource_type == "transaction"
	not g.resource_id
	input.transactions.owner == g.owner
	input.transactions.category != "private"
}

include if {
	some g in data.ztkit.pip.grants[input.subject.id]
	g.action == "transactions.read"
	g.resource_type == "transaction"
	input.transactions.id == g.resource_id
}

# Support sees small everyday transactions only.
include if {
	"support" in input.subject.roles
	input.transactions.amount_minor < data.ztkit.support_limit_minor
	input.transactions.category in {"food", "transport"}
}
