package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditTable is the table that zt/audit's SQL sink writes audit events to.
const AuditTable = "audit_events"

// AlertTable is the table that zt/detect's SQL store keeps security alerts in.
const AlertTable = "security_alerts"

// AuditFilter selects audit events; zero fields match everything.
type AuditFilter struct {
	UserID   string
	Action   string
	Decision string

	// From (inclusive) and To (exclusive) bound the events' time; zero
	// means unbounded.
	From, To time.Time

	// After is the keyset cursor: the page starts after this event. Nil
	// starts with the newest.
	After *AuditCursor

	// Limit is 1 to 500; zero means 100.
	Limit int
}

// AuditCursor is the position of an event in the trail's order (time, then
// ID, both descending).
type AuditCursor struct {
	Time time.Time
	ID   string
}

// String encodes c for a URL.
func (c AuditCursor) String() string {
	return base64.RawURLEncoding.EncodeToString(
		[]byte(strconv.FormatInt(c.Time.UnixNano(), 10) + "." + c.ID))
}

// ParseAuditCursor decodes a cursor that String made.
func ParseAuditCursor(v string) (AuditCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) > 200 {
		return AuditCursor{}, ErrBadCursor
	}

	ns, id, ok := strings.Cut(string(b), ".")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || id == "" {
		return AuditCursor{}, ErrBadCursor
	}

	return AuditCursor{Time: time.Unix(0, n).UTC(), ID: id}, nil
}

// AuditPage is one page of the trail, with the cursor of the next one.
type AuditPage struct {
	Items []AuditEvent `json:"items"`
	Next  string       `json:"next,omitempty"`
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

// AuditEvents reads one page of the audit trail, newest first.
func (s *Store) AuditEvents(ctx context.Context, f AuditFilter) (AuditPage, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}

	ts := "time"
	if s.dialect == Postgres {
		ts = `to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
	}

	where, args := s.auditWhere(f)
	rows, err := s.db.QueryContext(ctx, `SELECT id, `+ts+`, kind, actor_user, actor_session,
		actor_workload, action, resource_type, resource_id, decision, CAST(reasons AS TEXT),
		method, route, status, source_addr, request_id, trace_id FROM `+AuditTable+`
		WHERE `+where+` ORDER BY time DESC, id DESC LIMIT `+strconv.Itoa(f.Limit+1), args...)
	if err != nil {
		return AuditPage{}, fmt.Errorf("store: audit: %w", mapErr(err))
	}
	defer rows.Close()

	page := AuditPage{Items: []AuditEvent{}}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return AuditPage{}, err
		}

		page.Items = append(page.Items, e)
	}

	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		page.Next = nextAudit(page.Items[f.Limit-1])
	}

	return page, mapErr(rows.Err())
}

// auditWhere builds the filter's condition from fixed fragments; values
// only ever travel as parameters.
func (s *Store) auditWhere(f AuditFilter) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any

	add := func(cond string, vals ...any) {
		for i := range vals {
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)+i+1), 1)
		}

		conds, args = append(conds, cond), append(args, vals...)
	}

	for col, v := range map[string]string{"actor_user": f.UserID, "action": f.Action,
		"decision": f.Decision} {
		if v != "" {
			add(col+" = ?", v)
		}
	}

	if !f.From.IsZero() {
		add("time >= ?", s.auditTime(f.From))
	}

	if !f.To.IsZero() {
		add("time < ?", s.auditTime(f.To))
	}

	if c := f.After; c != nil {
		t := s.auditTime(c.Time)
		add("(time < ? OR (time = ? AND id < ?))", t, t, c.ID)
	}

	return strings.Join(conds, " AND "), args
}

// auditTime is t as the SQL sink stores it: fixed-width UTC text in SQLite,
// timestamptz in PostgreSQL.
func (s *Store) auditTime(t time.Time) any {
	if s.dialect == SQLite {
		return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
	}

	return t.UTC()
}

func nextAudit(last AuditEvent) string {
	t, err := time.Parse(time.RFC3339Nano, last.Time)
	if err != nil {
		return ""
	}

	return AuditCursor{Time: t, ID: last.ID}.String()
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
