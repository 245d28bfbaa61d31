// Command compare is bench/compare.sh's helper.
//
//	compare args DIR         writes each workload's argument list, DIR/<workload>.json
//	compare table [flags]    prints the table of medians and ratios (Markdown)
//
// table reads `go test -bench` output with BenchmarkHand/<workload>/{value,grad}
// and BenchmarkEval/..., the JSON that `rose bench --json` prints for each
// workload of an engine (DIR/<workload>.json, or DIR/reason if the engine
// is missing), and the original Rose's results/*.json.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/rose-go/rose/bench/handgo"
)

// workloads in table order, with what `rose bench -f` needs to time each.
var workloads = []struct {
	name, file, fn, wrt, title string
}{
	{"billiards", "examples/billiards.rose", "loss", "", "billiards, 11 balls x 1024 steps"},
	{"mass_spring", "examples/mass_spring.rose", "loss", "", "mass-spring, robot D x 1364 steps"},
	{"rosenbrock1000", "examples/rosenbrock.rose", "rosenbrock", "", "Rosenbrock n=1000"},
	{"gmm_d2_K5", "examples/gmm.rose", "gmm", "alphas,means,icf", "GMM 1k points, d=2 K=5"},
	{"gmm_d10_K25", "examples/gmm.rose", "gmm", "alphas,means,icf", "GMM 1k points, d=10 K=25"},
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compare args DIR | compare table [flags] | compare list")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "args":
		err = writeArgs(os.Args[2:])
	case "list":
		for _, w := range workloads {
			fmt.Printf("%s %s %s %s\n", w.name, w.file, w.fn, w.wrt)
		}
	case "table":
		err = table(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func writeArgs(args []string) error {
	fs := flag.NewFlagSet("args", flag.ExitOnError)
	adbench := fs.String("adbench", "../shared/data/adbench", "ADBench data `DIR`")
	fs.Parse(args)
	if fs.NArg() != 1 {
		return fmt.Errorf("args: expects DIR")
	}
	dir := fs.Arg(0)
	files := map[string][]byte{
		"billiards":      handgo.BilliardsArgs,
		"mass_spring":    handgo.InitialWeights().ArgsJSON(),
		"rosenbrock1000": handgo.RosenbrockArgs(handgo.RosenbrockPoint(1000)),
	}
	for _, name := range []string{"d2_K5", "d10_K25"} {
		in, err := handgo.ReadGMM(filepath.Join(*adbench, "gmm/1k/gmm_"+name+".txt"))
		if err != nil {
			return err
		}
		files["gmm_"+name] = in.ArgsJSON()
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name+".json"), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// times are the medians of one column, ns, by "<workload>/value" and
// "<workload>/grad"; reason says why a column is empty.
type column struct {
	ns     map[string]float64
	reason string
}

var benchLine = regexp.MustCompile(`^Benchmark(Hand|Eval)/(\S+?)(-\d+)?\s+\d+\s+([0-9.]+) ns/op`)

// goColumns reads the medians of BenchmarkHand and BenchmarkEval.
func goColumns(path string) (hand, eval column, runs int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return hand, eval, 0, err
	}
	defer f.Close()
	all := map[string]map[string][]float64{"Hand": {}, "Eval": {}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ns, err := strconv.ParseFloat(m[4], 64)
		if err != nil {
			continue
		}
		all[m[1]][m[2]] = append(all[m[1]][m[2]], ns)
	}
	med := func(runs map[string][]float64) column {
		c := column{ns: map[string]float64{}}
		for k, xs := range runs {
			c.ns[k] = median(xs)
		}
		return c
	}
	for _, xs := range all["Hand"] {
		runs = len(xs)
	}
	return med(all["Hand"]), med(all["Eval"]), runs, sc.Err()
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// engineColumn reads DIR/<workload>.json as `rose bench --json` prints it.
func engineColumn(dir string) column {
	c := column{ns: map[string]float64{}}
	if r, err := os.ReadFile(filepath.Join(dir, "reason")); err == nil {
		c.reason = strings.TrimSpace(string(r))
		return c
	}
	for _, w := range workloads {
		data, err := os.ReadFile(filepath.Join(dir, w.name+".json"))
		if err != nil {
			continue
		}
		var rows []struct {
			Value int64  `json:"value_ns"`
			Grad  *int64 `json:"grad_ns"`
		}
		if json.Unmarshal(data, &rows) != nil || len(rows) != 1 {
			continue
		}
		c.ns[w.name+"/value"] = float64(rows[0].Value)
		if rows[0].Grad != nil {
			c.ns[w.name+"/grad"] = float64(*rows[0].Grad)
		}
	}
	if len(c.ns) == 0 {
		c.reason = "n/a (no figures in " + dir + ")"
	}
	return c
}

// roseColumn reads the medians the original Rose's scripts wrote:
// wall-clock per call, in ms.
func roseColumn(dir string) column {
	c := column{ns: map[string]float64{}}
	type stat struct {
		Wall struct{ Median float64 } `json:"wall_ms"`
	}
	read := func(name string, v any) bool {
		data, err := os.ReadFile(filepath.Join(dir, name+".json"))
		return err == nil && json.Unmarshal(data, v) == nil
	}
	for _, name := range []string{"billiards", "mass_spring"} {
		var r struct {
			PerCall struct {
				ForwardLoss stat `json:"forwardLoss"`
				LossAndGrad stat `json:"lossAndGrad"`
			} `json:"perCall"`
		}
		if read(name, &r) {
			c.ns[name+"/value"] = r.PerCall.ForwardLoss.Wall.Median * 1e6
			c.ns[name+"/grad"] = r.PerCall.LossAndGrad.Wall.Median * 1e6
		}
	}
	var micro struct {
		Rosenbrock []struct {
			N       int
			Style   string
			PerCall struct {
				F        stat `json:"f"`
				FAndGrad stat `json:"fAndGrad"`
			} `json:"perCall"`
		} `json:"rosenbrock"`
	}
	if read("micro", &micro) {
		for _, r := range micro.Rosenbrock {
			if r.N == 1000 && r.Style == "sum" {
				c.ns["rosenbrock1000/value"] = r.PerCall.F.Wall.Median * 1e6
				c.ns["rosenbrock1000/grad"] = r.PerCall.FAndGrad.Wall.Median * 1e6
			}
		}
	}
	if len(c.ns) == 0 {
		c.reason = "n/a (no results in " + dir + ")"
	}
	return c
}

func show(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.3g s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.3g ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.3g us", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func table(args []string) error {
	fs := flag.NewFlagSet("table", flag.ExitOnError)
	goOut := fs.String("go", "", "`FILE` of go test -bench output")
	compiled := fs.String("compiled", "", "`DIR` of the compiled engine's figures")
	wasm := fs.String("wasm", "", "`DIR` of the exported .wasm's figures in Node")
	rose := fs.String("rose", "", "the original Rose's results `DIR`")
	fs.Parse(args)
	hand, eval, runs, err := goColumns(*goOut)
	if err != nil {
		return err
	}
	cols := []struct {
		title string
		c     column
	}{
		{"hand-written Go", hand},
		{"our evaluator", eval},
		{"our compiled engine", engineColumn(*compiled)},
		{"our .wasm in Node", engineColumn(*wasm)},
		{"original Rose (npm 0.4.10)", roseColumn(*rose)},
	}
	ours := []int{1, 2, 3}
	const roseCol = 4
	var b strings.Builder
	fmt.Fprintf(&b, "Medians per call; in brackets, the ratio to hand-written Go (Go benchmarks: median of %d runs of `go test -bench`).\n\n", runs)
	fmt.Fprint(&b, "| workload | measure |")
	for _, c := range cols {
		fmt.Fprintf(&b, " %s |", c.title)
	}
	for _, i := range ours {
		fmt.Fprintf(&b, " %s / Rose |", strings.TrimPrefix(cols[i].title, "our "))
	}
	fmt.Fprint(&b, "\n|---|---|")
	for range len(cols) + len(ours) {
		fmt.Fprint(&b, "---|")
	}
	fmt.Fprintln(&b)
	for _, w := range workloads {
		for _, m := range []string{"value", "grad"} {
			key := w.name + "/" + m
			if _, ok := hand.ns[key]; !ok {
				continue
			}
			label := "value"
			if m == "grad" {
				label = "value + gradient"
			}
			fmt.Fprintf(&b, "| %s | %s |", w.title, label)
			base := hand.ns[key]
			for i, c := range cols {
				ns, ok := c.c.ns[key]
				switch {
				case !ok && c.c.reason != "":
					fmt.Fprintf(&b, " %s |", c.c.reason)
				case !ok:
					fmt.Fprint(&b, " - |")
				case i == 0:
					fmt.Fprintf(&b, " %s |", show(ns))
				default:
					fmt.Fprintf(&b, " %s (%.3gx) |", show(ns), ns/base)
				}
			}
			r, rok := cols[roseCol].c.ns[key]
			for _, i := range ours {
				ns, ok := cols[i].c.ns[key]
				if ok && rok {
					fmt.Fprintf(&b, " %.3gx |", ns/r)
				} else {
					fmt.Fprint(&b, " - |")
				}
			}
			fmt.Fprintln(&b)
		}
	}
	_, err = os.Stdout.WriteString(b.String())
	return err
}
