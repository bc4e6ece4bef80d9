package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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
	ID       string `json:"id"`
	Time     string `json:"time"`
	Kind     string `json:"kind"`
	Actor    string `json:"actor"`
	Action   string `json:"action"`
	Resource string `json:"resource,omitempty"`
	Decision string `json:"decision"`

	// Reason joins the reason codes; Reasons lists them.
	Reason  string   `json:"reason,omitempty"`
	Reasons []string `json:"reasons"`

	Address   string `json:"address,omitempty"`
	TraceID   string `json:"trace_id,omitempty"`
	Session   string `json:"session,omitempty"`
	Workload  string `json:"workload,omitempty"`
	Method    string `json:"method,omitempty"`
	Route     string `json:"route,omitempty"`
	Status    int    `json:"status,omitempty"`
	RequestID string `json:"request_id,omitempty"`
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
		method, route, status, source_addr, request_id, trace_id FROM `+AuditTable+`
		WHERE ($1 = '' OR actor_user = $1) AND ($2 = '' OR action = $2)
		AND ($3 = '' OR decision = $3) ORDER BY time DESC, id LIMIT $4`,
		f.UserID, f.Action, f.Decision, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", mapErr(err))
	}
	defer rows.Close()

	out := []AuditEvent{}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}

		out = append(out, e)
	}

	return out, mapErr(rows.Err())
}

func scanAudit(r scanner) (AuditEvent, error) {
	var (
		e                     AuditEvent
		user, typ, id, reason string
	)

	if err := r.Scan(&e.ID, &e.Time, &e.Kind, &user, &e.Session, &e.Workload, &e.Action,
		&typ, &id, &e.Decision, &reason, &e.Method, &e.Route, &e.Status, &e.Address,
		&e.RequestID, &e.TraceID); err != nil {
		return e, mapErr(err)
	}

	if json.Unmarshal([]byte(reason), &e.Reasons) != nil || e.Reasons == nil {
		e.Reasons = []string{}
	}

	e.Actor, e.Reason = user, strings.Join(e.Reasons, ", ")
	if e.Actor == "" {
		e.Actor = e.Workload
	}

	e.Resource = strings.Trim(typ+":"+id, ":")

	return e, nil
}
