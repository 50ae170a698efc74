package contoso

import (
	"math"
	"unicode"
	"unicode/utf8"
)

// Text rules. Every string a caller sends is checked against them before it
// is used or stored; the errors name the field and the rule broken, never
// the value (which may hold terminal escapes or reordering characters).
//
// Everywhere: the text must be valid UTF-8 and hold no U+FFFD (what broken
// encodings and lone surrogate escapes decode to), and no invisible
// formatting character (Unicode category Cf: bidirectional overrides,
// embeddings and isolates, zero-width spaces and joiners, the byte-order
// mark, tag characters), except that a multi-line field (free prose) may
// hold the zero-width joiner and non-joiner, which joined emoji and
// Persian and Indic spellings need. A single-line field holds no control character at
// all (Cc, and the line and paragraph separators U+2028 and U+2029); a
// multi-line field may hold line feeds and tabs, and no other. Lengths are
// counted in characters (Unicode code points), as JSON Schema's maxLength
// counts them.

// TextRule says which control characters a text field admits.
type TextRule int

// The text rules.
const (
	SingleLine TextRule = iota // no control character at all
	MultiLine                  // line feeds and tabs only
)

// CheckText returns KindInvalid when value breaks the rule for field.
func CheckText(field, value string, rule TextRule) error {
	if !utf8.ValidString(value) {
		return Errorf(KindInvalid, "%s must be valid UTF-8 text", field)
	}
	for _, r := range value {
		switch {
		case rule == MultiLine && (r == '\u200C' || r == '\u200D'):
		case r == utf8.RuneError:
			return Errorf(KindInvalid, "%s must be valid UTF-8 text (it holds U+FFFD, the mark of a broken encoding)", field)
		case unicode.Is(unicode.Cf, r):
			return Errorf(KindInvalid, "%s must not contain invisible formatting characters (bidirectional controls, zero-width characters)", field)
		case rule == MultiLine && (r == '\n' || r == '\t'):
		case rule == MultiLine && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029'):
			return Errorf(KindInvalid, "%s may contain line breaks (\\n) and tabs but no other control characters", field)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return Errorf(KindInvalid, "%s must be a single line of text without control characters (no line breaks, tabs or escape sequences)", field)
		}
	}
	return nil
}

// CheckTextLen is CheckText and a length of lo to hi characters (code
// points).
func CheckTextLen(field, value string, rule TextRule, lo, hi int) error {
	if err := CheckText(field, value, rule); err != nil {
		return err
	}
	switch n := utf8.RuneCountInString(value); {
	case n == 0 && lo > 0:
		return Errorf(KindInvalid, "%s must not be empty", field)
	case n < lo || n > hi:
		return Errorf(KindInvalid, "%s must be %d to %d characters", field, lo, hi)
	}
	return nil
}

// WholeCents reports whether v is a positive amount in whole cents written
// exactly: v is the float64 nearest to some whole number of cents above
// zero. 10.5 is; 1e-9 (0 cents), 10.505 and 1.0000000001 are not. An
// amount decoded from the text "10.50" or computed as Dollars(c) always is.
func WholeCents(v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 || v > 1e13 {
		return false
	}
	c := Cents(v)
	return c > 0 && Dollars(c) == v
}

// AmountRule is how an invalid amount is explained.
const AmountRule = "must be a positive amount in whole cents, e.g. 12.34"
