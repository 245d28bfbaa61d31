// Package bigmath is a 256-bit reference for the math builtins defined
// from exp and log, for tests: the exact value against which the float64
// implementations (package ir/mathx, the Wasm ports, Go's math) are
// measured in ulps.
package bigmath

import (
	"math"
	"math/big"
)

const bigPrec = 256

func bf(x float64) *big.Float { return new(big.Float).SetPrec(bigPrec).SetFloat64(x) }

// Exp is e**x by halving x to below 2**-20, the Taylor series and
// squaring back.
func Exp(x *big.Float) *big.Float {
	prec := x.Prec()
	r := new(big.Float).SetPrec(prec).Set(x)
	m := 0
	for r.Sign() != 0 && r.MantExp(nil) > -20 {
		r.SetMantExp(r, -1)
		m++
	}
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for k := int64(1); k < 200; k++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetInt64(k))
		sum.Add(sum, term)
		if term.Sign() == 0 || term.MantExp(nil) < sum.MantExp(nil)-int(prec)-4 {
			break
		}
	}
	for ; m > 0; m-- {
		sum.Mul(sum, sum)
	}
	return sum
}

// Log is log x for x > 0: k log 2 + 2 atanh((m-1)/(m+1)).
func Log(x *big.Float) *big.Float {
	prec := x.Prec()
	atanh2 := func(s *big.Float) *big.Float { // 2 atanh(s)
		s2 := new(big.Float).SetPrec(prec).Mul(s, s)
		sum := new(big.Float).SetPrec(prec).Set(s)
		p := new(big.Float).SetPrec(prec).Set(s)
		for k := int64(3); k < 2000; k += 2 {
			p.Mul(p, s2)
			t := new(big.Float).SetPrec(prec).Quo(p, new(big.Float).SetInt64(k))
			sum.Add(sum, t)
			if t.Sign() == 0 || t.MantExp(nil) < sum.MantExp(nil)-int(prec)-4 {
				break
			}
		}
		return sum.Mul(sum, new(big.Float).SetInt64(2))
	}
	mant := new(big.Float).SetPrec(prec)
	k := x.MantExp(mant) // x = mant * 2**k, mant in [0.5, 1)
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	s := new(big.Float).SetPrec(prec).Quo(new(big.Float).SetPrec(prec).Sub(mant, one), new(big.Float).SetPrec(prec).Add(mant, one))
	third := new(big.Float).SetPrec(prec).Quo(one, new(big.Float).SetPrec(prec).SetInt64(3))
	ln2 := atanh2(third)
	r := atanh2(s)
	return r.Add(r, new(big.Float).SetPrec(prec).Mul(ln2, new(big.Float).SetInt64(int64(k))))
}

// Ref is the exact value (to 256 bits or more) for the functions
// defined from exp and log, nil for the others or out of range.
func Ref(name string, a []float64) *big.Float {
	for _, x := range a {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	}
	x := a[0]
	// Extra precision for the cancellations of expm1, sinh, tanh near 0.
	extra := uint(0)
	if e := math.Ilogb(x); e < 0 && x != 0 {
		extra = uint(-e)
	}
	p := bigPrec + extra
	X := new(big.Float).SetPrec(p).SetFloat64(x)
	one := new(big.Float).SetPrec(p).SetInt64(1)
	n := func() *big.Float { return new(big.Float).SetPrec(p) }
	switch name {
	case "exp":
		if x > 709.8 || x < -745.2 {
			return nil
		}
		return Exp(X)
	case "log":
		if x <= 0 {
			return nil
		}
		return Log(X)
	case "log1p":
		if x <= -1 || math.Abs(x) > 1e300 {
			return nil
		}
		return Log(n().Add(X, one))
	case "expm1":
		if x > 709.7 || x < -745 {
			return nil
		}
		return n().Sub(Exp(X), one)
	case "sinh", "cosh":
		if math.Abs(x) > 711 {
			return nil
		}
		e, ei := Exp(X), n().Quo(one, Exp(X))
		if name == "sinh" {
			e.Sub(e, ei)
		} else {
			e.Add(e, ei)
		}
		return e.Quo(e, n().SetInt64(2))
	case "tanh":
		if math.Abs(x) > 300 {
			return nil
		}
		e := Exp(n().Mul(X, n().SetInt64(2)))
		return n().Quo(n().Sub(e, one), n().Add(e, one))
	case "lgamma":
		if math.Abs(x) >= 1.0/(1<<70) || x == 0 {
			return nil
		}
		return n().Neg(Log(n().Abs(X)))
	case "hypot":
		P, Q := bf(a[0]), bf(a[1])
		s := n().Add(n().Mul(P, P), n().Mul(Q, Q))
		return s.Sqrt(s)
	case "pow":
		y := a[1]
		if x <= 0 || math.Abs(y*math.Log(x)) > 700 {
			return nil
		}
		return Exp(n().Mul(bf(y), Log(bf(x))))
	}
	return nil
}

// UlpErr is |got - exact| in units of the last place of exact rounded to
// float64 (subnormal units below 2**-1022).
func UlpErr(got float64, exact *big.Float) float64 {
	e, _ := exact.Float64()
	if math.IsInf(e, 0) || math.IsInf(got, 0) || math.IsNaN(got) {
		if got == e {
			return 0
		}
		return math.Inf(1)
	}
	ulp := math.Nextafter(math.Abs(e), math.Inf(1)) - math.Abs(e)
	d := new(big.Float).SetPrec(bigPrec).Sub(bf(got), exact)
	q, _ := d.Quo(d, bf(ulp)).Float64()
	return math.Abs(q)
}
