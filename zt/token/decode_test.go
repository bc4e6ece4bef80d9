package token_test

import (
	"testing"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/token"
	"github.com/ztkit/ztkit/zt/token/tokentest"
)

func TestDecode(t *testing.T) {
	jwks := tokentest.NewJWKS(t, token.ES256)
	raw := jwks.Sign(t, "at+jwt", claims(nil))

	u, err := token.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}

	if u.Header["typ"] != "at+jwt" || u.Claims["sub"] != "user-1" || len(u.Signature) != 64 {
		t.Fatalf("Decode = %v %v %d", u.Header, u.Claims, len(u.Signature))
	}

	for name, bad := range map[string]string{
		"two parts":       "e30.e30",
		"duplicate claim": unsigned(`{"alg":"ES256"}`, `{"a":1,"a":2}`, "AA"),
		"bad signature":   unsigned(`{"alg":"ES256"}`, `{}`, "A"),
		"header array":    unsigned(`[]`, `{}`, "AA"),
	} {
		if _, err := token.Decode(bad); zt.ReasonOf(err) != token.ReasonMalformed {
			t.Errorf("%s: %v", name, err)
		}
	}
}
