# Package financeapp.filter.transactions decides which rows of the
# transactions table an auditor may list. It is partially evaluated with the
# row (input.transactions) unknown and translated into a SQL WHERE clause, so
# the list is filtered by the database, not by handler code. Only active
# grants made to the caller count: one per owner, scoped to everything, a
# date range or some categories.
package financeapp.filter.transactions

import data.financeapp.lib

include if {
	lib.role == "auditor"
	some g in object.get(lib.facts, ["grants", input.subject.id], [])
	g.expires_ns > input.context.now_ns
	input.transactions.owner_id == g.owner
	in_scope(g)
	narrowed
}

in_scope(g) if g.scope == "all"

in_scope(g) if {
	g.scope == "date_range"
	input.transactions.date >= g.date_from
	input.transactions.date <= g.date_to
}

in_scope(g) if {
	g.scope == "categories"
	some c in g.categories
	input.transactions.category == c
}

# The auditor may narrow the list to one owner (input.context.owner_id).
narrowed if not input.context.owner_id

narrowed if input.transactions.owner_id == input.context.owner_id
