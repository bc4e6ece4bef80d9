// Package domain holds the finance platform's entities (users, transactions,
// sharing grants, SMS drafts, sessions) and the rules that make a value valid:
// money as integer minor units with an ISO 4217 currency, calendar dates, the
// closed sets of roles, payment types and categories.
//
// Every constructor or Validate method returns an error wrapping ErrInvalid, so
// that the HTTP layer can answer 400 without inspecting messages.
package domain
