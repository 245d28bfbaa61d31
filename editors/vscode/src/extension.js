// The Rose extension: starts the `rose lsp` language server over stdio and
// connects it to VS Code with vscode-languageclient. Plain JavaScript, so
// that the extension needs no build step.
'use strict';

const fs = require('fs');
const vscode = require('vscode');
const { LanguageClient, State } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel} */
let output;

// The commands that the server's code lenses use. The server lists them in
// its executeCommandProvider, and vscode-languageclient 9 then registers
// each one itself as a VS Code command that sends workspace/executeCommand
// (registering them here too would fail with "command already exists").
// The middleware below only shows what the server answers.
const serverCommands = new Set(['rose.run', 'rose.grad', 'rose.checkGradient']);

/** The `rose` settings as one object: what the server receives. */
function settings() {
	const c = vscode.workspace.getConfiguration('rose');
	return {
		server: { path: c.get('server.path', 'rose'), args: c.get('server.args', ['lsp']) },
		eval: { timeoutMs: c.get('eval.timeoutMs', 250), maxMemoryMB: c.get('eval.maxMemoryMB', 256) },
		inlay: {
			exampleValues: c.get('inlay.exampleValues', true),
			parameterGradients: c.get('inlay.parameterGradients', true),
			liveValues: c.get('inlay.liveValues', false),
		},
		trace: { server: c.get('trace.server', 'off') },
	};
}

/** Text for the "Rose" output channel from a workspace/executeCommand result. */
function resultText(result) {
	if (result === undefined || result === null) return '';
	if (typeof result === 'string') return result;
	if (typeof result === 'object') {
		for (const key of ['text', 'output', 'message']) {
			if (typeof result[key] === 'string') return result[key];
		}
	}
	return JSON.stringify(result, null, 2);
}

/** A header line for a command's output: the command and which example. */
function describe(command, args) {
	if (Array.isArray(args) && args.length === 2 && typeof args[0] === 'string' && typeof args[1] === 'number') {
		let file = args[0];
		try {
			file = vscode.workspace.asRelativePath(vscode.Uri.parse(args[0]));
		} catch (_) {}
		return `${command}: example ${args[1] + 1} in ${file}`;
	}
	return args && args.length ? `${command} ${JSON.stringify(args)}` : command;
}

function createClient() {
	const s = settings();
	// No `transport`: with TransportKind.stdio vscode-languageclient would
	// append --stdio to the arguments, which `rose lsp` does not take. An
	// Executable without one talks over stdio all the same.
	const run = { command: s.server.path, args: s.server.args };
	const serverOptions = { run, debug: run };
	const clientOptions = {
		documentSelector: [
			{ scheme: 'file', language: 'rose' },
			{ scheme: 'untitled', language: 'rose' },
		],
		// The settings at start-up, and workspace/didChangeConfiguration with
		// { settings: { rose: ... } } whenever a rose.* setting changes.
		initializationOptions: () => settings(),
		synchronize: { configurationSection: 'rose' },
		middleware: {
			executeCommand: async (command, args, next) => {
				const result = await next(command, args);
				if (serverCommands.has(command)) {
					const text = resultText(result);
					output.appendLine(describe(command, args));
					if (text) output.appendLine(text);
					output.show(true);
				}
				return result;
			},
		},
	};
	// The id 'rose' makes vscode-languageclient read the rose.trace.server
	// setting.
	return new LanguageClient('rose', 'Rose Language Server', serverOptions, clientOptions);
}

async function startClient(context) {
	client = createClient();
	try {
		await client.start();
	} catch (err) {
		const s = settings();
		const choice = await vscode.window.showErrorMessage(
			`Rose: could not start the language server "${s.server.path} ${s.server.args.join(' ')}": ${err && err.message ? err.message : err}`,
			'Open Settings'
		);
		if (choice === 'Open Settings') {
			vscode.commands.executeCommand('workbench.action.openSettings', 'rose.server');
		}
	}
}

async function stopClient() {
	if (!client) return;
	const c = client;
	client = undefined;
	try {
		if (c.state !== State.Stopped) await c.stop();
	} catch (_) {
		// A server that never started cannot be stopped.
	}
}

// rose.test.dump is a hidden hook for the end-to-end test: it asks VS Code
// (and through it the language server) for the inlay hints, the hover at a
// position, the formatting edits, the semantic tokens, code lenses,
// diagnostics and document symbols of the active editor, and the
// definition at a second position, and writes them as JSON to a file.
// Arguments: either (outPath, line, character) or one object
// { out, line, character, defLine, defCharacter }; positions are 0-based
// and the definition position defaults to the hover position.
async function testDump(...args) {
	let out, line = 0, character = 0, defLine, defCharacter;
	if (args.length === 1 && args[0] && typeof args[0] === 'object') {
		({ out, line = 0, character = 0, defLine, defCharacter } = args[0]);
	} else {
		[out, line = 0, character = 0] = args;
	}
	if (defLine === undefined) [defLine, defCharacter] = [line, character];
	if (!out) throw new Error('rose.test.dump: no output path');
	const editor = vscode.window.activeTextEditor;
	const result = { ok: false };
	if (!editor) {
		result.error = 'no active editor';
	} else {
		const doc = editor.document;
		const uri = doc.uri;
		const whole = new vscode.Range(0, 0, doc.lineCount, 0);
		const pos = new vscode.Position(line, character);
		const attempt = async (name, f) => {
			try {
				result[name] = await f();
			} catch (err) {
				result[name + 'Error'] = String(err && err.message ? err.message : err);
			}
		};
		result.uri = uri.toString();
		result.languageId = doc.languageId;
		result.serverRunning = !!client && client.state === State.Running;
		await attempt('inlayHints', async () =>
			((await vscode.commands.executeCommand('vscode.executeInlayHintProvider', uri, whole)) || []).map((h) => ({
				line: h.position.line,
				character: h.position.character,
				label: typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''),
				tooltip: h.tooltip === undefined ? undefined : typeof h.tooltip === 'string' ? h.tooltip : h.tooltip.value,
			}))
		);
		await attempt('hover', async () =>
			((await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, pos)) || []).map((h) =>
				h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')
			)
		);
		await attempt('formatting', async () =>
			((await vscode.commands.executeCommand('vscode.executeFormatDocumentProvider', uri, { tabSize: 4, insertSpaces: true })) || []).map(
				(e) => ({
					range: [e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character],
					newText: e.newText,
				})
			)
		);
		await attempt('semanticTokens', async () => {
			const t = await vscode.commands.executeCommand('vscode.provideDocumentSemanticTokens', uri);
			return t ? { count: t.data.length / 5, data: Array.from(t.data) } : null;
		});
		await attempt('semanticTokensLegend', async () => {
			const l = await vscode.commands.executeCommand('vscode.provideDocumentSemanticTokensLegend', uri);
			return l ? { tokenTypes: l.tokenTypes, tokenModifiers: l.tokenModifiers } : null;
		});
		await attempt('codeLenses', async () =>
			((await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri)) || []).map((l) => ({
				line: l.range.start.line,
				title: l.command ? l.command.title : undefined,
				command: l.command ? l.command.command : undefined,
				arguments: l.command ? l.command.arguments : undefined,
			}))
		);
		await attempt('diagnostics', async () =>
			vscode.languages.getDiagnostics(uri).map((d) => ({
				line: d.range.start.line,
				character: d.range.start.character,
				severity: d.severity,
				message: d.message,
				code: typeof d.code === 'object' && d.code ? d.code.value : d.code,
			}))
		);
		await attempt('definition', async () =>
			((await vscode.commands.executeCommand('vscode.executeDefinitionProvider', uri, new vscode.Position(defLine, defCharacter || 0))) || []).map(
				(d) => {
					const target = d.targetUri ? { uri: d.targetUri, range: d.targetSelectionRange || d.targetRange } : d;
					return { uri: target.uri.toString(), line: target.range.start.line, character: target.range.start.character };
				}
			)
		);
		await attempt('documentSymbols', async () =>
			((await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', uri)) || []).map((d) => ({
				name: d.name,
				kind: d.kind,
				line: (d.range || d.location.range).start.line,
			}))
		);
		result.ok = true;
	}
	fs.writeFileSync(out + '.tmp', JSON.stringify(result, null, 2));
	fs.renameSync(out + '.tmp', out); // the test polls for the file: it must appear whole
	return result;
}

async function activate(context) {
	output = vscode.window.createOutputChannel('Rose');
	context.subscriptions.push(output);
	context.subscriptions.push(
		vscode.commands.registerCommand('rose.restartServer', async () => {
			await stopClient();
			await startClient(context);
		}),
		vscode.commands.registerCommand('rose.showOutput', () => output.show()),
		vscode.commands.registerCommand('rose.test.dump', testDump),
		// rose.test.configure { key, value } sets the user setting rose.KEY,
		// as the Settings editor would: another hook for the e2e test.
		vscode.commands.registerCommand('rose.test.configure', async ({ key, value }) =>
			vscode.workspace.getConfiguration('rose').update(key, value, vscode.ConfigurationTarget.Global)
		),
		vscode.workspace.onDidChangeConfiguration(async (e) => {
			// Other rose.* settings reach the running server as
			// didChangeConfiguration; a different binary needs a restart.
			if (e.affectsConfiguration('rose.server')) {
				await stopClient();
				await startClient(context);
			}
		})
	);
	await startClient(context);
}

async function deactivate() {
	await stopClient();
}

module.exports = { activate, deactivate, resultText, settings };
