package server_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/ztkit/ztkit/examples/zerosms-backend/server"
	"github.com/ztkit/ztkit/zt/token"
)

// FuzzDeviceKey: any input is a public P-256 or Ed25519 key whose
// canonical form has the returned thumbprint, or an ErrDeviceKey.
func FuzzDeviceKey(f *testing.F) {
	f.Add([]byte(`{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",` +
		`"y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`))
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`))
	f.Add([]byte(`{"kty":"oct","k":"c2VjcmV0"}`))
	f.Add([]byte(`{"kty":"RSA","n":"AQAB","e":"AQAB"}`))
	f.Add([]byte(`null`))

	f.Fuzz(func(t *testing.T, raw []byte) {
		pub, jkt, err := server.DeviceKey(raw)
		if err != nil {
			if !errors.Is(err, server.ErrDeviceKey) {
				t.Fatalf("error %v does not match ErrDeviceKey", err)
			}

			return
		}

		k, err := jwk.ParseKey(pub)
		if err != nil {
			t.Fatalf("canonical key does not parse: %v", err)
		}

		if _, ok := k.(jwk.ECDSAPrivateKey); ok {
			t.Fatal("a private key was accepted")
		}

		if got, _ := token.Thumbprint(k); got != jkt {
			t.Fatalf("thumbprint %s, want %s", got, jkt)
		}

		var m map[string]any
		if json.Unmarshal(pub, &m) != nil || m["d"] != nil {
			t.Fatalf("canonical key carries a private part: %s", pub)
		}
	})
}
