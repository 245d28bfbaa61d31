package ad_test

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
)

// The helpers below are copies of those in jvp_test.go, so that this file
// stands on its own.

// scanReals lists the Real scalars of v in layout order.
func scanReals(v eval.Value, out []float64) []float64 {
	switch v.Kind() {
	case ir.KReal:
		return append(out, v.Real())
	case ir.KArray, ir.KTuple:
		for i := 0; i < v.Len(); i++ {
			out = scanReals(v.Elem(i), out)
		}
	}
	return out
}

// scanRebuild returns v with its Reals replaced by xs (consumed in order);
// with tangent set, Ints and Bools become empty tuples.
func scanRebuild(v eval.Value, xs *[]float64, tangent bool) eval.Value {
	switch v.Kind() {
	case ir.KReal:
		x := (*xs)[0]
		*xs = (*xs)[1:]
		return eval.Real(x)
	case ir.KInt, ir.KBool:
		if tangent {
			return eval.Tuple()
		}
		return v
	}
	elems := make([]eval.Value, v.Len())
	for i := range elems {
		elems[i] = scanRebuild(v.Elem(i), xs, tangent)
	}
	if v.Kind() == ir.KArray {
		return eval.Array(elems...)
	}
	return eval.Tuple(elems...)
}

func scanPerturb(args []eval.Value, dir [][]float64, h float64) []eval.Value {
	out := make([]eval.Value, len(args))
	for i, a := range args {
		xs := scanReals(a, nil)
		for k := range xs {
			xs[k] += h * dir[i][k]
		}
		out[i] = scanRebuild(a, &xs, false)
	}
	return out
}

func scanCall(t *testing.T, f *ir.Func, args []eval.Value) eval.Value {
	t.Helper()
	v, err := eval.Call(context.Background(), f, args, nil)
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	return v
}

// checkScanJVP compares the JVP of f at args in a random direction with
// central finite differences, and its primal with f's result.
func checkScanJVP(t *testing.T, tr *ad.Transformer, f *ir.Func, args []eval.Value, rng *rand.Rand, label string) {
	t.Helper()
	g := tr.JVP(f)
	if err := ir.Verify(g); err != nil {
		t.Fatalf("%s: JVP does not verify: %v\n%s", label, err, g)
	}
	dir := make([][]float64, len(args))
	all := append([]eval.Value(nil), args...)
	for i, a := range args {
		xs := scanReals(a, nil)
		for k := range xs {
			xs[k] = rng.NormFloat64()
		}
		dir[i] = append([]float64(nil), xs...)
		all = append(all, scanRebuild(a, &xs, true))
	}
	out := scanCall(t, g, all)
	y, dy := out.Elem(0), scanReals(out.Elem(1), nil)
	if want := scanCall(t, f, args); !eval.Equal(y, want) {
		t.Errorf("%s: JVP primal %v, want %v", label, y, want)
	}
	const h = 1e-6
	plus := scanReals(scanCall(t, f, scanPerturb(args, dir, h)), nil)
	minus := scanReals(scanCall(t, f, scanPerturb(args, dir, -h)), nil)
	if len(plus) != len(dy) {
		t.Fatalf("%s: %d tangent scalars for %d Reals", label, len(dy), len(plus))
	}
	for k := range dy {
		fd := (plus[k] - minus[k]) / (2 * h)
		scale := math.Max(1, math.Max(math.Abs(fd), math.Abs(dy[k])))
		if math.Abs(fd-dy[k]) > 1e-5*scale || math.IsNaN(dy[k]) != math.IsNaN(fd) {
			t.Errorf("%s: tangent[%d] = %.12g, finite differences give %.12g", label, k, dy[k], fd)
		}
	}
}

// emitScan emits the recording loop s = body(i, s), n times from init.
func emitScan(b *ir.Builder, n int, init ir.Var, body func(i, s ir.Var) ir.Var) ir.Var {
	st := b.Type(init)
	blk, ps := b.Begin(ir.Int, st)
	b.End(body(ps[0], ps[1]))
	return b.Emit(ir.TupleOf(ir.ArrayOf(n, st), st), ir.Instr{Op: ir.OpScan, N: n, Args: []ir.Var{init}, Blocks: []*ir.Block{blk}})
}

// scanSum builds f(x, s0) = sum(states) + final for s_{k+1} = sin(s_k) * x
// + 0.1 k, recorded by a scan of n steps; with constInit, s0 is ignored and
// the scan starts from 0.5, so the initial state has no tangent.
func scanSum(n int, constInit bool) *ir.Func {
	b := ir.NewBuilder("scansum", 0)
	x, s0 := b.Param(ir.Real), b.Param(ir.Real)
	if constInit {
		s0 = b.Real(0.5)
	}
	r := emitScan(b, n, s0, func(i, s ir.Var) ir.Var {
		k := b.Binary(ir.OpMul, b.Emit(ir.Real, ir.Instr{Op: ir.OpToReal, Args: []ir.Var{i}}), b.Real(0.1))
		return b.Binary(ir.OpAdd, b.Binary(ir.OpMul, b.Unary(ir.OpSin, s), x), k)
	})
	states, final := b.Field(r, 0), b.Field(r, 1)
	blk, ps := b.Begin(ir.Int, ir.Real)
	b.End(b.Binary(ir.OpAdd, ps[1], b.Index(states, ps[0])))
	sum := b.Emit(ir.Real, ir.Instr{Op: ir.OpLoop, N: n, Args: []ir.Var{final}, Blocks: []*ir.Block{blk}})
	return b.Finish(sum)
}

// scanTuple builds f(x, v) = scan n (x, v, 1) |i, (a, w, k)| {
// (a * cos(w[0]), [w[1] + a * real(k), w[0] * x], k + i) }, returning the
// states and the final state themselves.
func scanTuple(n int) *ir.Func {
	arr := ir.ArrayOf(2, ir.Real)
	st := ir.TupleOf(ir.Real, arr, ir.Int)
	b := ir.NewBuilder("scantuple", 0)
	x, v := b.Param(ir.Real), b.Param(arr)
	init := b.Tuple(st, x, v, b.Int(1))
	r := emitScan(b, n, init, func(i, s ir.Var) ir.Var {
		a, w, k := b.Field(s, 0), b.Field(s, 1), b.Field(s, 2)
		w0, w1 := b.Index(w, b.Int(0)), b.Index(w, b.Int(1))
		kr := b.Emit(ir.Real, ir.Instr{Op: ir.OpToReal, Args: []ir.Var{k}})
		nw := b.Emit(arr, ir.Instr{Op: ir.OpArray, Args: []ir.Var{
			b.Binary(ir.OpAdd, w1, b.Binary(ir.OpMul, a, b.Real(0.3))),
			b.Binary(ir.OpMul, w0, b.Binary(ir.OpMul, x, b.Binary(ir.OpDiv, b.Real(1), kr))),
		}})
		return b.Tuple(st, b.Binary(ir.OpMul, a, b.Unary(ir.OpCos, w0)), nw, b.Binary(ir.OpAdd, k, i))
	})
	return b.Finish(r)
}

func TestScanJVP(t *testing.T) {
	tr := ad.NewTransformer()
	rng := rand.New(rand.NewSource(4))
	for _, n := range []int{0, 1, 5, 30} {
		for _, constInit := range []bool{false, true} {
			f := scanSum(n, constInit)
			for _, a := range [][2]float64{{0.8, 0.3}, {-1.2, 2}} {
				checkScanJVP(t, tr, f, []eval.Value{eval.Real(a[0]), eval.Real(a[1])}, rng, f.Name)
			}
		}
		f := scanTuple(n)
		args := []eval.Value{eval.Real(0.7), eval.Array(eval.Real(0.4), eval.Real(-0.9))}
		checkScanJVP(t, tr, f, args, rng, f.Name)
	}
}

// TestScanJVPExact compares the tangent of the recorded states with the
// tangent recurrence ds' = cos(s) ds x + sin(s) dx, carried in Go.
func TestScanJVPExact(t *testing.T) {
	const n = 20
	b := ir.NewBuilder("rec", 0)
	x, s0 := b.Param(ir.Real), b.Param(ir.Real)
	f := b.Finish(emitScan(b, n, s0, func(i, s ir.Var) ir.Var {
		return b.Binary(ir.OpMul, b.Unary(ir.OpSin, s), x)
	}))
	g := ad.NewTransformer().JVP(f)
	xv, sv, dx, ds := 1.3, 0.4, 0.7, -0.2
	out := scanCall(t, g, []eval.Value{eval.Real(xv), eval.Real(sv), eval.Real(dx), eval.Real(ds)})
	primal, tangent := out.Elem(0), out.Elem(1)
	if primal.Elem(0).Len() != n || tangent.Elem(0).Len() != n {
		t.Fatalf("got %v", out)
	}
	for i := 0; i <= n; i++ {
		p, d := primal.Elem(1), tangent.Elem(1)
		if i < n {
			p, d = primal.Elem(0).Elem(i), tangent.Elem(0).Elem(i)
		}
		if p.Real() != sv || math.Abs(d.Real()-ds) > 1e-14*math.Max(1, math.Abs(ds)) {
			t.Errorf("state %d: (%v, %v), want (%v, %v)", i, p.Real(), d.Real(), sv, ds)
		}
		sv, ds = math.Sin(sv)*xv, math.Cos(sv)*ds*xv+math.Sin(sv)*dx
	}
}

// TestScanJVPOfJVP checks that the JVP of a scan, itself a scan, is
// differentiated again: second and third derivatives against finite
// differences of the first and second.
func TestScanJVPOfJVP(t *testing.T) {
	tr := ad.NewTransformer()
	rng := rand.New(rand.NewSource(5))
	f := scanSum(12, false)
	g := tr.JVP(f)
	args := []eval.Value{eval.Real(0.9), eval.Real(0.2), eval.Real(1), eval.Real(-0.5)}
	checkScanJVP(t, tr, g, args, rng, "jvp(jvp(scansum))")
	h := tr.JVP(g)
	args2 := append(append([]eval.Value(nil), args...), eval.Real(0.3), eval.Real(0.1), eval.Real(-1), eval.Real(2))
	checkScanJVP(t, tr, h, args2, rng, "jvp(jvp(jvp(scansum)))")

	ft := scanTuple(6)
	gt := tr.JVP(ft)
	argsT := []eval.Value{eval.Real(0.7), eval.Array(eval.Real(0.4), eval.Real(-0.9)),
		eval.Real(0.5), eval.Array(eval.Real(-1), eval.Real(0.25))}
	checkScanJVP(t, tr, gt, argsT, rng, "jvp(jvp(scantuple))")
}

// TestScanJVPOfVJP differentiates in forward mode the reverse-mode
// derivative of a loop, whose forward sweep records states with OpScan.
func TestScanJVPOfVJP(t *testing.T) {
	b := ir.NewBuilder("loop", 0)
	x, s0 := b.Param(ir.Real), b.Param(ir.Real)
	blk, ps := b.Begin(ir.Int, ir.Real)
	b.End(b.Binary(ir.OpMul, b.Unary(ir.OpSin, ps[1]), x))
	f := b.Finish(b.Emit(ir.Real, ir.Instr{Op: ir.OpLoop, N: 8, Args: []ir.Var{s0}, Blocks: []*ir.Block{blk}}))
	tr := ad.NewTransformer()
	g, err := tr.VJP(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(g.String(), " = scan ") {
		t.Fatalf("VJP records no states:\n%s", g)
	}
	vals := []float64{1.1, 0.6, 1, -0.5}
	args := make([]eval.Value, len(g.Params))
	for i, p := range g.Params {
		if g.Types[p].Kind != ir.KReal || i >= len(vals) {
			t.Fatalf("unexpected VJP signature:\n%s", g)
		}
		args[i] = eval.Real(vals[i])
	}
	checkScanJVP(t, tr, g, args, rand.New(rand.NewSource(6)), "jvp(vjp(loop))")
}
