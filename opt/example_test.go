package opt_test

import (
	"context"
	"fmt"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/opt"
	"github.com/rose-go/rose/value"
)

// The Go API's optimizer loop: compile once, then minimize; each
// evaluation is one reverse sweep, with no allocation on the compiled
// engine.
func ExampleMinimize() {
	p := rose.Load("fit.rose", []byte(`
fn misfit(w: [2]Real, xs: [4]Real, ys: [4]Real) -> Real {
    var e = 0.0
    for i in 0..4 { let d = w[0] * xs[i] + w[1] - ys[i]; e += d * d }
    e
}`))
	f, err := p.Func("misfit", nil)
	if err != nil {
		panic(err)
	}
	args, err := value.DecodeArgs(f.Params(), []byte(`[[0, 0], [0, 1, 2, 3], [1, 3, 5, 7]]`))
	if err != nil {
		panic(err)
	}
	wrt, _ := f.ParamIndex([]string{"w"}) // fit the line, not the data
	o, err := f.Objective(context.Background(), args, wrt, nil)
	if err != nil {
		panic(err)
	}
	defer o.Close()
	r := opt.Minimize(context.Background(), o, nil, opt.Settings{})
	fmt.Println(o.Inputs(), r.Status)
	fmt.Printf("slope %.6f, intercept %.6f\n", r.X[0], r.X[1])
	// Output:
	// [w[0] w[1]] gradient below tolerance
	// slope 2.000000, intercept 1.000000
}
