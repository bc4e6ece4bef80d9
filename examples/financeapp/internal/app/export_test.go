package app

import (
	"context"
	"time"

	"github.com/ztkit/ztkit/zt/revoke"
	"github.com/ztkit/ztkit/zt/token"
)

// IssueForTest signs an access token as the public service would, for
// principals a test cannot sign in as (a pending user, a stale sign-in).
func (p *Platform) IssueForTest(ctx context.Context, uid, sid string, authTime time.Time,
	amr ...string) (string, error) {
	return p.issuer.Issue(ctx, token.AccessToken{Subject: uid, ClientID: "financeapp",
		SessionID: sid, AuthTime: authTime, AuthMethods: amr})
}

// SessionRevokedForTest reports whether this process refuses session sid.
func (p *Platform) SessionRevokedForTest(sid string) bool {
	_, ok := p.revoke.Revoked(revoke.Session, sid)
	return ok
}

// RevokeSessionsForTest revokes sessions as the backend does.
func (p *Platform) RevokeSessionsForTest(ctx context.Context, ids ...string) error {
	return p.revokeSessions(ctx, ids)
}

// SealForTest seals a token for a browser cookie as the public service does.
func (p *Platform) SealForTest(cookie, token string) string {
	return p.edge.Sealer().Seal(cookie, token)
}

// DataDirForTest returns the platform's data folder.
func (p *Platform) DataDirForTest() string { return p.cfg.DataDir }
