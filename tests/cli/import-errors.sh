#!/bin/sh
# import-errors.sh — malformed input: one-line messages naming file, line
# and field; exit status 1; the database exactly as it was before.
. "$top_srcdir/tests/cli/lib.sh"
plan 13
sample=$top_srcdir/traces/nfs-ipfrag-netrx.csv
"$VMREPLAY" import csv "$sample" -o lab.db --name before 2>/dev/null
snapshot() {
	"$VMREPLAY" sql lab.db "SELECT name, events, first_event, last_event \
		FROM trace; SELECT count(*), sum(ts), sum(kog) FROM event; \
		SELECT count(*) FROM event_extra" --csv
}
snapshot >before.txt

# bad NAME CONTENT MESSAGE [IMPORT OPTIONS...]
bad() {
	name=$1 content=$2 msg=$3
	shift 3
	printf '%b' "$content" >"$name"
	expect_status 1 "$name is refused" "$VMREPLAY" import csv "$name" -o lab.db "$@"
	expect_stderr "vmreplay: $name:$msg" "$name: message names line and field"
}
bad hm_0.csv '128166385295514663,hm,0,Write,9056014336,2048,2833\n128166385295514878,hm,0,Write,11855351808,12x,2617\n' \
	"2: field 6 (Size): not a number: '12x'" --format msr
bad kinds.csv 'ts_ns,kind,obj\n1,kmalloc,1\n2,kmallok,2\n' \
	"3: field 2 (kind): unknown event kind: 'kmallok'"
bad short.csv 'ts_ns,kind,obj\n1,kmalloc,1\n2,kfree\n' \
	"3: 2 fields, the header has 3"
bad quote.csv 'ts_ns,kind\n1,"mark\n' \
	"2: quoted field not terminated at the end of the file"
bad order.csv 'ts_ns,kind\n10,mark\n9,mark\n' \
	"3: time 9 ns is before the previous row's 10 ns: rows must be in time order"
# a failure after many good rows (several flushed batches) stores nothing
awk 'BEGIN { print "ts_ns,kind,obj"; for (i = 0; i < 20000; i++) print i ",kfree," i; print "20000,kfree,0xZZ" }' >late.csv
expect_status 1 "late.csv (error on line 20002) is refused" \
	"$VMREPLAY" import csv late.csv -o lab.db
expect_stderr "vmreplay: late.csv:20002: field 3 (obj): not a number: '0xZZ'" \
	"late.csv: message names line 20002"
snapshot >after.txt
cmp -s before.txt after.txt
ok $? "the database is exactly as it was"
done_testing
