package wasm_test

import (
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/value"
)

// viewSrc reads elements of arrays in memory in place (views), next to
// updates of the same arrays that must then not be done in place, loops
// that carry the arrays, calls, branches and derivatives.
const viewSrc = `
fn rows(m: [3][12]Real, i: Int) -> Real {
    let r = m[i]
    let s = m[2 - i]
    r[0] + s[11] + m[i][5] * m[1][i]
}

fn keep(m0: [3][12]Real, i: Int) -> Real {
    var m = m0
    let r = m[i]
    m[i] = m[(i + 1) % 3]
    m[(i + 1) % 3][0] = 100.0
    r[0] + r[11] + m[i][0] + m[(i + 1) % 3][0]
}

// r is m's row k - 1: its pointer has a negative constant part.
fn keep_shift(m0: [3][12]Real) -> Real {
    let pad = m0 * 2.0
    var m = m0 * 1.0
    var s = pad[2][3]
    for k in 0..3 {
        if k > 0 {
            let r = m[k - 1]
            m[k - 1][0] = 100.0 + real(k)
            s += r[0] + r[1]
        }
    }
    s + m[0][0]
}

fn keep_const(m0: [3][12]Real) -> Real {
    var m = m0
    let r = m[1]
    m[1][3] = -1.0
    r[3] + m[1][3]
}

fn carried(m0: [3][12]Real) -> [3][12]Real {
    var m = m0
    for k in 0..5 {
        let r = m[k % 3]
        m[(k + 1) % 3] = r * 2.0
        m[k % 3][k] += r[k + 1]
    }
    m
}

fn total<n>(v: [n]Real) -> Real { sum(v) }

fn passed(m: [4][3][12]Real, i: Int) -> Real {
    let a = m[i]
    total(a[1]) + total(m[3 - i][2]) + (if i > 1 { a[0] } else { m[0][2] })[4]
}

fn nested(m: [4][3][12]Real) -> [3][12]Real {
    [for i in 0..3 { m[i + 1][i] + m[i][2 - i] }]
}

fn loss(m: [4][3][12]Real, w: [12]Real) -> Real {
    var s = 0.0
    for i in 0..4 {
        let a = m[i]
        for j in 0..3 { s += dot(a[j], w) * a[j][i] }
    }
    s
}
`

// TestIndexViews compares the two engines on elements read in place.
func TestIndexViews(t *testing.T) {
	p := rose.Load("view.rose", []byte(viewSrc))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	mat := func(n, k int, base float64) value.Value {
		rows := make([]value.Value, n)
		for i := range rows {
			e := make([]value.Value, k)
			for j := range e {
				e[j] = value.Real(base + float64(i*k+j)*0.25)
			}
			rows[i] = value.Array(e...)
		}
		return value.Array(rows...)
	}
	m3 := mat(3, 12, 1)
	m4 := value.Array(mat(3, 12, 1), mat(3, 12, 20), mat(3, 12, -7), mat(3, 12, 3))
	for i := int64(0); i < 3; i++ {
		check(t, "rows", fn(t, p, "rows"), []value.Value{m3, value.Int(i)}, nil)
		check(t, "keep", fn(t, p, "keep"), []value.Value{m3, value.Int(i)}, nil)
	}
	check(t, "keep_const", fn(t, p, "keep_const"), []value.Value{m3}, nil)
	check(t, "keep_shift", fn(t, p, "keep_shift"), []value.Value{m3}, nil)
	check(t, "carried", fn(t, p, "carried"), []value.Value{m3}, nil)
	for i := int64(0); i < 4; i++ {
		check(t, "passed", fn(t, p, "passed"), []value.Value{m4, value.Int(i)}, nil)
	}
	check(t, "nested", fn(t, p, "nested"), []value.Value{m4}, nil)
	w := mat(1, 12, 0.5).Elem(0)
	loss := fn(t, p, "loss")
	check(t, "loss", loss, []value.Value{m4, w}, nil)
	vjp, err := ad.NewTransformer().VJP(loss)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "loss (vjp)", vjp, []value.Value{m4, w, value.Real(1)}, nil)
	jvp, err := ad.NewTransformer().JVP(loss)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "loss (jvp)", jvp, []value.Value{m4, w, m4, w}, nil)
}
