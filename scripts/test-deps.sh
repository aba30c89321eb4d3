#!/usr/bin/env bash
# What the tests drive for real: bash, zsh, fish, tmux, git, less (and ripgrep for the benchmarks),
# a C compiler for the native byte relay (a test checks the daemon runs with it), and the MCP
# conformance suite and Inspector.
# Installs the missing ones with apt when it can (root on Debian), else says what to install.
set -euo pipefail
need=()
for p in tmux zsh fish git less ripgrep gcc; do
  bin=$p; [ "$p" = ripgrep ] && bin=rg; [ "$p" = gcc ] && bin=cc
  command -v "$bin" >/dev/null 2>&1 || need+=("$p")
done
# The MCP conformance suite and the Inspector's CLI (test/mcp-conformance.test.ts), pinned, kept
# in a cache beside the checkout's dependencies, never dependencies of trail.
mcp_tools="${TRAIL_MCP_TOOLS:-$HOME/.cache/trail-mcp-tools}"
if [ ! -x "$mcp_tools/node_modules/.bin/conformance" ] || [ ! -x "$mcp_tools/node_modules/.bin/mcp-inspector" ]; then
  echo "installing for the tests: @modelcontextprotocol/conformance, @modelcontextprotocol/inspector (into $mcp_tools)"
  mkdir -p "$mcp_tools"
  [ -f "$mcp_tools/package.json" ] || echo '{"name":"trail-mcp-tools","private":true}' > "$mcp_tools/package.json"
  npm install --prefix "$mcp_tools" --no-audit --no-fund --loglevel=error @modelcontextprotocol/conformance@0.1.13 @modelcontextprotocol/inspector@2.12.0 >/dev/null
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing for the tests: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "the tests need: ${need[*]} (e.g. sudo apt-get install ${need[*]})" >&2
  exit 1
fi
