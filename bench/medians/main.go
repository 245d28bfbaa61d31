// Command medians reads `go test -bench` output on stdin and prints, per
// benchmark, the median ns/op over its runs, and for every pair named
// .../value and .../grad the ratio of the medians.
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var line = regexp.MustCompile(`^Benchmark(\S+?)(-\d+)?\s+\d+\s+([0-9.]+) ns/op`)

func main() {
	runs := map[string][]float64{}
	var order []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ns, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			continue
		}
		if _, ok := runs[m[1]]; !ok {
			order = append(order, m[1])
		}
		runs[m[1]] = append(runs[m[1]], ns)
	}
	med := map[string]float64{}
	for _, name := range order {
		xs := runs[name]
		sort.Float64s(xs)
		med[name] = xs[len(xs)/2]
		fmt.Printf("%-48s %14s  (%d runs)\n", name, format(med[name]), len(xs))
	}
	fmt.Println()
	for _, name := range order {
		if base, ok := strings.CutSuffix(name, "/grad"); ok {
			if v, ok := med[base+"/value"]; ok {
				fmt.Printf("%-48s value+gradient / value = %.2f\n", base, med[name]/v)
			}
		}
	}
}

func format(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f us", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
