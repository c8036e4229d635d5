#!/bin/sh
# ftrace-fuzz.sh — the kernel text parsers (ftrace, perf script, mtrace,
# /proc) under tests/fuzz/fuzz-text.c: the seed corpus and all its prefixes
# replayed by the plain build, then, when clang exists, a libFuzzer +
# ASan/UBSan build run for a few seconds (VMREPLAY_FUZZ_SECONDS, default 10).
. "$top_srcdir/tests/cli/lib.sh"
: "${top_builddir:?run through make check}"
plan 3
SEEDS=$top_srcdir/tests/fuzz/corpus-text
"$top_builddir/tests/fuzz/fuzz-text" "$SEEDS"/* >out.txt 2>err.txt
ok $? "seed corpus replays ($(cat out.txt))"
if ! command -v clang >/dev/null 2>&1; then
	echo "ok 2 # SKIP clang not installed"
	echo "ok 3 # SKIP clang not installed"
	exit 0
fi
L=$top_srcdir/libreplay
clang -g -O1 -std=gnu17 -D_GNU_SOURCE -DFUZZ_LIBFUZZER \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$L" -I"$top_builddir" -I"$top_builddir/libreplay" -o fuzz \
	"$top_srcdir/tests/fuzz/fuzz-text.c" "$L/error.c" "$L/event.c" \
	"$L/gfp-modern.c" "$L/kernel-events.c" "$L/batch-pipe.c" \
	"$L/text-import.c" \
	"$L/reader-ftrace.c" "$L/reader-perf.c" "$L/reader-mtrace.c" \
	"$L/reader-proc.c" 2>clang.txt
rc=$?
[ $rc -ne 0 ] && sed 's/^/# /' clang.txt | head -10
ok $rc "libFuzzer build"
mkdir -p corpus
cp "$SEEDS"/* corpus/
./fuzz -max_total_time="${VMREPLAY_FUZZ_SECONDS:-10}" -max_len=4096 \
	-print_final_stats=1 corpus >fuzz.txt 2>&1
rc=$?
grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' fuzz.txt | sed 's/^/# /'
ok $rc "libFuzzer run without a finding"
done_testing
