package ir

import (
	"strconv"
	"strings"
)

// maxTypeString bounds the text of one type, so that printing a malformed
// cyclic type ends (and does not grow exponentially).
const maxTypeString = 4096

// String renders t as in Rose source: Real, Int, Bool, [n]T, (T, U), and a
// struct by its Name when it has one.
func (t *Type) String() string {
	var sb strings.Builder
	writeType(&sb, t)
	return sb.String()
}

func writeType(sb *strings.Builder, t *Type) {
	writeTypeUpTo(sb, t, sb.Len()+maxTypeString)
}

// writeTypeUpTo writes t, eliding what would go beyond the length limit.
func writeTypeUpTo(sb *strings.Builder, t *Type, limit int) {
	switch {
	case t == nil:
		sb.WriteString("<nil>")
		return
	case sb.Len() > limit:
		sb.WriteString("...")
		return
	case t.Name != "":
		sb.WriteString(t.Name)
		return
	}
	switch t.Kind {
	case KReal:
		sb.WriteString("Real")
	case KInt:
		sb.WriteString("Int")
	case KBool:
		sb.WriteString("Bool")
	case KArray:
		sb.WriteByte('[')
		sb.WriteString(strconv.Itoa(t.Len))
		sb.WriteByte(']')
		writeTypeUpTo(sb, t.Elem, limit)
	case KRef:
		sb.WriteString("&")
		writeTypeUpTo(sb, t.Elem, limit)
	case KTape:
		sb.WriteString("[?]")
		writeTypeUpTo(sb, t.Elem, limit)
	case KTuple:
		sb.WriteByte('(')
		for i, e := range t.Elems {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeTypeUpTo(sb, e, limit)
		}
		sb.WriteByte(')')
	default:
		sb.WriteString("kind")
		sb.WriteString(strconv.Itoa(int(t.Kind)))
		sb.WriteString("?")
	}
}

// String renders f in a stable textual form for golden tests and debugging.
// It tolerates malformed functions (it is used in Verify's messages).
func (f *Func) String() string {
	var p printer
	p.fn(f)
	return p.sb.String()
}

// String renders every function of p, separated by blank lines.
func (p *Program) String() string {
	var pr printer
	for i, f := range p.Funcs {
		if i > 0 {
			pr.sb.WriteByte('\n')
		}
		pr.fn(f)
	}
	return pr.sb.String()
}

type printer struct {
	sb     strings.Builder
	f      *Func
	blocks map[*Block]bool // printed already: malformed IR may share blocks
}

func (p *printer) fn(f *Func) {
	p.f = f
	if f == nil {
		p.sb.WriteString("fn <nil>\n")
		return
	}
	p.sb.WriteString("fn ")
	p.sb.WriteString(f.Name)
	p.sb.WriteByte('(')
	for i, v := range f.Params {
		if i > 0 {
			p.sb.WriteString(", ")
		}
		p.decl(v)
	}
	p.sb.WriteString(") -> ")
	if f.Body != nil {
		writeType(&p.sb, p.typ(f.Body.Result))
	} else {
		p.sb.WriteString("<nil>")
	}
	p.sb.WriteString(" {\n")
	p.blockBody(f.Body, 1)
	p.sb.WriteString("}\n")
}

// typ is f.Types[v], or nil when v is out of range.
func (p *printer) typ(v Var) *Type {
	if v < 0 || int(v) >= len(p.f.Types) {
		return nil
	}
	return p.f.Types[v]
}

func (p *printer) v(v Var) {
	p.sb.WriteByte('%')
	p.sb.WriteString(strconv.Itoa(int(v)))
}

// decl writes "%v: T".
func (p *printer) decl(v Var) {
	p.v(v)
	p.sb.WriteString(": ")
	writeType(&p.sb, p.typ(v))
}

func (p *printer) indent(depth int) {
	for i := 0; i < depth; i++ {
		p.sb.WriteString("  ")
	}
}

// blockBody writes b's instructions and its yield, each on its own line at
// the given depth.
func (p *printer) blockBody(b *Block, depth int) {
	if b == nil {
		p.indent(depth)
		p.sb.WriteString("<nil block>\n")
		return
	}
	if p.blocks[b] {
		p.indent(depth)
		p.sb.WriteString("<block printed above>\n")
		return
	}
	if p.blocks == nil {
		p.blocks = map[*Block]bool{}
	}
	p.blocks[b] = true
	for i := range b.Instrs {
		p.instr(&b.Instrs[i], depth)
	}
	p.indent(depth)
	p.sb.WriteString("yield ")
	p.v(b.Result)
	p.sb.WriteByte('\n')
}

// head writes the first line of in without indentation or nested blocks;
// for instructions with blocks it ends before the opening brace.
func (p *printer) head(in *Instr) {
	p.decl(in.Dst)
	p.sb.WriteString(" = ")
	p.sb.WriteString(in.Op.String())
	switch in.Op {
	case OpConst:
		p.sb.WriteByte(' ')
		t := p.typ(in.Dst)
		switch {
		case t != nil && t.Kind == KReal:
			p.sb.WriteString(strconv.FormatFloat(in.F, 'g', -1, 64))
		case t != nil && t.Kind == KBool && in.I == 0:
			p.sb.WriteString("false")
		case t != nil && t.Kind == KBool && in.I == 1:
			p.sb.WriteString("true")
		default:
			p.sb.WriteString(strconv.FormatInt(in.I, 10))
		}
		return
	case OpFor, OpLoop, OpScan, OpWhile, OpWhileScan:
		p.sb.WriteByte(' ')
		p.sb.WriteString(strconv.Itoa(in.N))
	case OpPolygamma:
		p.sb.WriteByte(' ')
		p.sb.WriteString(strconv.FormatInt(in.I, 10)) // the order
	case OpCall:
		p.sb.WriteByte(' ')
		if in.Callee == nil {
			p.sb.WriteString("<nil>")
		} else {
			p.sb.WriteString(in.Callee.Name)
		}
	}
	for _, a := range in.Args {
		p.sb.WriteByte(' ')
		p.v(a)
	}
	if in.Op == OpField || in.Op == OpRefField {
		p.sb.WriteByte(' ')
		p.sb.WriteString(strconv.Itoa(in.N))
	}
}

func (p *printer) instr(in *Instr, depth int) {
	p.indent(depth)
	p.head(in)
	switch {
	case in.Op == OpIf && len(in.Blocks) == 2:
		p.sb.WriteString(" {\n")
		p.blockBody(in.Blocks[0], depth+1)
		p.indent(depth)
		p.sb.WriteString("} else {\n")
		p.blockBody(in.Blocks[1], depth+1)
		p.indent(depth)
		p.sb.WriteString("}\n")
		return
	case (in.Op == OpFor || in.Op == OpLoop || in.Op == OpScan) && len(in.Blocks) == 1 && in.Blocks[0] != nil:
		p.sb.WriteString(" |")
		for i, v := range in.Blocks[0].Params {
			if i > 0 {
				p.sb.WriteString(", ")
			}
			p.decl(v)
		}
		p.sb.WriteString("| {\n")
		p.blockBody(in.Blocks[0], depth+1)
		p.indent(depth)
		p.sb.WriteString("}\n")
		return
	case (in.Op == OpWhile || in.Op == OpWhileScan) && len(in.Blocks) == 2 && in.Blocks[0] != nil && in.Blocks[1] != nil:
		for k, b := range in.Blocks {
			if k > 0 {
				p.sb.WriteString(" do")
			}
			p.sb.WriteString(" |")
			for i, v := range b.Params {
				if i > 0 {
					p.sb.WriteString(", ")
				}
				p.decl(v)
			}
			p.sb.WriteString("| {\n")
			p.blockBody(b, depth+1)
			p.indent(depth)
			p.sb.WriteString("}")
		}
		p.sb.WriteByte('\n')
		return
	}
	// Malformed or block-less: print any blocks generically.
	if len(in.Blocks) == 0 {
		p.sb.WriteByte('\n')
		return
	}
	for i, b := range in.Blocks {
		if i > 0 {
			p.sb.WriteString(" else")
		}
		p.sb.WriteString(" {\n")
		p.blockBody(b, depth+1)
		p.indent(depth)
		p.sb.WriteString("}")
	}
	p.sb.WriteByte('\n')
}

// instrString is the one-line head of in within f, for error messages.
func instrString(f *Func, in *Instr) string {
	p := printer{f: f}
	p.head(in)
	return p.sb.String()
}
