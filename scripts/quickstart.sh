#!/bin/sh
# quickstart.sh — the README's two commands, from a fresh clone, as root on
# Debian 12: installs the packages vmreplay needs, bootstraps, builds, then
#   quickstart.sh demo    runs the main job on the traces shipped in traces/
#   quickstart.sh check   runs the whole test suite (make check)
set -eu
cd "$(dirname "$0")/.."
what=${1:-demo}
case $what in
demo | check) ;;
*) echo "usage: scripts/quickstart.sh demo|check" >&2; exit 2 ;;
esac
scripts/install-deps.sh
[ -x configure ] || ./autogen.sh >/dev/null
[ -f Makefile ] || ./configure --enable-werror >/dev/null
make -j"$(nproc)" >/dev/null
case $what in
demo) exec scripts/demo.sh ;;
check) exec make -j"$(nproc)" check ;;
esac
