package tools

import (
	"errors"
	"strconv"
	"strings"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// Numbers are checked on the text the caller sent, exactly, before anything
// turns them into floats: a float64 cannot tell 10.505 from 10.50500000000001
// and turns 1e-9 into something that rounds to 0 cents. (The JSON Schema
// validator compares bounds exactly but tests multipleOf and "integer" in
// floating point: 0.07 is not a multiple of 0.01 for it, 1.0000000000000001
// is an integer; so neither keyword is what guards our inputs.)

// decimal is the exact value of a JSON number's text: coef × 10^exp, coef
// being the significant digits without leading or trailing zeros ("" for
// zero). The exponent saturates near ±10^9, far beyond any bound here.
type decimal struct {
	neg  bool
	coef string
	exp  int
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits returns the index of the first non-digit of s at or after i.
func digits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// parseDecimal parses the JSON number grammar exactly:
// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	i := 0
	if i < len(s) && s[i] == '-' {
		d.neg = true
		i++
	}
	start := i
	i = digits(s, i)
	whole := s[start:i]
	if whole == "" || (len(whole) > 1 && whole[0] == '0') {
		return decimal{}, false
	}
	frac := ""
	if i < len(s) && s[i] == '.' {
		start = i + 1
		i = digits(s, start)
		if frac = s[start:i]; frac == "" {
			return decimal{}, false
		}
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		negExp := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			negExp = s[i] == '-'
			i++
		}
		start = i
		if i = digits(s, i); i == start {
			return decimal{}, false
		}
		for _, c := range s[start:i] {
			if exp < 1e9 {
				exp = exp*10 + int(c-'0')
			}
		}
		if negExp {
			exp = -exp
		}
	}
	if i != len(s) {
		return decimal{}, false
	}
	all := strings.TrimLeft(whole+frac, "0")
	d.coef = strings.TrimRight(all, "0")
	d.exp = exp - len(frac) + len(all) - len(d.coef)
	if d.coef == "" {
		return decimal{}, true
	}
	return d, true
}

func (d decimal) sign() int {
	switch {
	case d.coef == "":
		return 0
	case d.neg:
		return -1
	}
	return 1
}

// cmp compares a and b exactly: -1, 0 or +1.
func (d decimal) cmp(b decimal) int {
	if sa, sb := d.sign(), b.sign(); sa != sb || sa == 0 {
		return compare(sa, sb)
	}
	m := d.cmpAbs(b)
	if d.neg {
		return -m
	}
	return m
}

func (d decimal) cmpAbs(b decimal) int {
	// The place of the leading digit decides, then the digits themselves.
	if la, lb := len(d.coef)+d.exp, len(b.coef)+b.exp; la != lb {
		return compare(la, lb)
	}
	x, y := d.coef, b.coef
	if len(x) < len(y) {
		x += strings.Repeat("0", len(y)-len(x))
	} else {
		y += strings.Repeat("0", len(x)-len(y))
	}
	return strings.Compare(x, y)
}

func compare(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// scaled returns d × 10^places when that is a whole number of at most 18
// digits, so exactly an int64.
func (d decimal) scaled(places int) (int64, bool) {
	if d.coef == "" {
		return 0, true
	}
	e := d.exp + places
	if e < 0 || len(d.coef)+e > 18 {
		return 0, false
	}
	v, err := strconv.ParseInt(d.coef+strings.Repeat("0", e), 10, 64)
	if err != nil {
		return 0, false
	}
	if d.neg {
		v = -v
	}
	return v, true
}

// floatDecimal is the decimal a schema bound (a float64) stands for: its
// shortest text, so 0.01 is 0.01 and not the binary fraction near it.
func floatDecimal(f float64) decimal {
	d, _ := parseDecimal(strconv.FormatFloat(f, 'f', -1, 64))
	return d
}

// Money is a USD amount held exactly in cents. It is published as a JSON
// number and decoded from the number's text exactly: 10.5, 10.50 and 1.05e1
// are 1050 cents; 10.505 and 1e-9 are refused, not rounded.
type Money int64

// Gigabytes is a quantity of data held exactly in hundredths of a GB (two
// decimals at most), decoded like Money.
type Gigabytes int64

var errHundredths = errors.New("not a number with at most two decimals")

func parseHundredths(b []byte) (int64, error) {
	d, ok := parseDecimal(string(b))
	if !ok {
		return 0, errHundredths
	}
	v, ok := d.scaled(2)
	if !ok {
		return 0, errHundredths
	}
	return v, nil
}

func formatHundredths(v int64) []byte {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return []byte(sign + strconv.FormatInt(v/100, 10) + "." + strconv.FormatInt(100+v%100, 10)[1:])
}

// UnmarshalJSON decodes the number's text exactly.
func (m *Money) UnmarshalJSON(b []byte) error {
	v, err := parseHundredths(b)
	*m = Money(v)
	return err
}

// MarshalJSON writes the amount with two decimals.
func (m Money) MarshalJSON() ([]byte, error) { return formatHundredths(int64(m)), nil }

// Dollars is the amount as the float64 nearest to it (which
// contoso.WholeCents accepts).
func (m Money) Dollars() float64 { return contoso.Dollars(int64(m)) }

// UnmarshalJSON decodes the number's text exactly.
func (g *Gigabytes) UnmarshalJSON(b []byte) error {
	v, err := parseHundredths(b)
	*g = Gigabytes(v)
	return err
}

// MarshalJSON writes the quantity with two decimals.
func (g Gigabytes) MarshalJSON() ([]byte, error) { return formatHundredths(int64(g)), nil }

// GB is the quantity as the float64 nearest to it.
func (g Gigabytes) GB() float64 { return contoso.Dollars(int64(g)) }
