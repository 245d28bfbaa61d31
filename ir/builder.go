package ir

// Builder appends instructions to a function under construction. Nested
// blocks are opened with Begin and closed with End; instructions go to the
// innermost open block.
type Builder struct {
	F     *Func
	stack []*Block
	// Pos is stamped on every instruction emitted until it changes.
	Pos Pos
}

// NewBuilder starts a function named name whose body is the open block.
func NewBuilder(name string, pos Pos) *Builder {
	f := &Func{Name: name, Pos: pos, Body: &Block{Result: NoVar}}
	return &Builder{F: f, stack: []*Block{f.Body}, Pos: pos}
}

// NewVar adds a variable of type t, defined by nothing yet.
func (b *Builder) NewVar(t *Type) Var {
	if len(b.F.Types) == cap(b.F.Types) {
		b.F.Types = grow(b.F.Types)
	}
	b.F.Types = append(b.F.Types, t)
	return Var(len(b.F.Types) - 1)
}

// Param adds a function parameter of type t.
func (b *Builder) Param(t *Type) Var {
	v := b.NewVar(t)
	b.F.Params = append(b.F.Params, v)
	return v
}

// Type is the type of v.
func (b *Builder) Type(v Var) *Type { return b.F.Types[v] }

func (b *Builder) cur() *Block { return b.stack[len(b.stack)-1] }

// Emit appends in, stamped with b.Pos, with a fresh destination of type t
// and returns the destination.
func (b *Builder) Emit(t *Type, in Instr) Var {
	in.Dst = b.NewVar(t)
	in.Pos = b.Pos
	blk := b.cur()
	if len(blk.Instrs) == cap(blk.Instrs) {
		blk.Instrs = grow(blk.Instrs)
	}
	blk.Instrs = append(blk.Instrs, in)
	return in.Dst
}

// grow returns s with room for as many more elements as it has. append
// alone grows a large slice by only a quarter, so that building a block of
// n instructions would copy about 5n of them (and allocate as much, for the
// garbage collector to reclaim); doubling copies at most 2n.
func grow[T any](s []T) []T {
	if cap(s) < 256 {
		return s // append's own growth doubles small slices
	}
	return append(make([]T, 0, 2*cap(s)), s...)
}

// Real emits a Real constant.
func (b *Builder) Real(x float64) Var { return b.Emit(Real, Instr{Op: OpConst, F: x}) }

// Int emits an Int constant.
func (b *Builder) Int(i int64) Var { return b.Emit(Int, Instr{Op: OpConst, I: i}) }

// Bool emits a Bool constant.
func (b *Builder) Bool(x bool) Var {
	var i int64
	if x {
		i = 1
	}
	return b.Emit(Bool, Instr{Op: OpConst, I: i})
}

// Unary emits a one-operand operation whose result has x's type.
func (b *Builder) Unary(op Op, x Var) Var {
	return b.Emit(b.Type(x), Instr{Op: op, Args: []Var{x}})
}

// Binary emits a two-operand arithmetic operation whose result has x's type.
func (b *Builder) Binary(op Op, x, y Var) Var {
	return b.Emit(b.Type(x), Instr{Op: op, Args: []Var{x, y}})
}

// Compare emits a comparison; the result is Bool.
func (b *Builder) Compare(op Op, x, y Var) Var {
	return b.Emit(Bool, Instr{Op: op, Args: []Var{x, y}})
}

// Tuple emits a tuple of type t from its fields.
func (b *Builder) Tuple(t *Type, fields ...Var) Var {
	return b.Emit(t, Instr{Op: OpTuple, Args: fields})
}

// Field emits field i of tuple x.
func (b *Builder) Field(x Var, i int) Var {
	return b.Emit(b.Type(x).Elems[i], Instr{Op: OpField, Args: []Var{x}, N: i})
}

// Index emits a[i].
func (b *Builder) Index(a, i Var) Var {
	return b.Emit(b.Type(a).Elem, Instr{Op: OpIndex, Args: []Var{a, i}})
}

// Call emits a call of callee.
func (b *Builder) Call(callee *Func, args ...Var) Var {
	return b.Emit(callee.Result(), Instr{Op: OpCall, Callee: callee, Args: args})
}

// Begin opens a nested block with parameters of the given types and returns
// the block and its parameters.
func (b *Builder) Begin(params ...*Type) (*Block, []Var) {
	blk := &Block{Result: NoVar}
	for _, t := range params {
		blk.Params = append(blk.Params, b.NewVar(t))
	}
	b.stack = append(b.stack, blk)
	return blk, blk.Params
}

// End closes the innermost block with the given result.
func (b *Builder) End(result Var) *Block {
	blk := b.cur()
	blk.Result = result
	b.stack = b.stack[:len(b.stack)-1]
	return blk
}

// Finish closes the function body with the given result and returns the
// function.
func (b *Builder) Finish(result Var) *Func {
	b.F.Body.Result = result
	b.F.Body.Instrs = trim(b.F.Body.Instrs)
	b.F.Types = trim(b.F.Types)
	return b.F
}

// trim drops the room that grow's doubling left in a large slice, which
// would otherwise live as long as the function.
func trim[T any](s []T) []T {
	if n := len(s); n > 256 && cap(s)-n > n/4 {
		return append(make([]T, 0, n), s...)
	}
	return s
}
