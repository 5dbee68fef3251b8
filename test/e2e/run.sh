#!/bin/sh
# End-to-end tests in a real VS Code (the recipe of ../shared/vscode-e2e/REPORT.md):
#  A. the packaged .vsix installed into code-server, driven by playwright-core in Debian's Chromium:
#     F5 on the sample workspace stops at a breakpoint in kmain; call stack, Registers scope, serial terminal;
#     then a breakpoint in timer.c hit from ring 3 (`run spin` typed in the serial terminal), the call stack
#     through the interrupt frame into spin.c, three step-outs over the iret back to CPL 3, and guest memory
#     read in the Debug Console against spin.elf's bytes.
#  B. extension-host tests (the @vscode/test-electron style run() entry) inside the plain VS Code server that
#     ships in the code-server package, started with --enable-smoke-test-driver: activation, commands, a
#     2-vCPU session, and F5 on every configuration of the sample workspace's launch.json.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/scripts/tools-env.sh"
PA=${E2E_PORT_A:-8765}; PB=${E2E_PORT_B:-8768}
R=$(mktemp -d /tmp/ringside-e2e.XXXXXX)
SHOTS="$ROOT/test-results/e2e"
mkdir -p "$SHOTS"
PIDS=""
cleanup() { for p in $PIDS; do kill -- -"$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
N24="$NODE24_HOME/bin/node"
CS_BIN="$CODE_SERVER/out/node/entry.js"

(cd "$ROOT" && npm run -s package >/dev/null)
echo "[e2e] packaged ringside.vsix ($(du -k "$ROOT/ringside.vsix" | cut -f1) KiB)"

prepare() { # rundir
  mkdir -p "$1/user-data/User"
  cp -r "$ROOT/samples/workspace" "$1/workspace"
  cp "$ROOT/test/e2e/settings.json" "$1/user-data/User/settings.json"
  mkdir -p "$1/workspace/.vscode"; [ -f "$1/workspace/.vscode/launch.json" ] || cp "$ROOT/test/e2e/launch.json" "$1/workspace/.vscode/launch.json"
}
wait_http() { # url log
  i=0
  until curl -sf -o /dev/null "$1"; do
    i=$((i+1)); if [ $i -gt 600 ]; then echo "[e2e] server did not come up"; cat "$2"; exit 1; fi
    sleep 0.1
  done
}

# ---- A: UI through code-server, the extension installed from the .vsix
prepare "$R/a"
"$N24" "$CS_BIN" --config "$R/a/config.yaml" --user-data-dir "$R/a/user-data" --extensions-dir "$R/a/extensions" \
  --install-extension "$ROOT/ringside.vsix" >/dev/null
setsid "$N24" "$CS_BIN" --config "$R/a/config.yaml" --auth none --bind-addr "127.0.0.1:$PA" \
  --user-data-dir "$R/a/user-data" --extensions-dir "$R/a/extensions" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override --ignore-last-opened "$R/a/workspace" > "$R/a/server.log" 2>&1 &
PIDS="$PIDS $!"
wait_http "http://127.0.0.1:$PA/healthz" "$R/a/server.log"
rcA=0
node "$ROOT/test/e2e/ui.mjs" "http://127.0.0.1:$PA" "$R/a/workspace" "$SHOTS" || rcA=$?
echo "[e2e] A (UI in code-server) rc=$rcA"

# ---- B: extension-host tests in the VS Code server
prepare "$R/b"
setsid "$N24" "$CODE_SERVER/lib/vscode/out/server-main.js" --host 127.0.0.1 --port "$PB" --without-connection-token \
  --accept-server-license-terms --enable-smoke-test-driver --disable-telemetry --disable-workspace-trust \
  --user-data-dir "$R/b/user-data" --server-data-dir "$R/b/server-data" --extensions-dir "$R/b/extensions" \
  > "$R/b/server.log" 2>&1 &
PIDS="$PIDS $!"
wait_http "http://127.0.0.1:$PB/version" "$R/b/server.log"
rcB=0
node "$ROOT/test/e2e/ext-host.mjs" "http://127.0.0.1:$PB" "$R/b/workspace" "$ROOT" "$ROOT/test/e2e/ext-host-suite.js" || rcB=$?
echo "[e2e] B (extension host) rc=$rcB"

if [ "$rcA" -eq 0 ] && [ "$rcB" -eq 0 ]; then rm -rf "$R"; echo "e2e: 2 passed, 0 failed"; exit 0; fi
echo "e2e: FAILED; logs in $R"; exit 1
