package ad_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// The helpers below are copies of those in jvp_test.go, so that this file
// stands on its own.

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
				checkJVP(t, tr, f, []value.Value{value.Real(a[0]), value.Real(a[1])}, rng, f.Name)
			}
		}
		f := scanTuple(n)
		args := []value.Value{value.Real(0.7), value.Array(value.Real(0.4), value.Real(-0.9))}
		checkJVP(t, tr, f, args, rng, f.Name)
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
	g := mustJVP(ad.NewTransformer(), f)
	xv, sv, dx, ds := 1.3, 0.4, 0.7, -0.2
	out := call(t, g, []value.Value{value.Real(xv), value.Real(sv), value.Real(dx), value.Real(ds)})
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
	g := mustJVP(tr, f)
	args := []value.Value{value.Real(0.9), value.Real(0.2), value.Real(1), value.Real(-0.5)}
	checkJVP(t, tr, g, args, rng, "jvp(jvp(scansum))")
	h := mustJVP(tr, g)
	args2 := append(append([]value.Value(nil), args...), value.Real(0.3), value.Real(0.1), value.Real(-1), value.Real(2))
	checkJVP(t, tr, h, args2, rng, "jvp(jvp(jvp(scansum)))")

	ft := scanTuple(6)
	gt := mustJVP(tr, ft)
	argsT := []value.Value{value.Real(0.7), value.Array(value.Real(0.4), value.Real(-0.9)),
		value.Real(0.5), value.Array(value.Real(-1), value.Real(0.25))}
	checkJVP(t, tr, gt, argsT, rng, "jvp(jvp(scantuple))")
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
	args := make([]value.Value, len(g.Params))
	for i, p := range g.Params {
		if g.Types[p].Kind != ir.KReal || i >= len(vals) {
			t.Fatalf("unexpected VJP signature:\n%s", g)
		}
		args[i] = value.Real(vals[i])
	}
	checkJVP(t, tr, g, args, rand.New(rand.NewSource(6)), "jvp(vjp(loop))")
}
