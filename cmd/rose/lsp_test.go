package main

import (
	"fmt"
	"strings"
	"testing"
)

func frame(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }

// TestLSPExitCode: `rose lsp` exits 0 after shutdown and exit, 1 when the
// client leaves without shutdown; --stdio, which clients pass, is accepted.
func TestLSPExitCode(t *testing.T) {
	init := frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`)
	clean := init + frame(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`) + frame(`{"jsonrpc":"2.0","method":"exit"}`)
	code, out, errs := invoke(t, clean, "lsp", "--stdio")
	if code != 0 || !strings.Contains(out, `"inlayHintProvider"`) {
		t.Errorf("clean session: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, _, _ = invoke(t, init, "lsp")
	if code != 1 {
		t.Errorf("session without shutdown: exit %d, want 1", code)
	}
	code, _, _ = invoke(t, "", "lsp", "extra")
	if code != 2 {
		t.Errorf("lsp with an argument: exit %d, want 2", code)
	}
}
