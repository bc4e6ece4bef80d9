package classify

import "unicode/utf8"

// Features says how a message becomes features. Every field is part of a
// model's training metadata: a model scores only with the features it was
// trained on.
type Features struct {
	// Bits is the log2 of the number of hash buckets; 18 gives 262,144.
	Bits int `json:"bits"`

	// CharMin and CharMax bound the lengths of the character n-grams, taken over
	// the normalised text (lower case, digits folded to 0, spaces collapsed).
	CharMin int `json:"char_min"`
	CharMax int `json:"char_max"`

	// Words adds word unigrams and Bigrams adds pairs of adjacent words.
	Words   bool `json:"words"`
	Bigrams bool `json:"bigrams"`
}

// DefaultFeatures are the features of the shipped model.
var DefaultFeatures = Features{Bits: 18, CharMin: 2, CharMax: 4, Words: true, Bigrams: true}

// Seeds keep the kinds of feature apart in the hash space.
const (
	seedChar   uint32 = 2166136261
	seedWord   uint32 = 0x9747b28c
	seedBigram uint32 = 0x5bd1e995
	fnvPrime   uint32 = 16777619
)

// normalise lower-cases ASCII letters, folds every digit to '0' (so that all
// phone numbers and prices look alike), and collapses runs of spaces. Bytes
// beyond ASCII are kept.
func normalise(dst []byte, s string) []byte {
	space := true

	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c >= '0' && c <= '9':
			c = '0'
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if space {
				continue
			}

			c = ' '
		}

		space = c == ' '
		dst = append(dst, c)
	}

	return dst
}

// extract appends the hash buckets of the features of text to dst, with
// repetitions (a multinomial bag), and returns it. norm is scratch space.
func (f Features) extract(dst []uint32, norm []byte, text string) ([]uint32, []byte) {
	norm = normalise(norm[:0], text)
	mask := uint32(1)<<f.Bits - 1

	dst = f.charGrams(dst, norm, mask)
	if f.Words || f.Bigrams {
		dst = f.words(dst, norm, mask)
	}

	return dst, norm
}

// charGrams hashes every n-gram of CharMin to CharMax bytes, extending one
// hash per start position.
func (f Features) charGrams(dst []uint32, norm []byte, mask uint32) []uint32 {
	for i := range norm {
		h := seedChar
		for n := 1; n <= f.CharMax && i+n <= len(norm); n++ {
			h = (h ^ uint32(norm[i+n-1])) * fnvPrime
			if n >= f.CharMin {
				dst = append(dst, mix(h)&mask)
			}
		}
	}

	return dst
}

// words hashes the words (runs of letters, digits and non-ASCII runes) and
// the pairs of adjacent words.
func (f Features) words(dst []uint32, norm []byte, mask uint32) []uint32 {
	var prev uint32

	havePrev := false
	for i := 0; i < len(norm); {
		if !wordByte(norm[i]) {
			i++

			continue
		}

		h := seedWord
		for ; i < len(norm) && wordByte(norm[i]); i++ {
			h = (h ^ uint32(norm[i])) * fnvPrime
		}

		if f.Words {
			dst = append(dst, mix(h)&mask)
		}

		if f.Bigrams && havePrev {
			dst = append(dst, mix((prev^seedBigram)*fnvPrime^h)&mask)
		}

		prev, havePrev = h, true
	}

	return dst
}

func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c == '0' || c >= utf8.RuneSelf
}

// mix spreads the bits of an FNV hash so that the low bits used as the bucket
// depend on every input byte.
func mix(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16

	return h
}
