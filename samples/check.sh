#!/bin/sh
# check.sh: are the committed sample binaries up to date, and do they pass under QEMU?
#
#  1. Rebuilds the teaching kernel and the POPF demo from source in a scratch copy and compares the
#     result byte for byte with the committed ELF files (the builds are reproducible). With a compiler
#     other than the one the binaries were built with, a difference is only reported, not a failure.
#  2. Runs `make qemu-test` in both folders (skipped if qemu-system-i386 is missing).
# Needs gcc with -m32 (gcc-multilib). Ends with the line "N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILT_WITH="gcc (Debian 12.2.0-14+deb12u1) 12.2.0"
pass=0; fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

SCRATCH=$(mktemp -d /tmp/ringside-samples.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
cp -r "$HERE/workspace/kernel" "$HERE/workspace/popf-demo" "$HERE/workspace/hostile" "$SCRATCH/"

same_compiler=1
[ "$(gcc --version | head -n 1)" = "$BUILT_WITH" ] || same_compiler=0

for dir in kernel popf-demo hostile; do
  if ! make -s -C "$SCRATCH/$dir" clean all > "$SCRATCH/$dir.build.log" 2>&1; then
    bad "$dir: build"; cat "$SCRATCH/$dir.build.log"; continue
  fi
  ok "$dir: build"
  for f in $(cd "$HERE/workspace/$dir" && ls *.elf user/*.elf 2>/dev/null); do
    if cmp -s "$SCRATCH/$dir/$f" "$HERE/workspace/$dir/$f"; then
      ok "$dir/$f matches its sources"
    elif [ $same_compiler = 1 ]; then
      bad "$dir/$f is stale: run make in samples/workspace/$dir and commit the result"
    else
      echo "note $dir/$f differs, but this gcc is not '$BUILT_WITH'"
    fi
  done
done

if command -v qemu-system-i386 > /dev/null; then
  for dir in kernel popf-demo; do
    # Test the committed binaries, in the scratch copy, marked newer than anything so make keeps them.
    (cd "$HERE/workspace/$dir" && ls *.elf user/*.elf disk.img 2>/dev/null) | while read -r f; do
      cp "$HERE/workspace/$dir/$f" "$SCRATCH/$dir/$f" && touch "$SCRATCH/$dir/$f"
    done
    if make -s -C "$SCRATCH/$dir" qemu-test > "$SCRATCH/$dir.test.log" 2>&1; then
      ok "$dir: qemu-test"
    else
      bad "$dir: qemu-test"; cat "$SCRATCH/$dir.test.log"
    fi
  done
else
  echo "note qemu-system-i386 not installed: QEMU tests skipped"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
