package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// AuditTable is the table that zt/audit's SQL sink writes audit events to.
const AuditTable = "audit_events"

// AuditFilter selects audit events; zero fields match everything.
type AuditFilter struct {
	UserID   string
	Action   string
	Decision string

	// Limit is 1 to 500; zero means 100.
	Limit int
}

// AuditEvent is one row of the audit trail as the admin sees it.
type AuditEvent struct {
	ID         string   `json:"id"`
	Time       string   `json:"time"`
	Kind       string   `json:"kind"`
	User       string   `json:"user,omitempty"`
	Session    string   `json:"session,omitempty"`
	Workload   string   `json:"workload,omitempty"`
	Action     string   `json:"action"`
	Resource   string   `json:"resource,omitempty"`
	ResourceID string   `json:"resource_id,omitempty"`
	Decision   string   `json:"decision"`
	Reasons    []string `json:"reasons"`
	Method     string   `json:"method,omitempty"`
	Route      string   `json:"route,omitempty"`
	Status     int      `json:"status,omitempty"`
	SourceAddr string   `json:"source_addr,omitempty"`
	RequestID  string   `json:"request_id,omitempty"`
}

// AuditEvents reads the audit trail, newest first.
func (s *Store) AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}

	ts := "time"
	if s.dialect == Postgres {
		ts = `to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
	}

	rows, err := s.db.QueryContext(ctx, `SELECT id, `+ts+`, kind, actor_user, actor_session,
		actor_workload, action, resource_type, resource_id, decision, CAST(reasons AS TEXT),
		method, route, status, source_addr, request_id FROM `+AuditTable+`
		WHERE ($1 = '' OR actor_user = $1) AND ($2 = '' OR action = $2)
		AND ($3 = '' OR decision = $3) ORDER BY time DESC, id LIMIT $4`,
		f.UserID, f.Action, f.Decision, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", mapErr(err))
	}
	defer rows.Close()

	out := []AuditEvent{}
	for rows.Next() {
		var (
			e       AuditEvent
			reasons string
		)

		if err := rows.Scan(&e.ID, &e.Time, &e.Kind, &e.User, &e.Session, &e.Workload,
			&e.Action, &e.Resource, &e.ResourceID, &e.Decision, &reasons, &e.Method, &e.Route,
			&e.Status, &e.SourceAddr, &e.RequestID); err != nil {
			return nil, mapErr(err)
		}

		if json.Unmarshal([]byte(reasons), &e.Reasons) != nil || e.Reasons == nil {
			e.Reasons = []string{}
		}

		out = append(out, e)
	}

	return out, mapErr(rows.Err())
}
