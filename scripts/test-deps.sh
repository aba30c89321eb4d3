#!/usr/bin/env bash
# What the tests drive for real: bash, zsh, fish, tmux, git, less (and ripgrep for the benchmarks),
# and a C compiler for the native byte relay (a test checks the daemon runs with it).
# Installs the missing ones with apt when it can (root on Debian), else says what to install.
set -euo pipefail
need=()
for p in tmux zsh fish git less ripgrep gcc; do
  bin=$p; [ "$p" = ripgrep ] && bin=rg; [ "$p" = gcc ] && bin=cc
  command -v "$bin" >/dev/null 2>&1 || need+=("$p")
done
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
