#!/usr/bin/env node
// A stand-in for `rose lsp`, for checking the extension and the e2e test
// harness without the Go server (ROSE_E2E_MOCK=1 test/e2e.test.js). It
// answers the requests the e2e test makes with canned, plausible results:
// an error at the first `true` in a file, the value after each example line,
// hovers, definitions and symbols of `fn` lines, formatting of `x*x`,
// semantic tokens, code lenses and their commands, the settings
// rose.inlay.exampleValues and rose.inlay.liveValues (with canned live
// values for the statements of the test's live.rose) and a NaN warning at
// `sqrt(` in a file with `example root(0.5)`. It knows nothing of Rose
// beyond that; the real tests use the real server.
'use strict';

const docs = new Map(); // uri -> text
let exampleValues = true; // rose.inlay.exampleValues
let liveValues = false; // rose.inlay.liveValues
// The live value hint after each of these statements (trimmed lines).
const LIVE = { 'let y = x * x': 'y = 4.0', 'var acc = 0.0': 'acc = 0.0', 'acc += y': 'acc = 12.0', 'let s = sqrt(x - 1.0)': 's = NaN' };
let nextId = 1;
let buf = Buffer.alloc(0);

function send(msg) {
	const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
	process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
	process.stdout.write(body);
}

function lines(uri) {
	return (docs.get(uri) || '').split('\n');
}

function exampleLines(uri) {
	const out = [];
	lines(uri).forEach((l, i) => {
		if (/^example\b/.test(l)) out.push(i);
	});
	return out;
}

function publish(uri) {
	const diagnostics = [];
	lines(uri).forEach((l, i) => {
		const c = l.indexOf('true');
		if (c >= 0 && !l.trim().startsWith('//')) {
			diagnostics.push({
				range: { start: { line: i, character: c }, end: { line: i, character: c + 4 } },
				severity: 1,
				source: 'rose',
				code: 'type-mismatch',
				message: 'mock: cannot add Bool to Real',
			});
		}
	});
	const ls = lines(uri);
	const ex = ls.findIndex((l) => l.startsWith('example root(0.5)'));
	const at = ls.findIndex((l) => l.includes('sqrt(') && !l.trim().startsWith('//'));
	if (ex >= 0 && at >= 0) {
		const c = ls[at].indexOf('sqrt(');
		const warning = (line, from, to, message) => ({
			range: { start: { line, character: from }, end: { line, character: to } },
			severity: 2,
			source: 'rose',
			code: 'non-finite',
			message,
		});
		diagnostics.push(warning(at, c, c + 4, 'sqrt of -0.5 gives NaN here (in example root(0.5))'));
		diagnostics.push(warning(ex, 0, 'example root(0.5)'.length, 'root(0.5) = NaN'));
	}
	send({ method: 'textDocument/publishDiagnostics', params: { uri, diagnostics } });
}

const handlers = {
	initialize: () => ({
		capabilities: {
			textDocumentSync: 1,
			hoverProvider: true,
			definitionProvider: true,
			documentSymbolProvider: true,
			documentFormattingProvider: true,
			inlayHintProvider: {},
			codeLensProvider: {},
			semanticTokensProvider: { legend: { tokenTypes: ['keyword', 'function', 'number'], tokenModifiers: [] }, full: true },
			executeCommandProvider: { commands: ['rose.run', 'rose.grad', 'rose.checkGradient'] },
		},
		serverInfo: { name: 'rose-mock' },
	}),
	shutdown: () => null,
	'textDocument/hover': (p) => {
		const l = lines(p.textDocument.uri)[p.position.line] || '';
		if (liveValues && l.trim() === 'acc += y' && l[p.position.character] === 'y') {
			return { contents: { kind: 'markdown', value: '```rose\nlet y: Real\n```\n\nAt `f(2.0)`: y = `4.0` (mock)' } };
		}
		return { contents: { kind: 'markdown', value: '```rose\nfn f(x: Real, y: Real) -> Real\n```\n(mock)' } };
	},
	'textDocument/definition': (p) => {
		const uri = p.textDocument.uri;
		const line = lines(uri).findIndex((l) => /^fn\s/.test(l));
		return line < 0 ? null : { uri, range: { start: { line, character: 3 }, end: { line, character: 4 } } };
	},
	'textDocument/documentSymbol': (p) =>
		lines(p.textDocument.uri).flatMap((l, line) => {
			const m = /^fn\s+(\w+)/.exec(l);
			if (!m) return [];
			const range = { start: { line, character: 0 }, end: { line, character: l.length } };
			return [{ name: m[1], kind: 12, range, selectionRange: range }];
		}),
	'textDocument/inlayHint': (p) => {
		const ls = lines(p.textDocument.uri);
		const hints = (exampleValues ? exampleLines(p.textDocument.uri) : []).map((i) => ({
			position: { line: i, character: ls[i].length },
			label: ' = 1.36  ∇x = 1.5',
			paddingLeft: true,
		}));
		if (liveValues) {
			ls.forEach((l, i) => {
				const label = LIVE[l.trim()];
				if (label) hints.push({ position: { line: i, character: l.length }, label, paddingLeft: true });
			});
		}
		return hints;
	},
	'textDocument/formatting': (p) => {
		const edits = [];
		lines(p.textDocument.uri).forEach((l, i) => {
			const c = l.indexOf('x*x');
			if (c >= 0) edits.push({ range: { start: { line: i, character: c }, end: { line: i, character: c + 3 } }, newText: 'x * x' });
		});
		return edits;
	},
	'textDocument/semanticTokens/full': (p) => {
		const data = [];
		let prev = 0;
		lines(p.textDocument.uri).forEach((l, i) => {
			const m = /^(fn|example)\b/.exec(l);
			if (m) {
				data.push(i - prev, 0, m[1].length, 0, 0);
				prev = i;
			}
		});
		for (let k = 0; k < 3; k++) data.push(0, 0, 0, 2, 0); // pad to a few tokens
		return { data };
	},
	'textDocument/codeLens': (p) =>
		exampleLines(p.textDocument.uri).flatMap((line, k) =>
			[
				['▶ Run', 'rose.run'],
				['∇ Gradient', 'rose.grad'],
				['✓ Check gradient', 'rose.checkGradient'],
			].map(([title, command]) => ({
				range: { start: { line, character: 0 }, end: { line, character: 7 } },
				command: { title, command, arguments: [p.textDocument.uri, k] },
			}))
		),
	'workspace/executeCommand': (p) => `${p.command}: f(1.5, 0.5) = 1.3597 (mock)`,
};

const notifications = {
	'textDocument/didOpen': (p) => {
		docs.set(p.textDocument.uri, p.textDocument.text);
		publish(p.textDocument.uri);
	},
	'textDocument/didChange': (p) => {
		docs.set(p.textDocument.uri, p.contentChanges[p.contentChanges.length - 1].text);
		publish(p.textDocument.uri);
	},
	'textDocument/didClose': (p) => docs.delete(p.textDocument.uri),
	'workspace/didChangeConfiguration': (p) => {
		const inlay = (p.settings && p.settings.rose && p.settings.rose.inlay) || {};
		let changed = false;
		if (typeof inlay.exampleValues === 'boolean' && inlay.exampleValues !== exampleValues) {
			exampleValues = inlay.exampleValues;
			changed = true;
		}
		if (typeof inlay.liveValues === 'boolean' && inlay.liveValues !== liveValues) {
			liveValues = inlay.liveValues;
			changed = true;
		}
		if (changed) send({ id: `mock-${nextId++}`, method: 'workspace/inlayHint/refresh' });
	},
	exit: () => process.exit(0),
};

process.stdin.on('data', (chunk) => {
	buf = Buffer.concat([buf, chunk]);
	for (;;) {
		const sep = buf.indexOf('\r\n\r\n');
		if (sep < 0) return;
		const m = /Content-Length: (\d+)/i.exec(buf.slice(0, sep).toString());
		const len = Number(m[1]);
		if (buf.length < sep + 4 + len) return;
		const msg = JSON.parse(buf.slice(sep + 4, sep + 4 + len).toString('utf8'));
		buf = buf.slice(sep + 4 + len);
		if (msg.id !== undefined && msg.method) {
			const h = handlers[msg.method];
			if (h) send({ id: msg.id, result: h(msg.params || {}) });
			else send({ id: msg.id, error: { code: -32601, message: `mock: no ${msg.method}` } });
		} else if (msg.method && notifications[msg.method]) {
			notifications[msg.method](msg.params || {});
		}
	}
});
process.stdin.on('end', () => process.exit(0));
