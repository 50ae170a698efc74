package tools

import (
	"encoding/json"
	"testing"
)

// TestParseDecimal: the JSON number grammar, parsed exactly, with values
// compared and scaled without floating point.
func TestParseDecimal(t *testing.T) {
	for _, c := range []struct {
		text  string
		ok    bool
		cents int64
		whole bool // a multiple of 0.01 of at most 18 digits
	}{
		{"10.5", true, 1050, true}, {"10.50", true, 1050, true}, {"1.05e1", true, 1050, true}, {"1050E-2", true, 1050, true},
		{"0", true, 0, true}, {"-0.0", true, 0, true}, {"0.07", true, 7, true}, {"-12.34", true, -1234, true}, {"1e+2", true, 10000, true},
		{"10.505", true, 0, false}, {"1e-9", true, 0, false}, {"0.0000000001", true, 0, false}, {"1e400", true, 0, false},
		{"1e-400", true, 0, false}, {"1e999999999999999999", true, 0, false}, {"10.500000000000000001", true, 0, false},
		{"", false, 0, false}, {"-", false, 0, false}, {"01", false, 0, false}, {"1.", false, 0, false}, {".5", false, 0, false},
		{"1e", false, 0, false}, {"NaN", false, 0, false}, {"+1", false, 0, false}, {"1 ", false, 0, false}, {"0x10", false, 0, false},
	} {
		t.Run(c.text, func(t *testing.T) {
			d, ok := parseDecimal(c.text)
			if ok != c.ok {
				t.Fatalf("parseDecimal(%q) ok = %v, want %v", c.text, ok, c.ok)
			}
			if !ok {
				return
			}
			v, whole := d.scaled(2)
			if whole != c.whole || (whole && v != c.cents) {
				t.Errorf("scaled(2) = %d, %v; want %d, %v", v, whole, c.cents, c.whole)
			}
			var m Money
			err := json.Unmarshal([]byte(c.text), &m)
			if (err == nil) != c.whole || (err == nil && int64(m) != c.cents) {
				t.Errorf("Money from %s = %d, %v", c.text, m, err)
			}
		})
	}
}

func TestDecimalCmp(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"0", "-0.0", 0}, {"1e-9", "0", 1}, {"-1e-9", "0", -1}, {"100000", "1e5", 0}, {"100000.01", "100000", 1},
		{"9007199254740992", "9007199254740991", 1}, {"1e400", "100000", 1}, {"-1e400", "-1", -1}, {"0.07", "0.070", 0},
		{"2", "10", -1}, {"-2", "-10", 1}, {"1e999999999999", "1e400", 1}, {"0.1", "0.09", 1},
	} {
		a, _ := parseDecimal(c.a)
		b, _ := parseDecimal(c.b)
		if got := a.cmp(b); got != c.want {
			t.Errorf("cmp(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if got, want := string(formatHundredths(-1205)), "-12.05"; got != want {
		t.Errorf("formatHundredths(-1205) = %s, want %s", got, want)
	}
}
