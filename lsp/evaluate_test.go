package lsp

import (
	"math"
	"testing"

	"github.com/rose-go/rose/grammar/lex"
	"github.com/rose-go/rose/value"
)

func TestShortReal(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want string
	}{
		{6, "6.0"}, {272, "272.0"}, {109.3, "109.3"}, {0.0454, "0.0454"}, {-0.5194, "-0.519"},
		{1234567, "1.23e+06"}, {1e-9, "1e-09"}, {math.NaN(), "NaN"}, {math.Inf(-1), "-Inf"}, {0, "0.0"},
	} {
		if got := shortReal(c.x); got != c.want {
			t.Errorf("shortReal(%v) = %q, want %q", c.x, got, c.want)
		}
	}
}

func TestShortAbbreviates(t *testing.T) {
	var xs []value.Value
	for i := 0; i < 100; i++ {
		xs = append(xs, value.Real(float64(i)+0.5))
	}
	got := short(value.Array(xs...), nil)
	if len([]rune(got)) > hintWidth+12 || got[len(got)-4:] != "…]" {
		t.Errorf("short of 100 elements = %q", got)
	}
}

func TestKeywordDocs(t *testing.T) {
	for _, k := range lex.Keywords {
		if keywordDocs[k] == "" {
			t.Errorf("keyword %s has no completion doc", k)
		}
	}
}
