package ad

import (
	"fmt"

	"github.com/rose-go/rose/ir"
)

// Resolve replaces, in f and in every function it calls, each call of a
// derivative reference (a Func with Deriv set, as the checker emits for
// grad(g), jvp(g) and vjp(g)) by a call of the derivative itself, made on
// first use and cached. After Resolve, f can be verified and run.
func (tr *Transformer) Resolve(f *ir.Func) error {
	if tr.resolved == nil {
		tr.resolved = map[*ir.Func]bool{}
	}
	if tr.resolved[f] {
		return nil
	}
	tr.resolved[f] = true
	if f.Deriv != nil {
		return fmt.Errorf("ad: %s is a derivative reference, not a function", f.Name)
	}
	if f.CustomJVP != nil {
		if err := tr.Resolve(f.CustomJVP); err != nil {
			return err
		}
	}
	var walk func(b *ir.Block) error
	walk = func(b *ir.Block) error {
		for i := range b.Instrs {
			in := &b.Instrs[i]
			if in.Callee != nil {
				if in.Callee.Deriv != nil {
					g, err := tr.materialize(in.Callee)
					if err != nil {
						return err
					}
					in.Callee = g
				} else if err := tr.Resolve(in.Callee); err != nil {
					return err
				}
			}
			for _, nb := range in.Blocks {
				if err := walk(nb); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(f.Body)
}

// materialize makes the derivative a reference names.
func (tr *Transformer) materialize(ref *ir.Func) (*ir.Func, error) {
	of := ref.Deriv.Of
	var err error
	if of.Deriv != nil {
		if of, err = tr.materialize(of); err != nil {
			return nil, err
		}
	} else if err := tr.Resolve(of); err != nil {
		return nil, err
	}
	switch ref.Deriv.Kind {
	case "jvp":
		return tr.JVP(of)
	case "vjp":
		return tr.VJP(of)
	case "grad":
		return tr.GradWrt(of, ref.Deriv.Wrt)
	}
	return nil, fmt.Errorf("ad: unknown derivative %q", ref.Deriv.Kind)
}

// Grad returns the gradient of f, which must have a Real result: a
// function of f's parameters returning the cotangent of its only parameter,
// or the tuple of the cotangents of all of them.
func (tr *Transformer) Grad(f *ir.Func) (*ir.Func, error) {
	return tr.GradWrt(f, nil)
}

// GradWrt is Grad with respect to the parameters wrt only (all if nil): it
// returns their cotangents, one or a tuple, and differentiates by nothing
// else.
func (tr *Transformer) GradWrt(f *ir.Func, wrt []int) (*ir.Func, error) {
	key := fmt.Sprint(wrt)
	if g, ok := tr.grad[f][key]; ok {
		return g, nil
	}
	if f.Result().Kind != ir.KReal {
		return nil, fmt.Errorf("ad: the gradient of %s needs a Real result, not %v", f.Name, f.Result())
	}
	var v *ir.Func
	var err error
	if wrt == nil {
		wrt = make([]int, len(f.Params))
		for i := range wrt {
			wrt[i] = i
		}
	}
	if len(wrt) == len(f.Params) || f.CustomJVP != nil {
		v, err = tr.VJP(f) // a custom rule is transposed whole
	} else {
		inputs := make([]bool, len(f.Params))
		for _, k := range wrt {
			inputs[k] = true
		}
		v, err = tr.vjpBuild(f, true, inputs, map[*ir.Func]*ir.Func{})
	}
	if err != nil {
		return nil, err
	}
	b := ir.NewBuilder("grad("+f.Name+")", f.Pos)
	args := make([]ir.Var, 0, len(f.Params)+1)
	for _, p := range f.Params {
		args = append(args, b.Param(f.Types[p]))
	}
	args = append(args, b.Real(1))
	out := b.Call(v, args...)
	var res ir.Var
	if len(wrt) == 1 {
		res = b.Field(out, wrt[0]+1)
	} else {
		fields := make([]ir.Var, len(wrt))
		types := make([]*ir.Type, len(wrt))
		for i, k := range wrt {
			fields[i] = b.Field(out, k+1)
			types[i] = Tangent(f.Types[f.Params[k]])
		}
		res = b.Tuple(ir.TupleOf(types...), fields...)
	}
	g := b.Finish(res)
	if tr.grad[f] == nil {
		tr.grad[f] = map[string]*ir.Func{}
	}
	tr.grad[f][key] = g
	return g, nil
}
