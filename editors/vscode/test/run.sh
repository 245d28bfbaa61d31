#!/usr/bin/env bash
# Builds and tests the VS Code extension: npm ci, the TextMate grammar test,
# vsce package, and the end-to-end test in code-server (which needs
# test/install-deps.sh first). ROSE_SKIP_E2E=1 skips the end-to-end test
# for quick local runs; CI runs it. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

t() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(t)" 'BEGIN { printf "%.1fs", b - a }'; }

# The npm environment of test/install-deps.sh: native modules build
# against the local Node headers, and npx never prompts.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
export npm_config_yes=true
export npm_config_audit=false
export npm_config_fund=false
export npm_config_update_notifier=false

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
results="$tmp/results"
: >"$results"

# summary prints the tests' counts added up, as the last line.
summary() {
	awk '/^[a-z0-9]+: [0-9]+ passed, [0-9]+ failed$/ { p += $2; f += $4 } END { printf "vscode: %d passed, %d failed\n", p, f }' "$results"
}

s=$(t)
npm ci --no-audit --no-fund --loglevel=error
echo "vscode: npm ci done in $(elapsed "$s")"

s=$(t)
node test/grammar.test.js | tee -a "$results"
echo "vscode: grammar test done in $(elapsed "$s")"

s=$(t)
npx vsce package --out rose.vsix >/dev/null
ls -l rose.vsix
echo "vscode: vsce package done in $(elapsed "$s")"

if [ "${ROSE_SKIP_E2E:-}" = 1 ]; then
	echo "vscode: end-to-end test skipped (ROSE_SKIP_E2E=1)"
	summary
	exit 0
fi

s=$(t)
(cd ../.. && go build -o "$tmp/rose" ./cmd/rose)
ROSE_BIN="$tmp/rose" node test/e2e.test.js | tee -a "$results"
echo "vscode: end-to-end test done in $(elapsed "$s")"
summary
