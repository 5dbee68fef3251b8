#!/bin/sh
# `npm test`: every suite, from a fresh clone to green. Installs what is missing first (npm packages, Debian
# packages, Node 24 + code-server for the VS Code tests), then runs the layers in order:
#   lint -> unit (monitor, CPU, devices, symbols) -> protocol (the real adapter over DAP) -> integration (whole guests)
#   -> webview (panels in headless Chromium) -> e2e (the packaged .vsix in a real VS Code)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
T0=$(date +%s)
step() { printf '\n==== %s (%ss)\n' "$*" "$(( $(date +%s) - T0 ))"; }

step "npm dependencies"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
step "system tools"
sh scripts/setup.sh
# The CPU differential (test/unit/cpu-diff) runs the oracle natively where the kernel runs i386 programs, else the
# same oracle under qemu-i386-static (installed above); it builds what it needs itself and skips only, saying
# why, when neither can run (RINGSIDE_DIFF_ORACLE=native|qemu forces one, =off skips).
if [ -f scripts/build-oracle.sh ]; then sh scripts/build-oracle.sh || echo "[test] the native x86 oracle could not be built: the CPU differential will use QEMU user mode or say why it skips"; fi

step "lint"
npm run -s lint
step "unit tests"
npm run -s test:unit
step "protocol tests"
npm run -s test:protocol
step "integration tests (Debian Linux on 1 and 2 vCPUs, disk boot)"
npm run -s test:integration
step "webview tests"
npm run -s test:webview
step "end-to-end tests in VS Code"
npm run -s test:e2e
step "all suites passed"
