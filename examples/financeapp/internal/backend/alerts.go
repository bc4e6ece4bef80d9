package backend

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/financeapp/internal/domain"
	"github.com/ztkit/ztkit/examples/financeapp/internal/httpx"
	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/audit"
	"github.com/ztkit/ztkit/zt/detect"
)

// Alert is one security alert as the admin console shows it.
type Alert struct {
	ID       string    `json:"id"`
	Time     time.Time `json:"time"`
	Severity string    `json:"severity"`
	Rule     string    `json:"rule"`
	Subject  string    `json:"subject,omitempty"`
	Summary  string    `json:"summary"`
	Response string    `json:"response,omitempty"`
}

// summaries says in words what each detector of zt/detect found.
var summaries = map[string]string{
	"brute_force.account": "repeated failed sign-ins for one account",
	"brute_force.source":  "repeated failed sign-ins from one address, across accounts",
	"brute_force.success": "a successful sign-in from an address that was brute-forcing",
	"brute_force.nearby":  "a sign-in to another account from an address that was brute-forcing",
	"denial_burst":        "a burst of denied requests (probing)",
	"enumeration":         "many distinct resources touched in a short time",
	"new_source.sign_in":  "a sign-in from a network the account has not used before",
}

func (s *Service) adminAlerts(c echo.Context) error {
	q, err := alertQuery(c)
	if err != nil {
		return err
	}

	out := []Alert{}

	if s.cfg.Alerts != nil {
		alerts, err := s.cfg.Alerts.List(c.Request().Context(), q)
		if err != nil {
			return err
		}

		for i := range alerts {
			out = append(out, alertOf(&alerts[i]))
		}
	}

	return c.JSON(http.StatusOK, map[string]any{"alerts": out})
}

// adminLiftAlert withdraws the quarantines, revocations and risk raises
// that the response to an alert put in place, and answers the alert as it
// now stands. The lift is audited with the admin as its actor.
func (s *Service) adminLiftAlert(c echo.Context) error {
	id := c.Param("id")
	if !alertIDPattern.MatchString(id) {
		return &domain.FieldError{Field: "id", Msg: "is not an alert id"}
	}

	if _, _, err := caller(c); err != nil {
		return err
	}

	if s.cfg.LiftAlert == nil {
		return httpx.Fail(http.StatusNotFound, "not_found", "no such alert")
	}

	ctx := c.Request().Context()
	p, _ := zt.PrincipalFrom(ctx)

	a, err := s.cfg.LiftAlert(ctx, id, audit.ActorOf(p))
	if errors.Is(err, detect.ErrAlertNotFound) {
		return httpx.Fail(http.StatusNotFound, "not_found", "no such alert")
	}

	if err != nil {
		return err
	}

	return c.JSON(http.StatusOK, alertOf(&a))
}

// alertIDPattern matches the IDs that detectors and the Falco receiver give
// alerts.
var alertIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// alertQuery reads min_severity (low, medium, high or critical), since (RFC
// 3339) and limit (1 to 500, 100 by default).
func alertQuery(c echo.Context) (detect.Query, error) {
	p := c.QueryParams()
	q := detect.Query{MinSeverity: detect.SeverityLow, Limit: 100}

	if v := p.Get("min_severity"); v != "" {
		sev, err := detect.ParseSeverity(v)
		if err != nil || sev < detect.SeverityLow {
			return q, &domain.FieldError{Field: "min_severity",
				Msg: "must be low, medium, high or critical"}
		}

		q.MinSeverity = sev
	}

	if v := p.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return q, &domain.FieldError{Field: "since", Msg: "must be an RFC 3339 time"}
		}

		q.Since = t
	}

	if v := p.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return q, &domain.FieldError{Field: "limit", Msg: "must be 1 to 500"}
		}

		q.Limit = n
	}

	return q, nil
}

func alertOf(a *detect.Alert) Alert {
	out := Alert{ID: a.ID, Time: a.Time.UTC(), Severity: a.Severity.String(),
		Rule: a.Rule, Subject: subjectOf(a.Subject), Summary: summaryOf(a)}

	var taken []string
	for _, o := range a.Outcomes {
		taken = append(taken, o.String())
	}

	out.Response = strings.Join(taken, ", ")

	return out
}

// subjectOf names who the alert is about: the user, else the workload,
// else the source address.
func subjectOf(s detect.Subject) string {
	for _, v := range []string{s.User, s.Workload, s.Device, s.SourceAddr} {
		if v != "" {
			return v
		}
	}

	return ""
}

func summaryOf(a *detect.Alert) string {
	sum, ok := summaries[a.Rule]
	if !ok {
		sum = a.Rule
	}

	if n, w := a.Attributes["count"], a.Attributes["window"]; n != "" && w != "" {
		sum += " (" + n + " within " + w + ")"
	}

	if addr := a.Subject.SourceAddr; addr != "" {
		sum += " from " + addr
	}

	return sum
}
