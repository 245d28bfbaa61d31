package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// maxBatchLine bounds one line of a --batch file.
const maxBatchLine = 64 << 20

// runBatch calls the function of -f on every non-blank line of the file,
// a JSON argument list each, on every core, and prints one JSON line per
// input line, in order: the result, or {"error": "line N: ..."}. The
// function is instantiated from the first line's arguments (a generic
// function's sizes come from them). It exits 1 if any line failed.
func runBatch(ctx context.Context, e *env, p *rose.Program, name, path string, lim *limits) int {
	file, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose run: --batch: %v\n", unwrapPathError(err))
		return exitUser
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 64<<10), maxBatchLine)

	type job struct {
		k, line int // sequence number (from 0) and line number (from 1)
		data    []byte
	}
	type result struct {
		k      int
		out    string
		failed bool
	}
	var (
		fn    *rose.Func
		fnErr error
		once  sync.Once
		jobs  = make(chan job, 64)
		done  = make(chan result, 64)
		wg    sync.WaitGroup
	)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				once.Do(func() { fn, fnErr = p.FuncExpr(name, j.data) })
				v, err := callLine(ctx, fn, fnErr, j.data, lim)
				if err != nil {
					done <- result{j.k, "{\"error\": " + strconv.Quote(fmt.Sprintf("line %d: %v", j.line, err)) + "}", true}
					continue
				}
				done <- result{j.k, string(v), false}
			}
		}()
	}
	var readErr error
	go func() {
		defer close(jobs)
		k := 0
		for n := 1; sc.Scan(); n++ {
			if data := bytes.TrimSpace(sc.Bytes()); len(data) > 0 {
				jobs <- job{k, n, append([]byte(nil), data...)}
				k++
			}
		}
		readErr = sc.Err()
	}()
	go func() { wg.Wait(); close(done) }()

	// Results arrive in any order; print them in the input's.
	w := bufio.NewWriter(e.stdout)
	pending := map[int]result{}
	next, code := 0, exitOK
	for r := range done {
		pending[r.k] = r
		for r, ok := pending[next]; ok; r, ok = pending[next] {
			delete(pending, next)
			next++
			if r.failed {
				code = exitUser
			}
			w.WriteString(r.out)
			w.WriteByte('\n')
		}
	}
	w.Flush()
	if readErr != nil {
		fmt.Fprintf(e.stderr, "rose run: --batch: %v\n", readErr)
		return exitUser
	}
	return code
}

// callLine decodes one line's arguments for fn and calls it.
func callLine(ctx context.Context, fn *rose.Func, fnErr error, data []byte, lim *limits) ([]byte, error) {
	if fnErr != nil {
		return nil, fnErr
	}
	args, err := value.DecodeArgs(fn.Params(), data)
	if err != nil {
		return nil, err
	}
	v, err := fn.Call(ctx, args, lim.options())
	if err != nil {
		return nil, err
	}
	return value.EncodeJSON(v, fn.IR.Result()), nil
}
