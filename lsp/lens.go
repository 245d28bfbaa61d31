package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/eval"
)

// codeLens puts "run", "grad" and "check gradient" on each example line.
func (s *Server) codeLens(ctx context.Context, sn *snapshot, p *protocol.CodeLensParams) (any, error) {
	prog := sn.program()
	out := []protocol.CodeLens{}
	if prog.Err() != nil {
		return out, nil
	}
	for i, ex := range prog.Pkg.Examples {
		rng := sn.lines.rangeOf(sn.offset(ex.Decl.Pos()), sn.offset(ex.Decl.Pos()))
		args := []any{string(sn.uri), i}
		out = append(out,
			protocol.CodeLens{Range: rng, Command: &protocol.Command{Title: "▶ run", Command: "rose.run", Arguments: args}},
			protocol.CodeLens{Range: rng, Command: &protocol.Command{Title: "∇ grad", Command: "rose.grad", Arguments: args}},
			protocol.CodeLens{Range: rng, Command: &protocol.Command{Title: "✓ check gradient", Command: "rose.checkGradient", Arguments: args}})
	}
	return out, nil
}

// executeCommand runs a code lens's command on the current version of the
// document: it returns the text of the result and shows it in a message.
func (s *Server) executeCommand(ctx context.Context, p *protocol.ExecuteCommandParams) (any, error) {
	var uri string
	var index int
	if len(p.Arguments) != 2 {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, p.Command+" takes [uri, example index]")
	}
	raw, _ := json.Marshal(p.Arguments)
	var args []json.RawMessage
	if json.Unmarshal(raw, &args) != nil || json.Unmarshal(args[0], &uri) != nil || json.Unmarshal(args[1], &index) != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, p.Command+" takes [uri, example index]")
	}
	sn := s.snapshot(protocol.DocumentURI(uri))
	if sn == nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "document not open: "+uri)
	}
	prog := sn.program()
	if err := prog.Err(); err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "the file has errors")
	}
	exs, err := prog.Examples(ctx)
	if err != nil {
		return nil, err
	}
	if index < 0 || index >= len(exs) {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("no example %d", index))
	}
	ex := exs[index]
	// Commands are asked for explicitly: they get ten times the budget of
	// the automatic evaluations.
	cctx, cancel := context.WithTimeout(ctx, 10*sn.cfg.Timeout)
	defer cancel()
	opts := sn.cfg.limits()
	var text string
	switch p.Command {
	case "rose.run":
		text, err = ex.ValueText(cctx, opts)
	case "rose.grad":
		text, err = ex.GradientText(cctx, rose.Reverse)
	case "rose.checkGradient":
		text, err = checkText(cctx, ex, opts)
	default:
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "unknown command "+p.Command)
	}
	if err != nil {
		text = ex.Text + ": " + errorText(err)
		if cctx.Err() != nil {
			text = ex.Text + ": evaluation stopped after " + showDuration(10*sn.cfg.Timeout)
		}
	}
	text = strings.TrimRight(text, "\n")
	s.notify(protocol.MethodWindowShowMessage, &protocol.ShowMessageParams{Type: protocol.MessageTypeInfo, Message: text})
	return text, nil
}

func checkText(ctx context.Context, ex *rose.Example, opts *eval.Options) (string, error) {
	if ex.Err != nil {
		return "", ex.Err
	}
	gc, err := ex.GradCheck(ctx, opts, rose.DefaultMaxInputs)
	if err != nil {
		return "", err
	}
	verdict := "ok"
	if gc.Worst() > rose.DefaultTolerance {
		verdict = "FAIL"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: gradient check %s (worst relative error %.2g, tolerance %.0e)", ex.Text, verdict, gc.Worst(), rose.DefaultTolerance)
	for _, pc := range gc.Params {
		fmt.Fprintf(&b, "\n  %s: reverse vs forward %.2g, vs central differences %.2g (%d of %d inputs)", pc.Name, pc.Forward, pc.FD, pc.Checked, pc.Inputs)
	}
	return b.String(), nil
}
