#!/bin/sh
# run-import.sh — the import benchmark of docs/PERFORMANCE.md: generates
# native CSV traces of 1 M and 10 M events and runs bench-import on each.
# Run from a build directory: $srcdir/bench/run-import.sh [N...]
set -eu
work=${TMPDIR:-/tmp}/vmreplay-bench.$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT INT TERM
build=$(pwd)
for n in ${*:-1000000 10000000}; do
	"$build/bench/gen-trace" "$n" >"$work/trace.csv"
	echo "== $n events"
	(cd "$work" && "$build/bench/bench-import" trace.csv "$n")
done
