package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServe: rose serve serves a folder with the content types a page
// that loads WebAssembly needs, and stops when its context ends.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"m.wasm": "\x00asm\x01\x00\x00\x00", "m.js": "export const x = 1;", "index.html": "<p>hi</p>"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pr, pw := io.Pipe()
	e := &env{stdin: strings.NewReader(""), stdout: pw, stderr: io.Discard}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, e, []string{"serve", "-addr", "127.0.0.1:0", dir}) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	base := strings.TrimSpace(line[strings.Index(line, "http://"):])
	for name, want := range map[string]string{"m.wasm": "application/wasm", "m.js": "text/javascript", "index.html": "text/html"} {
		resp, err := http.Get(base + name)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, want) {
			t.Errorf("%s: %d %s, want %s", name, resp.StatusCode, ct, want)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after cancel", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	pw.Close()
}
