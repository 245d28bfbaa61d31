package lsp

import (
	"context"
	"go/token"

	"go.lsp.dev/protocol"
)

// liveValue is the value of the variable declared at pos at example r.
func (sn *snapshot) liveValue(ctx context.Context, r *exampleResult, pos token.Pos) (string, bool) {
	return "", false
}

// nonFiniteDiags warn about an example whose value is NaN or infinite.
func (sn *snapshot) nonFiniteDiags(r *exampleResult) []protocol.Diagnostic {
	return nil
}

// liveHints are the live values of the lets and vars in [from, to].
func (sn *snapshot) liveHints(ctx context.Context, from, to int) []InlayHint {
	return nil
}
