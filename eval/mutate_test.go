package eval

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// zeroValue is a value.Value of type t with all scalars zero.
func zeroValue(t *ir.Type) value.Value {
	switch t.Kind {
	case ir.KArray:
		es := make([]value.Value, t.Len)
		for i := range es {
			es[i] = zeroValue(t.Elem)
		}
		return value.Array(es...)
	case ir.KTuple:
		es := make([]value.Value, len(t.Elems))
		for i := range es {
			es[i] = zeroValue(t.Elems[i])
		}
		return value.Tuple(es...)
	case ir.KInt:
		return value.Int(0)
	case ir.KBool:
		return value.Bool(false)
	}
	return value.Real(0)
}

func allInstrs(b *ir.Block, out []*ir.Instr) []*ir.Instr {
	if b == nil {
		return out
	}
	for i := range b.Instrs {
		in := &b.Instrs[i]
		out = append(out, in)
		for _, nb := range in.Blocks {
			out = allInstrs(nb, out)
		}
	}
	return out
}

// TestMutations damages valid functions at random: Verify must reject the
// damage or the result must compile and run without panicking. This checks
// that Verify covers everything Compile and the interpreter rely on.
func TestMutations(t *testing.T) {
	types := []*ir.Type{ir.Real, ir.Int, ir.Bool, v2, pairT, ballType, ir.ArrayOf(0, ir.Real), ir.TupleOf()}
	builders := []func() *ir.Func{
		func() *ir.Func { return projectile(3) },
		func() *ir.Func { _, _, top := calls(); return top },
		func() *ir.Func {
			b := ir.NewBuilder("mix", 0)
			a := b.Param(ir.ArrayOf(3, ir.Real))
			n := b.Param(ir.Int)
			c := b.Compare(ir.OpLt, n, b.Int(2))
			r := ifElse(b, ir.Real, c, func() ir.Var { return b.Index(a, n) }, func() ir.Var { return b.Real(1) })
			arr := forLoop(b, 3, pairT, func(i ir.Var) ir.Var { return b.Tuple(pairT, r, b.Binary(ir.OpDiv, i, n)) })
			return b.Finish(b.Field(b.Index(arr, b.Binary(ir.OpMod, n, b.Int(3))), 0))
		},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	accepted := 0
	for iter := 0; iter < 20000; iter++ {
		f := builders[iter%len(builders)]()
		ins := allInstrs(f.Body, nil)
		for k := 0; k < 1+rng.IntN(2); k++ {
			in := ins[rng.IntN(len(ins))]
			nv := ir.Var(rng.IntN(len(f.Types)+2) - 1)
			switch rng.IntN(9) {
			case 0:
				if len(in.Args) > 0 {
					in.Args[rng.IntN(len(in.Args))] = nv
				}
			case 1:
				in.Op = ir.Op(rng.IntN(50))
			case 2:
				in.N = rng.IntN(5) - 1
			case 3:
				f.Types[rng.IntN(len(f.Types))] = types[rng.IntN(len(types))]
			case 4:
				in.Dst = nv
			case 5:
				if len(in.Blocks) > 0 {
					in.Blocks[0].Result = nv
				} else {
					f.Body.Result = nv
				}
			case 6:
				if len(in.Blocks) > 0 {
					in.Blocks = in.Blocks[1:]
				}
			case 7:
				in.Args = append(in.Args, nv)
			case 8:
				if len(in.Blocks) > 0 && len(in.Blocks[0].Params) > 0 {
					in.Blocks[0].Params[0] = nv
				}
			}
		}
		if ir.Verify(f) != nil {
			continue
		}
		accepted++
		code, err := Compile(f)
		if err != nil {
			continue
		}
		args := make([]value.Value, len(f.Params))
		for i, p := range f.Params {
			args[i] = zeroValue(f.Types[p])
		}
		_, _ = code.Call(context.Background(), args, &Options{MaxSteps: 1000})
		_ = f.String()
	}
	t.Logf("%d mutants passed Verify", accepted)
}
