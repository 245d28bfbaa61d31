package rose_test

import (
	"context"
	"fmt"
	"log"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// Load a program, call a function and take its gradient.
func Example() {
	src := `
fn area(w: Real, h: Real) -> Real { w * h }
fn cost(w: Real, h: Real) -> Real { area(w, h) + 2.0 * (w + h) }
`
	prog := rose.Load("cost.rose", []byte(src))
	if err := prog.Err(); err != nil {
		log.Fatal(err) // syntax and type errors, with file:line:col
	}
	f, err := prog.Func("cost", nil)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	args := []value.Value{value.Real(3), value.Real(2)}
	v, err := f.Call(ctx, args, nil)
	if err != nil {
		log.Fatal(err)
	}
	g, err := f.Grad(ctx, args, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("cost:", v)
	fmt.Println("d/dw:", *g.Grad[0], "d/dh:", *g.Grad[1])
	// Output:
	// cost: 16.0
	// d/dw: 4.0 d/dh: 5.0
}
