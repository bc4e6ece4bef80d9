package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ztkit/ztkit/examples/zerosms-backend/finance"
	"github.com/ztkit/ztkit/examples/zerosms-backend/smsparse"
	"github.com/ztkit/ztkit/examples/zerosms-backend/store"
	"github.com/ztkit/ztkit/examples/zerosms-backend/upload"
)

// maxUpload bounds an upload body: the message bodies' limit plus room for
// the JSON around them.
const maxUpload = upload.MaxBatchBytes + upload.MaxMessages*512

// refreshMargin is how long before its expiry a delegated access token is
// renewed.
const refreshMargin = 30 * time.Second

// Upload is a device's batch of SMS; the device is the one the token names.
type Upload struct {
	// Messages are the SMS, at most upload.MaxMessages.
	Messages []upload.Message `json:"messages"`
}

func (s *Server) upload(c echo.Context) error {
	ctx := c.Request().Context()
	id := principal(c).Device.ID

	var in Upload
	if err := bind(c, &in, maxUpload); err != nil {
		return err
	}

	resp, err := s.ledger.Apply(ctx, &upload.Batch{DeviceID: id, Messages: in.Messages})
	if err != nil {
		return err
	}

	if err := s.process(ctx, id); err != nil {
		return err
	}

	return c.JSON(http.StatusOK, resp)
}

// Status is what the backend made of a device's messages.
type Status struct {
	HighWaterMark uint64          `json:"high_water_mark"`
	Messages      []store.Message `json:"messages"`
}

func (s *Server) messages(c echo.Context) error {
	ctx := c.Request().Context()
	id := principal(c).Device.ID

	list, err := s.cfg.Store.Messages(ctx, id)
	if err != nil {
		return err
	}

	mark, err := s.cfg.Store.HighWaterMark(ctx, id)
	if err != nil {
		return err
	}

	if list == nil {
		list = []store.Message{}
	}

	return c.JSON(http.StatusOK, Status{HighWaterMark: mark, Messages: list})
}

// process triages the device's new messages and delivers the drafts not yet
// delivered, one device at a time (the delegated session rotates).
//
// TODO(forward-queue): delivery runs inside the upload request, so a slow
// platform slows the device's upload; a durable queue with retries and
// backoff would decouple them. Pending deliveries are retried on the
// device's next upload only.
func (s *Server) process(ctx context.Context, deviceID string) error {
	mu, _ := s.forwarding.LoadOrStore(deviceID, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()

	list, err := s.cfg.Store.Messages(ctx, deviceID)
	if err != nil {
		return err
	}

	for i := range list {
		m := &list[i]
		if m.Outcome.Kind != "" && m.Outcome.Forward != "pending" {
			continue
		}

		if m.Outcome.Kind == "" {
			m.Outcome = s.triage(deviceID, m)
		}

		if m.Outcome.Forward == "pending" {
			s.forward(ctx, deviceID, m)
		}

		if err := s.cfg.Store.SetOutcome(ctx, deviceID, m.ClientID, m.Outcome); err != nil {
			return err
		}
	}

	return nil
}

// triage parses and classifies a message and decides whether it becomes a
// draft.
func (s *Server) triage(deviceID string, m *store.Message) store.Outcome {
	v, err := s.cfg.Triage.Inspect(m.Body)
	if err != nil {
		return store.Outcome{Kind: "invalid", Refusal: "invalid_input"}
	}

	o := store.Outcome{Kind: "refused", Spam: v.Spam, SpamScore: v.SpamScore}
	if v.Refusal != nil {
		o.Refusal = string(v.Refusal.Reason)
		return o
	}

	o.Kind = "transaction"
	o.Transaction, _ = json.Marshal(v.Transaction)
	o.Forward = "pending"

	if _, ok := finance.DraftFrom(sourceID(deviceID, m), v.Transaction, m.ReceivedAt,
		v.Spam); !ok {
		o.Forward = "skipped"
	}

	return o
}

func sourceID(deviceID string, m *store.Message) string {
	return "zerosms:" + deviceID + ":" + m.ClientID
}

// forward delivers one draft; a failure the platform may recover from
// stays pending for the next upload, a refusal is final.
func (s *Server) forward(ctx context.Context, deviceID string, m *store.Message) {
	var tx smsparse.Transaction
	if err := json.Unmarshal(m.Outcome.Transaction, &tx); err != nil {
		m.Outcome.Forward, m.Outcome.Error = "failed", "stored transaction unreadable"
		return
	}

	d, _ := finance.DraftFrom(sourceID(deviceID, m), &tx, m.ReceivedAt, m.Outcome.Spam)

	at, err := s.accessToken(ctx, deviceID)
	if err == nil {
		var got *finance.DraftAnswer
		if got, err = s.cfg.Finance.SendDraft(ctx, at, d); err == nil {
			m.Outcome.Forward, m.Outcome.DraftID, m.Outcome.Error = "sent", got.ID, ""
			return
		}
	}

	m.Outcome.Error = err.Error()
	if errors.Is(err, finance.ErrRefused) {
		m.Outcome.Forward = "failed"
	}

	s.cfg.Logger.Warn("draft not delivered", "device", deviceID, "message", m.ClientID,
		"err", err)
}

// accessToken returns a platform access token of the device's delegated
// session, renewing it shortly before it expires.
func (s *Server) accessToken(ctx context.Context, deviceID string) (string, error) {
	del, err := s.cfg.Store.Delegation(ctx, deviceID)
	if err != nil {
		return "", err
	}

	if s.cfg.Now().Add(refreshMargin).Before(del.AccessExp) {
		return del.AccessToken, nil
	}

	t, err := s.cfg.Finance.Refresh(ctx, del.RefreshToken)
	if err != nil {
		return "", fmt.Errorf("server: renew delegated session: %w", err)
	}

	del = store.Delegation{RefreshToken: t.RefreshToken, AccessToken: t.AccessToken,
		AccessExp: s.cfg.Now().Add(time.Duration(t.ExpiresIn) * time.Second)}
	if err := s.cfg.Store.SetDelegation(ctx, deviceID, del); err != nil {
		return "", err
	}

	return del.AccessToken, nil
}
