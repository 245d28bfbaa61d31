// Command gbtable turns the run.py summaries that bench/gradbench.sh
// writes (DIR/EVAL.TOOL.json) into the markdown tables of
// bench/GRADBENCH.md: per eval, size and function the median time per
// evaluate of each tool, our ratio to each, and each tool's derivative /
// primal ratio.
//
//	go run ./bench/gbtable -dir /tmp/gb-bench -header header.md > bench/GRADBENCH.md
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// tools, in the order of the table's columns; ours first.
var tools = []string{"rose", "manual", "pytorch", "tensorflow-js"}

// evals in GradBench's order, with the primal and derivative function of
// each (none for the nested-optimization evals, whose four functions are
// all derivatives).
var evals = []struct{ name, primal, deriv string }{
	{"hello", "square", "double"},
	{"lse", "primal", "gradient"},
	{"llsq", "primal", "gradient"},
	{"det", "primal", "gradient"},
	{"gmm", "objective", "jacobian"},
	{"ba", "objective", "jacobian"},
	{"ht", "objective", "jacobian"},
	{"lstm", "objective", "jacobian"},
	{"kmeans", "cost", "dir"},
	{"ode", "primal", "gradient"},
	{"particle", "", ""},
	{"saddle", "", ""},
}

type summary struct {
	Outcome   string `json:"outcome"`
	Evaluates []struct {
		Function    string  `json:"function"`
		Description string  `json:"description"`
		EvaluateNs  []int64 `json:"evaluate_ns"`
		Verdict     string  `json:"verdict"`
	} `json:"evaluates"`
}

// key is one row: a function at one size.
type key struct{ desc, fn string }

func main() {
	dir := flag.String("dir", "", "the folder of run.py summaries, EVAL.TOOL.json")
	header := flag.String("header", "", "a markdown file to print first")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: gbtable -dir DIR [-header FILE]")
		os.Exit(2)
	}
	if *header != "" {
		b, err := os.ReadFile(*header)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Stdout.Write(b)
	}
	for _, e := range evals {
		med := map[string]map[key]int64{} // tool -> row -> median ns
		outcome := map[string]string{}    // tool -> outcome
		var rows []key
		seen := map[key]bool{}
		for _, tool := range tools {
			b, err := os.ReadFile(filepath.Join(*dir, e.name+"."+tool+".json"))
			if err != nil {
				continue
			}
			var s summary
			if err := json.Unmarshal(b, &s); err != nil {
				fmt.Fprintf(os.Stderr, "%s.%s.json: %v\n", e.name, tool, err)
				continue
			}
			outcome[tool] = s.Outcome
			med[tool] = map[key]int64{}
			for _, ev := range s.Evaluates {
				if len(ev.EvaluateNs) == 0 || ev.Verdict != "valid" {
					continue
				}
				k := key{normal(ev.Description), ev.Function}
				med[tool][k] = median(ev.EvaluateNs)
				if !seen[k] && tool == "rose" {
					seen[k] = true
					rows = append(rows, k)
				}
			}
		}
		if len(outcome) == 0 {
			continue
		}
		fmt.Printf("\n### %s\n\n", e.name)
		var outs []string
		for _, tool := range tools {
			if o, ok := outcome[tool]; ok {
				outs = append(outs, tool+": "+o)
			}
		}
		fmt.Printf("Outcomes: %s.\n\n", strings.Join(outs, ", "))
		fmt.Printf("| size | function |")
		for _, tool := range tools {
			fmt.Printf(" %s |", tool)
		}
		for _, tool := range tools[1:] {
			fmt.Printf(" rose / %s |", tool)
		}
		fmt.Println()
		fmt.Println("|" + strings.Repeat("---|", 2+2*len(tools)-1))
		for _, k := range rows {
			fmt.Printf("| %s | %s |", k.desc, k.fn)
			for _, tool := range tools {
				fmt.Printf(" %s |", show(med[tool], k))
			}
			r := med["rose"][k]
			for _, tool := range tools[1:] {
				if t, ok := med[tool][k]; ok && t > 0 {
					fmt.Printf(" %.3gx |", float64(r)/float64(t))
				} else {
					fmt.Printf(" - |")
				}
			}
			fmt.Println()
		}
		if e.primal == "" {
			continue
		}
		// Derivative / primal, per tool and size.
		var sizes []string
		sizeSeen := map[string]bool{}
		for _, k := range rows {
			if !sizeSeen[k.desc] {
				sizeSeen[k.desc] = true
				sizes = append(sizes, k.desc)
			}
		}
		fmt.Printf("\n%s / %s:\n\n| size |", e.deriv, e.primal)
		for _, tool := range tools {
			fmt.Printf(" %s |", tool)
		}
		fmt.Println()
		fmt.Println("|" + strings.Repeat("---|", 1+len(tools)))
		for _, sz := range sizes {
			fmt.Printf("| %s |", sz)
			for _, tool := range tools {
				p, ok1 := med[tool][key{sz, e.primal}]
				d, ok2 := med[tool][key{sz, e.deriv}]
				if ok1 && ok2 && p > 0 {
					fmt.Printf(" %.3g |", float64(d)/float64(p))
				} else {
					fmt.Printf(" - |")
				}
			}
			fmt.Println()
		}
	}
}

// normal writes a description that is a number in one form, so that
// hello's inputs (each tool's own previous outputs, 1 or 1.0) match.
func normal(desc string) string {
	var x float64
	if err := json.Unmarshal([]byte(desc), &x); err == nil {
		return fmt.Sprint(x)
	}
	return desc
}

func median(xs []int64) int64 {
	s := append([]int64(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func show(m map[key]int64, k key) string {
	ns, ok := m[k]
	if !ok {
		return "-"
	}
	d := time.Duration(ns)
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.3g s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3g ms", float64(d)/1e6)
	case d >= time.Microsecond:
		return fmt.Sprintf("%.3g µs", float64(d)/1e3)
	}
	return fmt.Sprintf("%d ns", ns)
}
