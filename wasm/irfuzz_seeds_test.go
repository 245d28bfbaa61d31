package wasm_test

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
)

var (
	irSeeds  = flag.Int("irfuzz.seeds", 0, "TestFuzzIRSeeds: write a covering set of FuzzIR seeds chosen from this many random inputs")
	irRandom = flag.Duration("irfuzz.random", 0, "TestFuzzIRRandom: run FuzzIR's checks on random inputs for this long")
)

const irSeedDir = "testdata/fuzz/FuzzIR"

// irRequired are the operations the committed FuzzIR seeds must contain,
// each in a program that runs to completion.
var irRequired = []ir.Op{
	ir.OpIf, ir.OpFor, ir.OpLoop, ir.OpScan, ir.OpWhile, ir.OpCall,
	ir.OpArray, ir.OpIndex, ir.OpUpdate, ir.OpTuple, ir.OpField,
	ir.OpAccum, ir.OpAccAdd, ir.OpResolve, ir.OpDot,
	ir.OpExp, ir.OpSin, ir.OpLt, ir.OpToReal,
}

// irFeatures lists what an input exercises: the operations of its
// program, whether it runs to completion, and which runtime error stops
// it.
func irFeatures(data []byte) []string {
	p := genProgram(data)
	_, err := eval.Call(context.Background(), p.top, p.args, p.opts)
	ran := "ok"
	if err != nil {
		msg := err.Error()
		ran = "error " + msg[:strings.IndexAny(msg+" ", " (")]
	}
	seen := map[string]bool{ran: true}
	for _, fn := range ir.Reachable(p.top) {
		irWalk(fn.Body, func(in *ir.Instr) { seen[in.Op.String()+" "+ran] = true })
	}
	if len(ir.Reachable(p.top)) > 2 {
		seen["nested calls "+ran] = true
	}
	var fs []string
	for f := range seen {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	return fs
}

func irWalk(b *ir.Block, visit func(*ir.Instr)) {
	for i := range b.Instrs {
		visit(&b.Instrs[i])
		for _, nb := range b.Instrs[i].Blocks {
			irWalk(nb, visit)
		}
	}
}

// readIRSeeds reads the inputs of the committed FuzzIR corpus.
func readIRSeeds(t *testing.T) map[string][]byte {
	files, _ := filepath.Glob(filepath.Join(irSeedDir, "*"))
	seeds := map[string][]byte{}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(string(b), "[]byte(")
		if !ok {
			t.Fatalf("%s: not a go test fuzz v1 file of one []byte", file)
		}
		data, err := strconv.Unquote(strings.TrimSuffix(strings.TrimSpace(rest), ")"))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		seeds[filepath.Base(file)] = []byte(data)
	}
	return seeds
}

// TestFuzzIRSeeds checks that the committed seeds alone exercise loops,
// ifs, arrays, calls and the rest of irRequired in programs that run to
// completion. With -irfuzz.seeds=N it first writes new seeds: a greedy
// cover of the features of N random inputs (for when the generator
// changes and old seeds no longer decode to the same programs).
func TestFuzzIRSeeds(t *testing.T) {
	if *irSeeds > 0 {
		writeIRSeeds(t, *irSeeds)
	}
	have := map[string]bool{}
	for _, data := range readIRSeeds(t) {
		for _, f := range irFeatures(data) {
			have[f] = true
		}
	}
	for _, op := range irRequired {
		if !have[op.String()+" ok"] {
			t.Errorf("no seed in %s runs a program with %s to completion", irSeedDir, op)
		}
	}
	if !have["nested calls ok"] {
		t.Errorf("no seed in %s runs a program with nested calls to completion", irSeedDir)
	}
}

func writeIRSeeds(t *testing.T, n int) {
	rng := rand.New(rand.NewSource(1))
	type cand struct {
		data []byte
		fs   []string
	}
	var cands []cand
	for range n {
		data := make([]byte, 50+rng.Intn(350))
		rng.Read(data)
		if irCheck(data) != "" {
			continue // a failure is not a seed until it is fixed
		}
		cands = append(cands, cand{data, irFeatures(data)})
	}
	covered := map[string]bool{}
	for _, data := range readIRSeeds(t) {
		for _, f := range irFeatures(data) {
			covered[f] = true
		}
	}
	required := map[string]bool{"nested calls ok": true}
	for _, op := range irRequired {
		required[op.String()+" ok"] = true
	}
	for k := 0; k < 10; k++ {
		best, gain := -1, 0
		for i, c := range cands {
			g := 0
			for _, f := range c.fs {
				switch {
				case covered[f]:
				case required[f]:
					g += 20
				default:
					g++
				}
			}
			if g > gain || g == gain && g > 0 && len(c.data) < len(cands[best].data) {
				best, gain = i, g
			}
		}
		if best < 0 {
			break
		}
		for _, f := range cands[best].fs {
			covered[f] = true
		}
		data := cands[best].data
		content := "go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n"
		name := fmt.Sprintf("%x", sha256.Sum256([]byte(content)))[:16]
		if err := os.WriteFile(filepath.Join(irSeedDir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %s: %d bytes, gain %d", name, len(data), gain)
	}
}

// TestFuzzIRRandom runs FuzzIR's checks on uniformly random inputs of up
// to 400 bytes, which decode to large programs at once where mutation
// from the seeds grows them slowly, for -irfuzz.random. It minimizes the
// first failure (keeping its kind, see irFailureKind) and writes it as a
// seed, as the fuzzer would.
func TestFuzzIRRandom(t *testing.T) {
	if *irRandom == 0 {
		t.Skip("-irfuzz.random not set")
	}
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	start, n := time.Now(), 0
	for time.Since(start) < *irRandom {
		data := make([]byte, rng.Intn(400))
		rng.Read(data)
		n++
		msg := irCheckRecover(data)
		if msg == "" {
			continue
		}
		kind := irFailureKind(msg)
		data = minimizeInput(data, func(b []byte) bool { return irFailureKind(irCheckRecover(b)) == kind })
		content := "go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n"
		name := fmt.Sprintf("%x", sha256.Sum256([]byte(content)))[:16]
		if err := os.WriteFile(filepath.Join(irSeedDir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Fatalf("input %d (rand seed %d), minimized to %s:\n%s", n, seed, filepath.Join(irSeedDir, name), irCheckRecover(data))
	}
	t.Logf("%d inputs in %v, no failure", n, *irRandom)
}

// irCheckRecover is irCheck, with a panic as a failure.
func irCheckRecover(data []byte) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("panic: %v", r)
		}
	}()
	return irCheck(data)
}

var irDigits = regexp.MustCompile(`[0-9]+`)

// irFailureKind is what minimizing a failure keeps: its first line
// without the function, the code generator setting and numbers.
func irFailureKind(msg string) string {
	if msg == "" {
		return ""
	}
	line, _, _ := strings.Cut(msg, "\n")
	if i := strings.LastIndex(line, "}: "); i >= 0 {
		line = line[i+3:]
	}
	return irDigits.ReplaceAllString(line, "")
}

// minimizeInput shrinks data while fails holds: it removes runs of bytes,
// halving their length, and lowers single bytes (0 is every choice's
// simplest).
func minimizeInput(data []byte, fails func([]byte) bool) []byte {
	for changed := true; changed; {
		changed = false
		for size := len(data) / 2; size >= 1; size /= 2 {
			for i := 0; i+size <= len(data); {
				c := append(append([]byte(nil), data[:i]...), data[i+size:]...)
				if fails(c) {
					data, changed = c, true
				} else {
					i += size
				}
			}
		}
		for i := range data {
			for _, v := range []byte{0, 1, data[i] / 2, data[i] - 1} {
				if v >= data[i] {
					continue
				}
				c := append([]byte(nil), data...)
				c[i] = v
				if fails(c) {
					data, changed = c, true
					break
				}
			}
		}
	}
	return data
}
