#!/bin/sh
# capture-kmem.sh — records the kernel allocations of a small real workload
# (compiling one C file of this project twice) with `vmreplay record ftrace
# --follow`, and writes them as native CSV: how traces/cc-kmem.csv was made.
#   traces/capture-kmem.sh VMREPLAY OUT.csv      (as root: needs tracefs)
set -eu
vmreplay=${1:?usage: capture-kmem.sh VMREPLAY OUT.csv}
out=${2:?usage: capture-kmem.sh VMREPLAY OUT.csv}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/vmreplay-kmem.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
cp "$top"/libreplay/format.c "$top"/libreplay/internal.h \
	"$top"/libreplay/libreplay.h "$work"/
"$vmreplay" record ftrace -o "$work/k.db" --name cc-kmem --events kmem --follow \
	-- sh -c "cd '$work' && gcc -O2 -c format.c -o a.o && gcc -O2 -c format.c -o b.o"
"$vmreplay" export csv "$work/k.db" --trace cc-kmem -o "$out"
