#!/usr/bin/env node
// End-to-end test of the extension in a real VS Code: code-server 4.100.3
// (VS Code 1.100.3 in a browser), driven by Debian's chromium through
// playwright-core. It installs the packaged rose.vsix, points
// rose.server.path at a `rose` binary built from this repository, opens a
// workspace with a broken file and a sample with an example, and checks
// what a person would see: the error squiggle, the inlay value and
// gradient after the example, a hover, the code lenses and what their
// command prints in the "Rose" output channel, and, in a third file, the
// live values of bindings (once rose.inlay.liveValues is switched on) and
// the warning where a NaN first appears. The hidden command
// rose.test.dump (bound to a key in the test's keybindings.json) writes
// exact results of the inlay hint, hover, formatting, semantic token and
// code lens providers for assertions.
//
// Environment:
//   ROSE_BIN              rose binary (default: go build ./cmd/rose into a temp dir)
//   ROSE_VSIX             the packaged extension (default: editors/vscode/rose.vsix)
//   ROSE_CODE_SERVER_DIR  where test/install-deps.sh put code-server
//                         (default: $HOME/.cache/rose-code-server)
//   ROSE_CHROMIUM         browser (default: /usr/bin/chromium)
//   ROSE_E2E_MOCK=1       use test/mock-server.js instead of `rose lsp`: checks
//                         the extension and this harness only
//   ROSE_E2E_KEEP=1       keep the temp dir (logs, settings, workspace)
//   UPDATE=1              also copy the screenshots into editors/vscode/images/
// Screenshots always go to editors/vscode/test/out/.
'use strict';

const assert = require('assert');
const childProcess = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const extDir = path.resolve(__dirname, '..');
const repoDir = path.resolve(extDir, '..', '..');
const outDir = path.join(__dirname, 'out');
const imagesDir = path.join(extDir, 'images');
const csDir = process.env.ROSE_CODE_SERVER_DIR || path.join(os.homedir(), '.cache', 'rose-code-server');
const codeServer = path.join(csDir, 'node_modules', '.bin', 'code-server');
const chromium = process.env.ROSE_CHROMIUM || '/usr/bin/chromium';
const vsix = process.env.ROSE_VSIX || path.join(extDir, 'rose.vsix');

// The sample has an example (so the server shows its value and gradient as
// an inlay hint) and one line that `rose fmt` would change (x*x), so that
// formatting has edits to offer.
const SAMPLE = `// A small sample for the editor test.
fn f(x: Real, y: Real) -> Real {
    let s = x*x + sin(y)
    s / 2.0
}

example f(1.5, 0.5)
`;
const SAMPLE_EXAMPLE_LINE = 6; // 0-based line of "example f(1.5, 0.5)"
const SAMPLE_HOVER = { line: 1, character: 3 }; // the name f in "fn f("
const SAMPLE_CALL = { line: 6, character: 8 }; // the call f in "example f("

// broken.rose adds a Bool to a Real: a type error the server reports.
const BROKEN = `// This file has a type error.
fn g(x: Real) -> Real {
    x + true
}
`;

// live.rose has a function with bindings and an example, for the live
// values (rose.inlay.liveValues), and one whose example takes the square
// root of a negative number, for the warning at the operation that made
// the NaN.
const LIVE = `// Live values: with rose.inlay.liveValues on, each binding shows its
// value at the example.
fn f(x: Real) -> Real {
    let y = x * x
    var acc = 0.0
    for i in 0..3 {
        acc += y
    }
    acc + 1.0
}

example f(2.0)

// A NaN, and the operation that made it.
fn root(x: Real) -> Real {
    let s = sqrt(x - 1.0)
    s * 2.0
}

example root(0.5)
`;
const LIVE_LET_LINE = 3; // "    let y = x * x"
const LIVE_LOOP_LINE = 6; // "        acc += y", in the loop
const LIVE_USE = { line: 6, character: 15 }; // the y in "acc += y"
const LIVE_SQRT = { line: 15, character: 12 }; // sqrt in "let s = sqrt(x - 1.0)"
const LIVE_EXAMPLE_LINE = 19; // "example root(0.5)"
const NAN_MESSAGE = 'sqrt of -0.5 gives NaN here (in example root(0.5))';

const DUMP_KEY = 'ctrl+alt+shift+f9'; // in keybindings.json
const DUMP_KEY_PW = 'Control+Alt+Shift+F9'; // the same for playwright
const CLEAR_KEY = 'ctrl+alt+shift+f10'; // notifications.clearAll
const CLEAR_KEY_PW = 'Control+Alt+Shift+F10';
const HINTS_OFF_KEY = 'ctrl+alt+shift+f11'; // rose.test.configure inlay.exampleValues false
const HINTS_OFF_KEY_PW = 'Control+Alt+Shift+F11';
const HINTS_ON_KEY = 'ctrl+alt+shift+f12'; // and true
const HINTS_ON_KEY_PW = 'Control+Alt+Shift+F12';
const LIVE_ON_KEY = 'ctrl+alt+shift+f8'; // rose.test.configure inlay.liveValues true
const LIVE_ON_KEY_PW = 'Control+Alt+Shift+F8';
const LIVE_DUMP_KEY = 'ctrl+alt+shift+f7'; // rose.test.dump with the hover at LIVE_USE
const LIVE_DUMP_KEY_PW = 'Control+Alt+Shift+F7';

let passed = 0;
let failed = 0;
const failures = [];

function log(msg) {
	const t = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
	console.log(`[${t}s] ${msg}`);
}
const t0 = Date.now();

// step runs one named check; a failing check is reported and the test goes
// on, so one run shows everything that is wrong.
async function step(name, f) {
	try {
		await f();
		passed++;
		log(`ok   ${name}`);
	} catch (err) {
		failed++;
		failures.push(name);
		log(`FAIL ${name}: ${err && err.stack ? err.stack : err}`);
	}
}

function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(what, f, timeoutMs = 30000, everyMs = 200) {
	const end = Date.now() + timeoutMs;
	let last;
	for (;;) {
		try {
			const v = await f();
			if (v) return v;
		} catch (err) {
			last = err;
		}
		if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
		await sleep(everyMs);
	}
}

// applyEdits applies text edits {range: [l0, c0, l1, c1], newText} to text.
function applyEdits(text, edits) {
	const lines = text.split('\n');
	const offset = (l, c) => lines.slice(0, l).reduce((n, s) => n + s.length + 1, 0) + c;
	const sorted = edits
		.map((e) => ({ start: offset(e.range[0], e.range[1]), end: offset(e.range[2], e.range[3]), text: e.newText }))
		.sort((a, b) => b.start - a.start);
	for (const e of sorted) text = text.slice(0, e.start) + e.text + text.slice(e.end);
	return text;
}

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

function httpStatus(url) {
	return new Promise((resolve) => {
		const req = http.get(url, (res) => {
			res.resume();
			resolve(res.statusCode);
		});
		req.on('error', () => resolve(0));
		req.setTimeout(2000, () => {
			req.destroy();
			resolve(0);
		});
	});
}

function run(cmd, args, opts = {}) {
	const r = childProcess.spawnSync(cmd, args, { encoding: 'utf8', ...opts });
	if (r.status !== 0) {
		throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stdout}\n${r.stderr}`);
	}
	return r.stdout;
}

// findFiles lists the files under dir whose name matches re.
function findFiles(dir, re, acc = []) {
	if (!fs.existsSync(dir)) return acc;
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) findFiles(p, re, acc);
		else if (re.test(e.name)) acc.push(p);
	}
	return acc;
}

async function main() {
	for (const [what, p] of [
		['code-server (run test/install-deps.sh)', codeServer],
		['chromium (run test/install-deps.sh)', chromium],
		['the extension package (run: npx vsce package --out rose.vsix)', vsix],
	]) {
		if (!fs.existsSync(p)) throw new Error(`missing ${what}: ${p}`);
	}
	const { chromium: pwChromium } = require('playwright-core');

	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rose-e2e-'));
	const ud = path.join(tmp, 'user-data');
	const extensions = path.join(tmp, 'extensions');
	const ws = path.join(tmp, 'workspace');
	const browserProfile = path.join(tmp, 'chromium-profile');
	const dumpFile = path.join(tmp, 'dump.json');
	for (const d of [path.join(ud, 'User'), extensions, ws, browserProfile, outDir]) fs.mkdirSync(d, { recursive: true });
	log(`temp dir ${tmp}`);

	const mock = process.env.ROSE_E2E_MOCK === '1';
	let rose = process.env.ROSE_BIN;
	let roseArgs = ['lsp'];
	if (mock) {
		rose = process.execPath;
		roseArgs = [path.join(__dirname, 'mock-server.js')];
		log('using the mock server test/mock-server.js, not rose lsp');
	} else if (!rose) {
		rose = path.join(tmp, 'rose');
		log('go build -o rose ./cmd/rose');
		run('go', ['build', '-o', rose, './cmd/rose'], { cwd: repoDir });
	}
	rose = path.resolve(rose);

	fs.writeFileSync(path.join(ws, 'sample.rose'), SAMPLE);
	fs.writeFileSync(path.join(ws, 'broken.rose'), BROKEN);
	fs.writeFileSync(path.join(ws, 'live.rose'), LIVE);
	fs.copyFileSync(path.join(repoDir, 'examples', 'billiards.rose'), path.join(ws, 'billiards.rose'));

	fs.writeFileSync(
		path.join(ud, 'User', 'settings.json'),
		JSON.stringify(
			{
				'rose.server.path': rose,
				'rose.server.args': roseArgs,
				'rose.trace.server': 'messages',
				'editor.inlayHints.enabled': 'on',
				'editor.codeLens': true,
				'editor.semanticHighlighting.enabled': true,
				'editor.minimap.enabled': false,
				'workbench.startupEditor': 'none',
				'workbench.tips.enabled': false,
				'workbench.welcomePage.walkthroughs.openOnInstall': false,
				'workbench.colorTheme': 'Default Dark Modern',
				'security.workspace.trust.enabled': false,
				'extensions.autoCheckUpdates': false,
				'extensions.autoUpdate': false,
				'telemetry.telemetryLevel': 'off',
				'update.mode': 'none',
				'window.commandCenter': false,
				'chat.commandCenter.enabled': false,
				'workbench.secondarySideBar.defaultVisibility': 'hidden',
			},
			null,
			2
		)
	);
	fs.writeFileSync(
		path.join(ud, 'User', 'keybindings.json'),
		JSON.stringify([
			{ key: CLEAR_KEY, command: 'notifications.clearAll' },
			{ key: HINTS_OFF_KEY, command: 'rose.test.configure', args: { key: 'inlay.exampleValues', value: false } },
			{ key: HINTS_ON_KEY, command: 'rose.test.configure', args: { key: 'inlay.exampleValues', value: true } },
			{ key: LIVE_ON_KEY, command: 'rose.test.configure', args: { key: 'inlay.liveValues', value: true } },
			{ key: LIVE_DUMP_KEY, command: 'rose.test.dump', args: { out: dumpFile, line: LIVE_USE.line, character: LIVE_USE.character } },
			{
				key: DUMP_KEY,
				command: 'rose.test.dump',
				args: {
					out: dumpFile,
					line: SAMPLE_HOVER.line,
					character: SAMPLE_HOVER.character,
					defLine: SAMPLE_CALL.line,
					defCharacter: SAMPLE_CALL.character,
				},
			},
		])
	);

	log('install the extension');
	const csArgs = ['--user-data-dir', ud, '--extensions-dir', extensions];
	run(codeServer, [...csArgs, '--install-extension', vsix]);
	const installed = fs.readdirSync(extensions).filter((d) => d.startsWith('rose-go.rose'));
	assert.ok(installed.length === 1, `extension not installed: ${fs.readdirSync(extensions)}`);

	const port = await freePort();
	const csLog = fs.openSync(path.join(tmp, 'code-server.log'), 'w');
	const cs = childProcess.spawn(
		codeServer,
		[
			'--auth', 'none',
			'--bind-addr', `127.0.0.1:${port}`,
			'--disable-telemetry',
			'--disable-update-check',
			'--disable-workspace-trust',
			'--disable-getting-started-override',
			...csArgs,
			ws,
		],
		{ stdio: ['ignore', csLog, csLog], detached: true, env: { ...process.env, VSCODE_CLI_DISABLE_TELEMETRY: '1' } }
	);
	let browser;
	const cleanup = async () => {
		if (browser) await browser.close().catch(() => {});
		try {
			process.kill(-cs.pid, 'SIGTERM'); // code-server and the extension host it started
		} catch (_) {}
	};
	process.on('SIGINT', () => cleanup().then(() => process.exit(130)));

	try {
		const base = `http://127.0.0.1:${port}`;
		await waitFor('code-server to answer', async () => (await httpStatus(`${base}/healthz`)) === 200, 30000);
		log(`code-server on ${base}`);

		// A persistent context on a new directory: chromium runs with a
		// fresh --user-data-dir (playwright passes it; launch() would refuse
		// it in args).
		browser = await pwChromium.launchPersistentContext(browserProfile, {
			executablePath: chromium,
			headless: true,
			viewport: { width: 1280, height: 800 },
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
			],
		});
		const context = browser;
		const page = context.pages()[0] || (await context.newPage());
		const pageErrors = [];
		page.on('pageerror', (e) => pageErrors.push(String(e)));

		await page.goto(`${base}/?folder=${encodeURIComponent(ws)}`);
		await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
		log('workbench loaded');

		const shot = async (name) => {
			const file = path.join(outDir, name);
			await page.screenshot({ path: file });
			if (process.env.UPDATE === '1') {
				fs.mkdirSync(imagesDir, { recursive: true });
				fs.copyFileSync(file, path.join(imagesDir, name));
			}
			log(`screenshot ${path.relative(extDir, file)}`);
		};
		const openFile = async (name) => {
			const item = page.locator(`.explorer-folders-view .monaco-list-row >> text="${name}"`).first();
			await item.waitFor({ timeout: 30000 });
			await item.click();
			await page.waitForSelector(`.tab.active >> text="${name}"`, { timeout: 15000 });
			await page.waitForSelector('.monaco-editor .view-lines', { timeout: 15000 });
		};
		const viewText = () => page.locator('.editor-group-container.active .monaco-editor .view-lines').first().textContent();
		const lineText = async (needle) => {
			const lines = await page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').allTextContents();
			// VS Code renders spaces as U+00A0.
			return lines.map((l) => l.replace(/\u00a0/g, ' ')).find((l) => l.includes(needle));
		};

		// showHoverAt puts the cursor at a 0-based position with Go to Line
		// and runs Show Hover (Ctrl+K Ctrl+I).
		const showHoverAt = async (line, character) => {
			await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
			await page.keyboard.press('Control+G');
			await page.waitForSelector('.quick-input-widget input', { timeout: 5000 });
			await page.keyboard.type(`${line + 1}:${character + 1}`);
			await page.keyboard.press('Enter');
			await page.keyboard.press('Control+K');
			await page.keyboard.press('Control+I');
		};
		const hoverText = async () => {
			const hover = page.locator('.monaco-hover .hover-contents, .monaco-hover .rendered-markdown').first();
			await hover.waitFor({ state: 'visible', timeout: 15000 });
			await sleep(300); // let it finish rendering for the screenshot
			return hover.textContent();
		};
		// dumpNow runs rose.test.dump through one of its key bindings (they
		// differ in the hover position) and reads what it wrote.
		const dumpNow = async (key = DUMP_KEY_PW) => {
			fs.rmSync(dumpFile, { force: true });
			await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
			await page.keyboard.press('Control+Home');
			await page.keyboard.press(key);
			return waitFor('the dump file', async () => fs.existsSync(dumpFile) && JSON.parse(fs.readFileSync(dumpFile, 'utf8')), 20000);
		};

		await openFile('broken.rose');
		// Without a server every other check would wait for its timeout.
		let started = false;
		await step('the language server starts', async () => {
			await waitFor('the server to run', async () => (await dumpNow()).serverRunning, 20000, 1000);
			started = true;
		});
		if (!started) throw new Error('the language server did not start; see its log below');

		await step('a type error is underlined (.squiggly-error) in broken.rose', async () => {
			await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 30000 });
			// Show the message as a person would, by hovering the error.
			await showHoverAt(2, 8);
			const text = await hoverText();
			log(`  error hover: ${text.trim().slice(0, 120)}`);
			await shot('diagnostics.png');
			await page.keyboard.press('Escape');
		});

		await step('the language is rose (status bar) and the grammar colours the text', async () => {
			await waitFor('"Rose" in the status bar', async () => (await page.locator('.statusbar').textContent()).includes('Rose'), 10000);
			// TextMate tokens become mtk<N> spans with different colours:
			// a keyword, a comment and a name must not all look the same.
			const classes = await page.locator('.view-lines .view-line span span').evaluateAll((els) => [...new Set(els.map((e) => e.className))]);
			assert.ok(classes.length >= 3, `only ${classes.length} token colours: ${classes}`);
		});

		await openFile('sample.rose');

		await step('an inlay hint with the example value (= digit) follows the example line', async () => {
			const text = await waitFor(
				'an inlay hint after the example',
				async () => {
					const l = await lineText('example f(1.5, 0.5)');
					return l && /example f\(1\.5, 0\.5\).*=\s*-?[0-9]/.test(l) ? l : null;
				},
				30000
			);
			log(`  example line reads: ${text.trim()}`);
			await shot('inlay-hints.png');
		});

		await step('code lenses on the example line', async () => {
			await page.waitForSelector('.monaco-editor .codelens-decoration a', { timeout: 30000 });
			const titles = await page.locator('.monaco-editor .codelens-decoration a').allTextContents();
			log(`  code lenses: ${titles.join(' | ')}`);
			assert.ok(titles.length > 0);
		});

		let dump;
		await step('rose.test.dump reports the providers', async () => {
			dump = await dumpNow();
			fs.copyFileSync(dumpFile, path.join(outDir, 'dump.json'));
			assert.ok(dump.ok, `dump: ${dump.error}`);
			assert.strictEqual(dump.languageId, 'rose');
			assert.ok(dump.serverRunning, 'the language server is not running');
		});

		if (dump && dump.ok) {
			await step('dump: an inlay hint label with = and a digit on the example line', async () => {
				const hints = dump.inlayHints || [];
				const h = hints.find((h) => h.line === SAMPLE_EXAMPLE_LINE && /=.*[0-9]/.test(h.label));
				assert.ok(h, `inlay hints: ${JSON.stringify(hints)} ${dump.inlayHintsError || ''}`);
				log(`  inlay hint: ${h.label}`);
			});
			await step('dump: hover on the function name shows its signature', async () => {
				const text = (dump.hover || []).join('\n');
				assert.ok(/Real/.test(text), `hover: ${JSON.stringify(dump.hover)} ${dump.hoverError || ''}`);
			});
			await step('dump: formatting turns x*x into x * x', async () => {
				const edits = dump.formatting || [];
				assert.ok(edits.length > 0, `no formatting edits ${dump.formattingError || ''}`);
				// VS Code reduces the server's edits to a minimal diff: apply them.
				const formatted = applyEdits(SAMPLE, edits);
				assert.ok(formatted.includes('    let s = x * x + sin(y)\n'), `formatted:\n${formatted}\nedits: ${JSON.stringify(edits)}`);
			});
			await step('dump: semantic tokens', async () => {
				const t = dump.semanticTokens;
				assert.ok(t && t.count >= 5, `semantic tokens: ${JSON.stringify(t)} ${dump.semanticTokensError || ''}`);
				assert.ok(dump.semanticTokensLegend && dump.semanticTokensLegend.tokenTypes.length > 0, 'no legend');
			});
			await step('dump: code lenses run rose.run / rose.grad / rose.checkGradient with [uri, exampleIndex]', async () => {
				const lenses = (dump.codeLenses || []).filter((l) => l.command);
				const cmds = new Set(lenses.map((l) => l.command));
				for (const c of ['rose.run', 'rose.grad', 'rose.checkGradient']) assert.ok(cmds.has(c), `no ${c} lens: ${JSON.stringify(lenses)}`);
				for (const l of lenses) {
					assert.strictEqual(l.line, SAMPLE_EXAMPLE_LINE, `lens on line ${l.line}`);
					assert.ok(Array.isArray(l.arguments) && l.arguments.length === 2 && l.arguments[1] === 0, `arguments ${JSON.stringify(l.arguments)}`);
				}
			});
			await step('dump: go to definition from the example call lands on fn f', async () => {
				const d = dump.definition || [];
				assert.ok(d.some((x) => x.uri === dump.uri && x.line === SAMPLE_HOVER.line), `definition: ${JSON.stringify(d)} ${dump.definitionError || ''}`);
			});
			await step('dump: the outline lists f', async () => {
				const syms = dump.documentSymbols || [];
				assert.ok(syms.some((x) => x.name === 'f' && x.line === SAMPLE_HOVER.line), `symbols: ${JSON.stringify(syms)} ${dump.documentSymbolsError || ''}`);
			});
			await step('dump: no diagnostics in sample.rose', async () => {
				const errors = (dump.diagnostics || []).filter((d) => d.severity === 0);
				assert.deepStrictEqual(errors, []);
			});
		}

		await step('a changed setting reaches the server (rose.inlay.exampleValues off, then on)', async () => {
			// The setting changes through the configuration API, as in the
			// Settings editor (code-server does not notice settings.json
			// being rewritten behind its back): the client sends
			// workspace/didChangeConfiguration, the server asks for a
			// refresh of the inlay hints, and the hint goes.
			const hinted = async () => {
				const l = await lineText('example f(1.5, 0.5)');
				return !!l && /example f\(1\.5, 0\.5\).*=\s*-?[0-9]/.test(l);
			};
			await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
			await page.keyboard.press(HINTS_OFF_KEY_PW);
			await waitFor('the example hint to go', async () => !(await hinted()), 15000);
			await page.keyboard.press(HINTS_ON_KEY_PW);
			await waitFor('the example hint to come back', hinted, 15000);
		});

		await step('hover over the function name', async () => {
			await showHoverAt(SAMPLE_HOVER.line, SAMPLE_HOVER.character);
			const text = await hoverText();
			log(`  hover: ${text.trim().slice(0, 120)}`);
			assert.ok(/Real/.test(text), `hover text: ${text}`);
			await shot('hover.png');
			await page.keyboard.press('Escape');
		});

		await step('clicking the Run code lens prints the result in the "Rose" output channel', async () => {
			const lenses = page.locator('.monaco-editor .codelens-decoration a');
			const titles = await lenses.allTextContents();
			const i = Math.max(0, titles.findIndex((t) => /run/i.test(t)));
			await lenses.nth(i).click();
			const out = await waitFor(
				'the output channel',
				async () => {
					const t = await page.locator('.panel .output .view-lines, .panel .monaco-editor .view-lines').first().textContent({ timeout: 1000 });
					return t && /f\(1\.5, 0\.5\)|=\s*-?[0-9]/.test(t) ? t : null;
				},
				20000
			);
			log(`  output: ${out.trim().slice(0, 160)}`);
			await shot('codelens-output.png');
		});

		await step('the grad and check gradient code lenses print theirs too', async () => {
			const lenses = page.locator('.monaco-editor .codelens-decoration a');
			const titles = await lenses.allTextContents();
			for (const [re, command] of [[/grad/i, 'rose.grad'], [/check/i, 'rose.checkGradient']]) {
				const i = titles.findIndex((t) => re.test(t) && !(command === 'rose.grad' && /check/i.test(t)));
				assert.ok(i >= 0, `no lens for ${command}: ${titles.join(' | ')}`);
				await lenses.nth(i).click();
				const out = await waitFor(
					`the output of ${command}`,
					async () => {
						const t = (await page.locator('.panel .monaco-editor .view-lines').first().textContent({ timeout: 1000 })).replace(/\u00a0/g, ' ');
						const at = t.lastIndexOf(`${command}: example 1 in sample.rose`);
						return at >= 0 && /[0-9]/.test(t.slice(at + command.length + 25)) ? t.slice(at) : null;
					},
					20000
				);
				log(`  ${out.trim().slice(0, 160)}`);
			}
		});

		await step('billiards.rose opens without errors', async () => {
			await page.keyboard.press('Control+J'); // hide the panel
			await openFile('billiards.rose');
			await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
			await page.keyboard.press('Control+End'); // the examples are at the end
			await page.keyboard.press(CLEAR_KEY_PW); // the toast that rose.run left
			await sleep(4000); // evaluating the examples takes a moment
			const hinted = await lineText('example loss([0.1, 0.5], [0.3, 0.0])');
			log(`  billiards example line reads: ${hinted ? hinted.trim() : '(not in view)'}`);
			const n = await page.locator('.monaco-editor .squiggly-error').count();
			assert.strictEqual(n, 0, `${n} error squiggles in billiards.rose`);
			await shot('billiards.png');
		});

		await openFile('live.rose');
		const liveHint = async () => {
			const l = await lineText('let y = x * x');
			return l && /let y = x \* x\s*y = 4\.0/.test(l) ? l : null;
		};

		await step('live.rose: no live values while rose.inlay.liveValues is off (the default)', async () => {
			// The example's own hint shows that the server has evaluated it.
			await waitFor('the hint after example f(2.0)', async () => /example f\(2\.0\)\s*=\s*-?[0-9]/.test((await lineText('example f(2.0)')) || ''), 30000);
			assert.strictEqual(await liveHint(), null, `the let line reads: ${await lineText('let y = x * x')}`);
		});

		await step('with rose.inlay.liveValues on, the let shows y = 4.0 and the loop acc = 12.0', async () => {
			await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
			await page.keyboard.press(LIVE_ON_KEY_PW);
			const l = await waitFor('the live value y = 4.0 after the let', liveHint, 15000);
			log(`  let line reads: ${l.trim()}`);
			const loop = await lineText('acc += y');
			log(`  loop line reads: ${loop ? loop.trim() : '(none)'}`);
			assert.ok(loop && /acc \+= y\s*acc = 12\.0/.test(loop), `the loop line reads: ${loop}`);
			await page.keyboard.press(CLEAR_KEY_PW);
			await shot('live-values.png');
		});

		let liveDump;
		await step('dump: live.rose has the live value hints, the hover value and the NaN warnings', async () => {
			liveDump = await waitFor(
				'the NaN warning in the dumped diagnostics',
				async () => {
					const d = await dumpNow(LIVE_DUMP_KEY_PW);
					return d.ok && (d.diagnostics || []).some((x) => x.message.includes('gives NaN')) ? d : null;
				},
				20000,
				500
			);
			fs.copyFileSync(dumpFile, path.join(outDir, 'dump-live.json'));
			const hints = liveDump.inlayHints || [];
			const has = (line, label) => hints.some((h) => h.line === line && h.label === label);
			assert.ok(has(LIVE_LET_LINE, 'y = 4.0'), `no y = 4.0 on line ${LIVE_LET_LINE}: ${JSON.stringify(hints)}`);
			assert.ok(has(LIVE_LOOP_LINE, 'acc = 12.0'), `no acc = 12.0 on line ${LIVE_LOOP_LINE}: ${JSON.stringify(hints)}`);
			const hover = (liveDump.hover || []).join('\n');
			assert.ok(hover.includes('y = `4.0`'), `hover at the y in acc += y: ${JSON.stringify(liveDump.hover)} ${liveDump.hoverError || ''}`);
			const warnings = (liveDump.diagnostics || []).filter((d) => d.severity === 1); // vscode.DiagnosticSeverity.Warning
			const nan = warnings.find((d) => d.message === NAN_MESSAGE);
			assert.ok(nan, `no warning "${NAN_MESSAGE}": ${JSON.stringify(liveDump.diagnostics)}`);
			assert.deepStrictEqual([nan.line, nan.character], [LIVE_SQRT.line, LIVE_SQRT.character], 'the NaN warning is not at sqrt');
			assert.ok(
				warnings.some((d) => d.line === LIVE_EXAMPLE_LINE && d.message === 'root(0.5) = NaN'),
				`no warning "root(0.5) = NaN" at the example: ${JSON.stringify(liveDump.diagnostics)}`
			);
			assert.deepStrictEqual((liveDump.diagnostics || []).filter((d) => d.severity === 0), [], 'errors in live.rose');
		});

		await step('hover over y shows its live value', async () => {
			await showHoverAt(LIVE_USE.line, LIVE_USE.character);
			const text = (await hoverText()).replace(/\u00a0/g, ' ');
			log(`  hover: ${text.trim().slice(0, 120)}`);
			assert.ok(/y = 4\.0/.test(text), `hover text: ${text}`);
			await page.keyboard.press('Escape');
		});

		await step('the sqrt that makes a NaN is underlined as a warning (.squiggly-warning), its hover says why', async () => {
			await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 30000 });
			await showHoverAt(LIVE_SQRT.line, LIVE_SQRT.character + 1);
			const text = await waitFor(
				'the warning in the hover',
				async () => {
					// The hover has the problem and the server's hover of sqrt:
					// read all its parts.
					await hoverText();
					const t = (await page.locator('.monaco-hover .hover-contents').allTextContents()).join(' | ').replace(/\u00a0/g, ' ');
					return t.includes('sqrt of -0.5 gives NaN here') ? t : null;
				},
				15000
			);
			log(`  warning hover: ${text.trim().slice(0, 160)}`);
			await shot('nan-warning.png');
			await page.keyboard.press('Escape');
		});

		if (pageErrors.length) log(`page errors (not failures): ${pageErrors.slice(0, 5).join(' | ')}`);
	} finally {
		if (failed) {
			// Show what the server and the extension host said.
			for (const f of findFiles(path.join(ud, 'logs'), /Rose|exthost\.log|remoteexthost\.log/)) {
				const text = fs.readFileSync(f, 'utf8');
				console.log(`--- ${path.relative(tmp, f)} (last 40 lines)\n${text.split('\n').slice(-40).join('\n')}`);
			}
			console.log(`--- code-server.log (last 20 lines)\n${fs.readFileSync(path.join(tmp, 'code-server.log'), 'utf8').split('\n').slice(-20).join('\n')}`);
		}
		await cleanup();
		if (process.env.ROSE_E2E_KEEP === '1') log(`kept ${tmp}`);
		else fs.rmSync(tmp, { recursive: true, force: true });
	}
}

main()
	.catch((err) => {
		failures.push('setup');
		failed++;
		console.log(`FAIL setup: ${err && err.stack ? err.stack : err}`);
	})
	.finally(() => {
		if (failures.length) console.log(`failed: ${failures.join('; ')}`);
		console.log(`e2e: ${passed} passed, ${failed} failed`);
		process.exit(failed ? 1 : 0);
	});
