package app

import (
	"context"
	"time"

	"github.com/ztkit/ztkit/zt/token"
)

// IssueForTest signs an access token as the public service would, for
// principals a test cannot sign in as (a pending user, a stale sign-in).
func (p *Platform) IssueForTest(ctx context.Context, uid, sid string, authTime time.Time,
	amr ...string) (string, error) {
	return p.issuer.Issue(ctx, token.AccessToken{Subject: uid, ClientID: "financeapp",
		SessionID: sid, AuthTime: authTime, AuthMethods: amr})
}
