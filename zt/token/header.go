package token

import "strings"

// header is the part of a JOSE header that verification uses.
type header struct {
	alg string
	kid string
	typ string
}

// maxHeaderSize bounds the encoded header: access token headers are under
// 200 bytes, DPoP headers with an RSA key near 1 KiB.
const maxHeaderSize = 2048

// decodeHeader decodes and checks a JWS protected header. It refuses headers
// that would make the verifier trust something outside its key set ("jku",
// "x5u", "x5c", "jwk"), extensions it does not understand ("crit", "b64",
// "zip"), encrypted or nested tokens, and any malformed or duplicated member.
func decodeHeader(h64 string) (header, error) {
	var buf [maxHeaderSize * 3 / 4]byte
	var storage [maxMembers]member

	members, err := headerMembers(h64, buf[:], storage[:0])
	if err != nil {
		return header{}, err
	}

	var h header
	for _, m := range members {
		if err := h.member(m.name, buf[m.start:m.end]); err != nil {
			return header{}, err
		}
	}

	if h.alg == "" {
		return header{}, invalidf(ReasonAlgorithm, ErrAlgorithm, "no alg")
	}

	return h, nil
}

// headerMembers decodes a protected header into buf and returns its members,
// appended to storage. Callers pass arrays of their own, so that the hot path
// does not allocate.
func headerMembers(h64 string, buf []byte, storage []member) ([]member, error) {
	if len(h64) > maxHeaderSize {
		return nil, invalidf(ReasonBadHeader, ErrMalformed, "header too large")
	}

	n, err := b64.Decode(buf, readOnlyBytes(h64))
	if err != nil {
		return nil, invalidf(ReasonMalformed, ErrMalformed, "header: %v", err)
	}

	members, err := scanObject(buf[:n], storage)
	if err != nil {
		return nil, invalidf(ReasonBadHeader, ErrMalformed, "header: %v", err)
	}

	return members, nil
}

// member records or refuses one header member.
func (h *header) member(name string, value []byte) error {
	switch name {
	case "alg":
		return headerString(name, value, &h.alg, ReasonAlgorithm, ErrAlgorithm)
	case "kid":
		return headerString(name, value, &h.kid, ReasonBadHeader, ErrMalformed)
	case "typ":
		return headerString(name, value, &h.typ, ReasonType, ErrType)
	case "cty":
		var cty string
		if err := headerString(name, value, &cty, ReasonBadHeader, ErrMalformed); err != nil {
			return err
		}

		if strings.EqualFold(cty, "JWT") {
			return invalidf(ReasonBadHeader, ErrMalformed, "nested JWT")
		}

		return nil
	case "crit":
		return invalidf(ReasonCritical, ErrMalformed, "crit extensions not understood")
	case "jku", "x5u", "x5c", "jwk":
		return invalidf(ReasonKeyHeader, ErrUnknownKey, "header %q not trusted", name)
	case "enc":
		return invalidf(ReasonEncrypted, ErrMalformed, "JWE header where JWS expected")
	case "b64", "zip":
		return invalidf(ReasonBadHeader, ErrMalformed, "header %q not supported", name)
	default:
		return nil
	}
}

func headerString(name string, value []byte, dst *string, reason string, sentinel error) error {
	s, ok := jsonString(value)
	if !ok {
		return invalidf(reason, sentinel, "header %q is not a string", name)
	}

	*dst = s
	return nil
}
