#!/bin/sh
# run-replay.sh — the replay benchmark of docs/PERFORMANCE.md, each mode in
# its own process.  Run from a build directory: $srcdir/bench/run-replay.sh
set -eu
db=${TMPDIR:-/tmp}/vmreplay-bench-replay.$$.db
trap 'rm -f "$db" "$db-wal" "$db-shm"' EXIT INT TERM
for n in ${*:-1000000 10000000}; do
	bench/bench-replay memory "$n"
	bench/bench-replay store "$n" "$db"
done
