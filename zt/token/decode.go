package token

// Unverified is a token's header and claims, decoded without any check of its
// signature or claims. Nothing in it may be trusted; it serves diagnostics
// such as "ztctl token inspect".
type Unverified struct {
	// Header is the JOSE protected header.
	Header map[string]any

	// Claims is the payload's claim set.
	Claims map[string]any

	// Signature is the decoded signature.
	Signature []byte
}

// Decode splits and decodes a compact JWS without verifying it, with the same
// strict encoding and JSON rules as a Verifier. Errors are *zt.Error values.
func Decode(raw string) (*Unverified, error) {
	h64, p64, s64, err := split(raw)
	if err != nil {
		return nil, err
	}

	var u Unverified
	for _, part := range []struct {
		name string
		b64  string
		dst  *map[string]any
	}{{"header", h64, &u.Header}, {"claims", p64, &u.Claims}} {
		if err := decodePart(part.b64, part.dst); err != nil {
			return nil, invalidf(ReasonMalformed, ErrMalformed, "%s: %v", part.name, err)
		}
	}

	if u.Signature, err = b64.DecodeString(s64); err != nil {
		return nil, invalidf(ReasonMalformed, ErrMalformed, "signature: %v", err)
	}

	return &u, nil
}

func decodePart(b64part string, dst *map[string]any) error {
	data, err := b64.DecodeString(b64part)
	if err != nil {
		return err
	}

	*dst, err = decodeObject(data)

	return err
}
