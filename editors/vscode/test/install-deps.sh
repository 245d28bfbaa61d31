#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, outside the repository:
# Debian's chromium (the browser playwright drives), libkrb5-dev (headers
# for code-server's kerberos module, built from source here), ripgrep
# (seeded into @vscode/ripgrep's download cache, see below) and
# code-server 4.100.3 (VS Code 1.100.3; the last release whose install
# accepts Node 20) into $ROSE_CODE_SERVER_DIR (default
# $HOME/.cache/rose-code-server). Idempotent: a second run does nothing.
set -euo pipefail

CS_VERSION=4.100.3
CS_DIR="${ROSE_CODE_SERVER_DIR:-$HOME/.cache/rose-code-server}"

need=()
for p in chromium libkrb5-dev ripgrep; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "install-deps: apt-get install ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${need[@]}" >/dev/null
fi

bin="$CS_DIR/node_modules/.bin/code-server"
# (code-server's first run prints a line about its config file before the
# version, so look for the version line.)
if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "^$CS_VERSION "; then
	echo "install-deps: code-server $CS_VERSION already in $CS_DIR"
	exit 0
fi

echo "install-deps: installing code-server $CS_VERSION into $CS_DIR (a few minutes)"
mkdir -p "$CS_DIR"
# @vscode/ripgrep's postinstall downloads rg from the network and fails the
# whole install offline; it looks in its cache (in Node's os.tmpdir()) first,
# so put Debian's rg there under the name it expects.
rgcache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
mkdir -p "$rgcache"
tar czf "$rgcache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg

cd "$CS_DIR"
[ -f package.json ] || echo '{"name":"rose-code-server","private":true}' >package.json
# nodedir: node-gyp builds native modules against the local Node headers
# (prebuilt downloads fail offline and fall back to source builds);
# yes: node-pty's postinstall runs npx node-gyp, which must not prompt.
npm_config_nodedir=/usr npm_config_yes=true npm_config_unsafe_perm=true \
	npm install --no-audit --no-fund --foreground-scripts "code-server@$CS_VERSION" >install.log 2>&1 || {
	tail -50 install.log
	exit 1
}
"$bin" --version | grep "^$CS_VERSION "
