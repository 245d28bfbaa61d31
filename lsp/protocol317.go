package lsp

import "go.lsp.dev/protocol"

// This file holds the LSP 3.16 and 3.17 types that go.lsp.dev/protocol
// v0.12.0 (LSP 3.15) lacks, and the few 3.15 types whose Go shape loses
// information we need. Everything else comes from that package.

// Methods the dispatcher routes that v0.12.0 has no constant for.
const (
	methodInlayHint        = "textDocument/inlayHint"
	methodInlayHintResolve = "inlayHint/resolve"
	methodInlayHintRefresh = "workspace/inlayHint/refresh"
	methodSemanticFull     = "textDocument/semanticTokens/full"
	methodCancelRequest    = "$/cancelRequest"
	methodSetTrace         = "$/setTrace"
)

// InlayHintKind says what an inlay hint shows (LSP 3.17).
type InlayHintKind int

// The inlay hint kinds of LSP 3.17: a type, or a parameter name. Ours are
// values, which 3.17 has no kind for, so they are sent without one.
const (
	InlayHintType      InlayHintKind = 1
	InlayHintParameter InlayHintKind = 2
)

// InlayHintParams is the request of textDocument/inlayHint.
type InlayHintParams struct {
	TextDocument protocol.TextDocumentIdentifier `json:"textDocument"`
	Range        protocol.Range                  `json:"range"`
}

// InlayHint is one hint: a short label drawn inline at Position, with the
// full text in Tooltip.
type InlayHint struct {
	Position     protocol.Position       `json:"position"`
	Label        string                  `json:"label"`
	Kind         InlayHintKind           `json:"kind,omitempty"`
	Tooltip      *protocol.MarkupContent `json:"tooltip,omitempty"`
	PaddingLeft  bool                    `json:"paddingLeft,omitempty"`
	PaddingRight bool                    `json:"paddingRight,omitempty"`
}

// InlayHintOptions is the server capability inlayHintProvider.
type InlayHintOptions struct {
	ResolveProvider bool `json:"resolveProvider"`
}

// ServerCapabilities adds the 3.16 and 3.17 capabilities to v0.12.0's; the
// embedded struct's fields flatten into the same JSON object.
type ServerCapabilities struct {
	protocol.ServerCapabilities
	InlayHintProvider *InlayHintOptions `json:"inlayHintProvider,omitempty"`
	PositionEncoding  string            `json:"positionEncoding,omitempty"`
}

// InitializeResult is the answer to initialize with the extended
// capabilities.
type InitializeResult struct {
	Capabilities ServerCapabilities   `json:"capabilities"`
	ServerInfo   *protocol.ServerInfo `json:"serverInfo,omitempty"`
}

// ContentChange is one change of didChange. v0.12.0 declares Range as a
// value, which cannot tell a whole-document replacement (no range) from an
// edit at the start of the file; a pointer can.
type ContentChange struct {
	Range *protocol.Range `json:"range,omitempty"`
	Text  string          `json:"text"`
}

// DidChangeParams is the notification textDocument/didChange.
type DidChangeParams struct {
	TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
	ContentChanges []ContentChange                          `json:"contentChanges"`
}

// PrepareRenameResult is the range of the name a rename would change, with
// its text (LSP 3.16 form).
type PrepareRenameResult struct {
	Range       protocol.Range `json:"range"`
	Placeholder string         `json:"placeholder"`
}

// CancelParams is the notification $/cancelRequest; the id is a number or a
// string.
type CancelParams struct {
	ID any `json:"id"`
}
