#!/usr/bin/env node
// Tokenizes every examples/*.rose file with the extension's TextMate
// grammar, as VS Code does (vscode-textmate with the oniguruma regular
// expression engine), and compares a dump of the tokens with
// test/golden/NAME.txt. UPDATE=1 rewrites the goldens instead.
//
// Dump format: one line per token that is not white space,
//   LINE: TEXT -> SCOPE SCOPE ...
// with the scopes below source.rose, outermost first.
'use strict';

const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const extDir = path.resolve(__dirname, '..');
const repoDir = path.resolve(extDir, '..', '..');
const examplesDir = process.env.ROSE_EXAMPLES_DIR || path.join(repoDir, 'examples');
const goldenDir = path.join(__dirname, 'golden');
const update = process.env.UPDATE === '1';

async function loadGrammar() {
	const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
	await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
	const registry = new vsctm.Registry({
		onigLib: Promise.resolve({
			createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
			createOnigString: (s) => new oniguruma.OnigString(s),
		}),
		loadGrammar: async (scopeName) => {
			if (scopeName !== 'source.rose') return null;
			const file = path.join(extDir, 'syntaxes', 'rose.tmLanguage.json');
			return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
		},
	});
	return registry.loadGrammar('source.rose');
}

// dump tokenizes src line by line, carrying the rule stack across lines.
function dump(grammar, src) {
	const out = [];
	let stack = vsctm.INITIAL;
	const lines = src.split('\n');
	if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
	lines.forEach((line, i) => {
		const r = grammar.tokenizeLine(line, stack);
		for (const t of r.tokens) {
			const text = line.slice(t.startIndex, t.endIndex);
			if (text.trim() === '') continue;
			const scopes = t.scopes.filter((s) => s !== 'source.rose');
			out.push(`${i + 1}: ${text} -> ${scopes.join(' ') || '(none)'}`);
		}
		stack = r.ruleStack;
	});
	return out.join('\n') + '\n';
}

// firstDifference describes where two dumps part.
function firstDifference(want, got) {
	const a = want.split('\n');
	const b = got.split('\n');
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		if (a[i] !== b[i]) {
			return `first difference at dump line ${i + 1}:\n  want: ${a[i] === undefined ? '(end)' : a[i]}\n  got:  ${b[i] === undefined ? '(end)' : b[i]}`;
		}
	}
	return 'no difference';
}

// checks are spot checks of the grammar on its own, independent of the
// goldens: [source line, token text, scope that the token must have].
const checks = [
	['// a comment', '//', 'punctuation.definition.comment.rose'],
	['// a comment', 'a comment', 'comment.line.double-slash.rose'],
	['fn step(b: Ball) -> Ball {', 'fn', 'storage.type.function.rose'],
	['fn step(b: Ball) -> Ball {', 'step', 'entity.name.function.rose'],
	['fn step(b: Ball) -> Ball {', 'b', 'variable.parameter.rose'],
	['fn step(b: Ball) -> Ball {', 'Ball', 'entity.name.type.rose'],
	['fn step(b: Ball) -> Ball {', '->', 'keyword.operator.arrow.rose'],
	['fn mean<n>(xs: [n]Real) -> Real { sum(xs) / real(n) }', 'n', 'variable.parameter.size.rose'],
	['fn mean<n>(xs: [n]Real) -> Real { sum(xs) / real(n) }', 'Real', 'support.type.primitive.rose'],
	['fn mean<n>(xs: [n]Real) -> Real { sum(xs) / real(n) }', 'sum', 'support.function.builtin.rose'],
	['fn sq(x: Real) -> Real jvp sq_jvp { x * x }', 'jvp', 'keyword.other.jvp.rose'],
	['fn sq(x: Real) -> Real jvp sq_jvp { x * x }', 'sq_jvp', 'entity.name.function.rule.rose'],
	['fn f(p: (Real, Int), q: Bool) -> Real { 1.0 }', 'q', 'variable.parameter.rose'],
	['example loss([0.1, 0.5], 3) // ref', 'example', 'keyword.other.example.rose'],
	['example loss([0.1, 0.5], 3) // ref', 'loss', 'entity.name.function.call.rose'],
	['example loss([0.1, 0.5], 3) // ref', '0.1', 'constant.numeric.float.rose'],
	['example loss([0.1, 0.5], 3) // ref', '3', 'constant.numeric.integer.rose'],
	['example loss([0.1, 0.5], 3) // ref', 'ref', 'comment.line.double-slash.rose'],
	['test sums { assert sum([1, 2]) == 3 }', 'test', 'keyword.other.test.rose'],
	['test sums { assert sum([1, 2]) == 3 }', 'sums', 'entity.name.function.test.rose'],
	['test sums { assert sum([1, 2]) == 3 }', 'assert', 'keyword.other.assert.rose'],
	['test sums { assert sum([1, 2]) == 3 }', '==', 'keyword.operator.comparison.rose'],
	['const dt = 1e-3', 'const', 'storage.type.const.rose'],
	['const dt = 1e-3', 'dt', 'variable.other.constant.declaration.rose'],
	['const dt = 1e-3', '1e-3', 'constant.numeric.float.rose'],
	['type Vec2 = [2]Real', 'Vec2', 'entity.name.type.alias.rose'],
	['struct Ball { x: Vec2, v: Vec2 }', 'Ball', 'entity.name.type.struct.rose'],
	['struct Ball { x: Vec2, v: Vec2 }', 'x', 'variable.other.property.declaration.rose'],
	['    let d = a.x - j.x', 'let', 'storage.type.let.rose'],
	['    let d = a.x - j.x', 'd', 'variable.other.definition.rose'],
	['    let d = a.x - j.x', 'x', 'variable.other.property.rose'],
	['    var top = 0.0', 'var', 'storage.type.var.rose'],
	['    for i in 0..n {', 'for', 'keyword.control.for.rose'],
	['    for i in 0..n {', '..', 'keyword.operator.range.rose'],
	['    while x < 1.0 max 10 { x += 0.5 }', 'while', 'keyword.control.rose'],
	['    while x < 1.0 max 10 { x += 0.5 }', 'max', 'keyword.control.max.rose'],
	['    while x < 1.0 max 10 { x += 0.5 }', '+=', 'keyword.operator.assignment.rose'],
	['    if a && !b { true } else { false }', 'if', 'keyword.control.rose'],
	['    if a && !b { true } else { false }', '&&', 'keyword.operator.logical.rose'],
	['    if a && !b { true } else { false }', 'true', 'constant.language.boolean.rose'],
	['    grad(f)(x, pi)', 'grad', 'support.function.derivative.rose'],
	['    grad(f)(x, pi)', 'pi', 'support.constant.builtin.rose'],
	['    t.0 + t.1', '1', 'variable.other.property.rose'],
	['    Ball { pos: p, vel: v }', 'pos', 'variable.other.property.rose'],
	['    let z = x # y', '#', 'invalid.illegal.character.rose'],
];

function runChecks(grammar) {
	const failures = [];
	for (const [line, text, scope] of checks) {
		const r = grammar.tokenizeLine(line, vsctm.INITIAL);
		const hits = r.tokens.filter((t) => line.slice(t.startIndex, t.endIndex).trim() === text);
		if (!hits.some((t) => t.scopes.includes(scope))) {
			const seen = hits.map((t) => t.scopes.join(' ')).join(' | ') || 'no token with that text';
			failures.push(`${JSON.stringify(line)}: ${JSON.stringify(text)} should be ${scope}; got ${seen}`);
		}
	}
	return failures;
}

// goFiles lists the .go files (not tests) under dir.
function goFiles(dir) {
	const out = [];
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory() && e.name !== 'testdata') out.push(...goFiles(p));
		else if (e.name.endsWith('.go') && !e.name.endsWith('_test.go')) out.push(p);
	}
	return out;
}

// languageNames reads the keywords (package grammar's Keywords) and the
// builtin functions and constants (package check's tables) from the Go
// source, so that the grammar cannot drift from the language.
function languageNames() {
	const src = (dir) => goFiles(path.join(repoDir, dir)).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
	const grammarSrc = src('grammar');
	const m = /var Keywords = \[\]string\{([^}]*)\}/.exec(grammarSrc);
	const keywords = m ? [...m[1].matchAll(/"([a-z]+)"/g)].map((x) => x[1]) : [];
	const checkSrc = src('check');
	const builtins = [...checkSrc.matchAll(/^\s*b[A-Z][A-Za-z0-9]*:\s*\{"([a-z0-9]+)"/gm)].map((x) => x[1]);
	const constants = [...checkSrc.matchAll(/^\s*\{"([a-z]+)", math\./gm)].map((x) => x[1]);
	return { keywords, builtins, constants };
}

// nameChecks: every keyword is scoped as one (not as a variable), every
// builtin in a call as support.function.builtin, every constant as
// support.constant.builtin.
function nameChecks(grammar) {
	const { keywords, builtins, constants } = languageNames();
	const failures = [];
	if (keywords.length < 10) failures.push(`found only ${keywords.length} keywords in grammar/`);
	if (builtins.length < 20) failures.push(`found only ${builtins.length} builtins in check/`);
	const scopesOf = (line, text) =>
		grammar
			.tokenizeLine(line, vsctm.INITIAL)
			.tokens.filter((t) => line.slice(t.startIndex, t.endIndex).trim() === text)
			.map((t) => t.scopes);
	for (const k of keywords) {
		// at the start of a line (example, test) and inside an expression
		for (const line of [`${k} x`, `    let y = ${k} x`]) {
			const got = scopesOf(line, k);
			if (!got.length || got.some((sc) => sc.some((x) => x.startsWith('variable.')) || sc.length < 2)) {
				failures.push(`keyword ${k} in ${JSON.stringify(line)}: ${JSON.stringify(got)}`);
			}
		}
	}
	for (const b of builtins) {
		const got = scopesOf(`    let y = ${b}(x)`, b);
		if (!got.some((sc) => sc.includes('support.function.builtin.rose'))) failures.push(`builtin ${b}: ${JSON.stringify(got)}`);
	}
	for (const c of constants) {
		const got = scopesOf(`    let y = ${c} * x`, c);
		if (!got.some((sc) => sc.includes('support.constant.builtin.rose'))) failures.push(`constant ${c}: ${JSON.stringify(got)}`);
	}
	return { failures, count: keywords.length * 2 + builtins.length + constants.length };
}

async function main() {
	const grammar = await loadGrammar();
	let passed = 0;
	let failed = 0;

	const names = nameChecks(grammar);
	for (const f of names.failures) console.log(`FAIL names: ${f}`);
	passed += Math.max(0, names.count - names.failures.length);
	failed += names.failures.length;
	console.log(`${names.failures.length ? 'FAIL' : 'ok  '} keywords and builtins from grammar/ and check/ (${names.count} checks)`);

	const checkFailures = runChecks(grammar);
	for (const f of checkFailures) console.log(`FAIL check ${f}`);
	passed += checks.length - checkFailures.length;
	failed += checkFailures.length;

	const files = fs.readdirSync(examplesDir).filter((f) => f.endsWith('.rose')).sort();
	if (files.length === 0) {
		console.log(`FAIL no .rose files in ${examplesDir}`);
		failed++;
	}
	fs.mkdirSync(goldenDir, { recursive: true });
	for (const f of files) {
		const name = path.basename(f, '.rose');
		const got = dump(grammar, fs.readFileSync(path.join(examplesDir, f), 'utf8'));
		const goldenFile = path.join(goldenDir, name + '.txt');
		if (update) {
			fs.writeFileSync(goldenFile, got);
			console.log(`ok   ${name} (golden written)`);
			passed++;
			continue;
		}
		if (!fs.existsSync(goldenFile)) {
			console.log(`FAIL ${name}: no golden ${path.relative(extDir, goldenFile)} (run with UPDATE=1)`);
			failed++;
			continue;
		}
		const want = fs.readFileSync(goldenFile, 'utf8');
		if (want === got) {
			console.log(`ok   ${name}`);
			passed++;
		} else {
			console.log(`FAIL ${name}: tokens differ from ${path.relative(extDir, goldenFile)}; ${firstDifference(want, got)}`);
			failed++;
		}
	}
	// Goldens whose example is gone are stale.
	for (const g of fs.readdirSync(goldenDir).filter((g) => g.endsWith('.txt'))) {
		if (!files.includes(path.basename(g, '.txt') + '.rose')) {
			console.log(`FAIL stale golden ${g}: no examples/${path.basename(g, '.txt')}.rose`);
			failed++;
		}
	}
	console.log(`grammar: ${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
