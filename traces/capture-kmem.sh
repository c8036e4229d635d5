#!/bin/sh
# capture-kmem.sh — how traces/cc-kmem.csv was made: records, with
# `vmreplay record ftrace --follow`, the kernel allocations (kmem) and
# page-cache fills (filemap) of a small real workload — reading 300 man
# pages from a cold page cache, then compiling one C file of this project
# twice — and writes them as native CSV.
#   traces/capture-kmem.sh VMREPLAY OUT.csv     (as root: tracefs, drop_caches)
set -eu
vmreplay=${1:?usage: capture-kmem.sh VMREPLAY OUT.csv}
out=${2:?usage: capture-kmem.sh VMREPLAY OUT.csv}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/vmreplay-kmem.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
cp "$top"/libreplay/format.c "$top"/libreplay/internal.h \
	"$top"/libreplay/libreplay.h "$work"/
find /usr/share/man/man1 -type f | sort | head -300 >"$work/files"
sync
echo 1 >/proc/sys/vm/drop_caches # the man pages are read from disk
"$vmreplay" record ftrace -o "$work/k.db" --name cc-kmem --events kmem,filemap \
	--follow -- sh -c "cd '$work' && xargs cat <files >/dev/null &&
		gcc -O2 -c format.c -o a.o && gcc -O2 -c format.c -o b.o"
"$vmreplay" export csv "$work/k.db" --trace cc-kmem -o "$out"
