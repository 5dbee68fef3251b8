#!/bin/sh
# Builds the native x86 oracle (../shared/anchors/native-oracle, next to the repository) into
# .cache/native-oracle (git-ignored) and prints the binary's path on stdout.
#
# The shared folder is read-only and shared between checkouts, so the sources are copied and built here:
# each checkout gets its own binary and no build ever writes into the shared anchor.
# Idempotent: gcc-multilib is installed only when `gcc -m32` cannot link, make rebuilds only on change.
# Exit status: 0 with the path printed, non-zero with a reason on stderr when the oracle cannot be built
# on this machine (not x86, no 32-bit toolchain and no way to install one); the differential test then skips.
set -eu

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
SRC=${RINGSIDE_ORACLE_SRC:-$(CDPATH= cd -- "$ROOT/.." && pwd)/shared/anchors/native-oracle}
OUT="$ROOT/.cache/native-oracle"
# --qemu: the variant run under QEMU user mode where the kernel cannot run i386 programs. Two changes:
#  - The oracle writes each case's code through a second (aliased) mapping of the code pages, which QEMU's
#    translation cache never sees; flipping the code pages' protection after each write makes QEMU drop its
#    stale translations.
#  - The watchdog's first SIGVTALRM tick inside guest code returns to the guest (a case is a timeout only at the
#    second tick). Under QEMU 7.2 that return loses the guest's x87 state (FNINIT-like: CW 0x37F, all tags
#    empty; reproduced with --timeout-ms 1: 57 of 20,000 runs of one case). In this variant every tick in guest
#    code ends the case as a timeout, and the test asks timeouts again (qemu-oracle.ts).
VARIANT=native
if [ "${1:-}" = "--qemu" ]; then
  VARIANT=qemu
  OUT="$ROOT/.cache/native-oracle-qemu"
fi

die() { echo "build-oracle: $*" >&2; exit 1; }

[ -f "$SRC/oracle.c" ] || die "oracle sources not found at $SRC"
case "$(uname -m)" in
  x86_64|i?86) ;;
  *) die "the oracle runs IA-32 code natively; this machine is $(uname -m)" ;;
esac

# A trivial -m32 link tells us whether the 32-bit toolchain is usable (headers, crt files, libgcc).
can_link_m32() {
  t=$(mktemp -d)
  printf 'int main(void){return 0;}\n' > "$t/t.c"
  ok=1
  gcc -m32 -o "$t/t" "$t/t.c" >/dev/null 2>&1 && ok=0
  rm -rf "$t"
  return $ok
}

if ! command -v gcc >/dev/null 2>&1 || ! can_link_m32; then
  command -v apt-get >/dev/null 2>&1 || die "gcc -m32 does not work and apt-get is not available"
  SUDO=
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "gcc -m32 does not work; need root (or sudo) to install gcc-multilib"
    SUDO="sudo -n"
  fi
  echo "build-oracle: installing gcc-multilib" >&2
  # Quiet, non-interactive; update the package lists only if the first attempt cannot find the package.
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq gcc gcc-multilib make >/dev/null 2>&1 || {
    $SUDO apt-get update -qq >/dev/null 2>&1 || true
    $SUDO apt-get install -y -qq gcc gcc-multilib make >/dev/null 2>&1 || die "apt-get install gcc-multilib failed"
  }
  can_link_m32 || die "gcc -m32 still cannot link after installing gcc-multilib"
fi
command -v make >/dev/null 2>&1 || die "make is missing"

mkdir -p "$OUT"
# Copy only when the shared sources changed, so make's timestamps keep the rebuild incremental.
for f in Makefile oracle.c guest.S; do
  src="$SRC/$f"
  if [ "$VARIANT" = qemu ] && [ "$f" = oracle.c ]; then
    src="$OUT/.oracle-qemu.c"
    for p in 'g_prev_code_len = C.code_len;' 'if (g_seq != g_tick_seq) {'; do
      [ "$(grep -cF "$p" "$SRC/oracle.c")" = 1 ] || die "oracle.c changed: the QEMU variant's patch point '$p' is gone"
    done
    sed -e 's|g_prev_code_len = C.code_len;|g_prev_code_len = C.code_len; mprotect((void *)CODE_BASE, CODE_SIZE, PROT_READ \| PROT_WRITE \| PROT_EXEC); mprotect((void *)CODE_BASE, CODE_SIZE, PROT_READ \| PROT_EXEC);|' \
      -e 's|if (g_seq != g_tick_seq) {|if (0 \&\& g_seq != g_tick_seq) {|' \
      "$SRC/oracle.c" > "$src"
  fi
  if ! cmp -s "$src" "$OUT/$f"; then
    cp "$src" "$OUT/$f"
    chmod u+w "$OUT/$f"
  fi
done

# A concurrent build (two test runs) must not interleave: take a lock if flock exists.
if command -v flock >/dev/null 2>&1; then
  flock "$OUT/.lock" make -s -C "$OUT" >&2 || die "make failed"
else
  make -s -C "$OUT" >&2 || die "make failed"
fi
[ -x "$OUT/.build/oracle" ] || die "make did not produce $OUT/.build/oracle"
echo "$OUT/.build/oracle"
