#!/bin/sh
# replay.sh — `vmreplay replay`, `report` and `compare` end to end: every
# kernel of spec §13 listed, one pass through kernels x sizes under the
# invariant checker, deterministic results (also across thread counts),
# the filters, parameters, and errors.
. "$top_srcdir/tests/cli/lib.sh"
plan 23
"$top_builddir/bench/gen-trace" 100000 7 >gen.csv
"$VMREPLAY" import csv gen.csv -o r.db --name gen 2>/dev/null
"$VMREPLAY" import csv "$top_srcdir/traces/nfs-ipfrag-netrx.csv" -o r.db --name nfs 2>/dev/null

expect_status 0 "--list-kernels" "$VMREPLAY" replay --list-kernels --format csv
cut -d, -f1 out.txt >kernels.txt
printf 'kernel\n2.0.33\n2.1.88\n2.1.89pre1\n2.1.89\n2.1.90\nrik\nlinus\nlinus-origfma\n2.1.91pre1\n2.1.91\n2.1.92\n2.2.0\nsct\nsct-kswiod\n' |
	diff - kernels.txt >/dev/null
ok $? "the 14 kernels of spec §13 by their labels, in order"
expect_status 0 "--list-kernels --verbose" "$VMREPLAY" replay --list-kernels --verbose --format csv
grep -q '^2.1.90,' out.txt
ok $? "--verbose lists parameters per kernel"

K=2.0.33,2.1.90,rik,2.2.0
expect_status 0 "replay 4 kernels x 2 sizes with --check" \
	"$VMREPLAY" replay r.db --trace gen --kernel $K --mem 8M,32M --check
grep -q 'replayed 100000 of 100000 events through 8 models' err.txt
ok $? "one pass drives 8 models"
dump() { # dump FIRST_RUN: metrics, series and stalls of 8 runs from FIRST_RUN
	"$VMREPLAY" sql r.db "SELECT run_id - $1 AS r, name, value FROM run_metric
		WHERE run_id BETWEEN $1 AND $1 + 7 ORDER BY 1, 2;
		SELECT run_id - $1 AS r, t_ns, name, value FROM run_series
		WHERE run_id BETWEEN $1 AND $1 + 7 ORDER BY 1, 2, 3;
		SELECT run_id - $1 AS r, t_ns, task, \"order\", gfp, outcome, path FROM run_stall
		WHERE run_id BETWEEN $1 AND $1 + 7 ORDER BY rowid" --csv
}
dump 1 >first.txt
expect_status 0 "the same replay again, on one thread" \
	"$VMREPLAY" replay r.db --trace gen --kernel $K --mem 8M,32M --threads 1
dump 9 >second.txt
cmp -s first.txt second.txt
ok $? "results are identical (metrics, series, stalls)"
[ "$(wc -l <first.txt)" -gt 1000 ]
ok $? "and not empty ($(wc -l <first.txt) lines)"
"$VMREPLAY" sql r.db "SELECT count(*) FROM run_stall WHERE run_id = 3" --csv | tail -1 >n.txt
[ "$(cat n.txt)" -gt 0 ]
ok $? "failed allocations at 8M are stored in run_stall ($(cat n.txt))"

expect_status 0 "compare" "$VMREPLAY" compare r.db --trace gen
expect_golden replay-compare-gen.txt "compare: kernels as columns, sizes as rows"
expect_status 0 "compare --format csv" "$VMREPLAY" compare r.db --trace gen --format csv
grep -q '^atomic_fail,8,2.1.90,' out.txt
ok $? "csv rows are (metric, mem_mb, kernel, value)"
expect_status 0 "report --run 1 --format json" "$VMREPLAY" report r.db --run 1 --format json
grep -q '"section": "metric", "name": "alloc.o0"' out.txt
ok $? "report shows the run's metrics"

"$VMREPLAY" replay r.db --trace gen --kernel 2.1.90 --mem 32M --from 100ms --to 300ms \
	--keep-objects 1/2 --tasks 100,101 2>/dev/null
"$VMREPLAY" sql r.db "SELECT value FROM run_metric WHERE name = 'events.applied'
	ORDER BY run_id DESC LIMIT 1" --csv | tail -1 >n.txt
want=$("$VMREPLAY" sql r.db "SELECT count(*) FROM events WHERE trace = 'gen'
	AND ts_ns - (SELECT first_ns FROM trace WHERE name = 'gen') BETWEEN 100000000 AND 300000000
	AND (task IS NULL OR task IN (100, 101))" --csv | tail -1)
[ "$(cat n.txt)" -gt 0 ] && [ "$(cat n.txt)" -lt "$want" ]
ok $? "--from/--to/--tasks/--keep-objects select $(cat n.txt) of $want events"

expect_status 0 "--param overrides a kernel parameter" \
	"$VMREPLAY" replay r.db --trace nfs --kernel 2.1.90 --mem 8M --param net_hold_ns=5000000
"$VMREPLAY" sql r.db "SELECT value FROM run_param WHERE name = 'net_hold_ns'
	ORDER BY run_id DESC LIMIT 1" --csv | tail -1 >n.txt
[ "$(cat n.txt)" = 5000000 ]
ok $? "the run records the value it used"
expect_status 1 "an unknown kernel fails" "$VMREPLAY" replay r.db --trace gen --kernel 2.1.99 --mem 8M
expect_stderr "vmreplay: --kernel: no kernel '2.1.99' (see replay --list-kernels)" "and names it"
expect_status 1 "an unknown parameter fails" "$VMREPLAY" replay r.db --trace gen --kernel 2.1.90 --mem 8M --param bogus=1
expect_status 2 "a missing --mem is a usage error" "$VMREPLAY" replay r.db --trace gen --kernel 2.1.90
done_testing
