#!/bin/sh
# `npm start`: build and package the extension, then open the sample workspace in VS Code with Ringside
# installed: `code` when it is on the PATH, otherwise a local code-server on 127.0.0.1 whose URL is printed.
# F5 there boots the sample kernel.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run -s package
WORKSPACE="$ROOT/samples/workspace"
if command -v code >/dev/null 2>&1; then
  code --install-extension "$ROOT/ringside.vsix" --force
  exec code "$WORKSPACE"
fi
sh scripts/setup.sh
. "$ROOT/scripts/tools-env.sh"
PORT=${RINGSIDE_PORT:-8080}
RUN="$ROOT/.tools/run"
mkdir -p "$RUN/user-data/User"
[ -f "$RUN/user-data/User/settings.json" ] || cp "$ROOT/test/e2e/settings.json" "$RUN/user-data/User/settings.json"
N24="$NODE24_HOME/bin/node"
CS="$CODE_SERVER/out/node/entry.js"
"$N24" "$CS" --config "$RUN/config.yaml" --user-data-dir "$RUN/user-data" --extensions-dir "$RUN/extensions" \
  --install-extension "$ROOT/ringside.vsix" --force >/dev/null
echo
echo "Ringside is installed in code-server. Open http://127.0.0.1:$PORT/?folder=$WORKSPACE"
echo "then press F5 to boot the sample kernel. Ctrl+C stops the server."
echo
exec "$N24" "$CS" --config "$RUN/config.yaml" --auth none --bind-addr "127.0.0.1:$PORT" \
  --user-data-dir "$RUN/user-data" --extensions-dir "$RUN/extensions" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override "$WORKSPACE"
