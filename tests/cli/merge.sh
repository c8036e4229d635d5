#!/bin/sh
# merge.sh — `vmreplay merge`: inputs interleaved in time, aligned at their
# first events plus the shift; tasks and objects of later inputs relabelled;
# a failed merge stores nothing.
. "$top_srcdir/tests/cli/lib.sh"
plan 10
cat >a.csv <<'CSV'
ts_ns,kind,task,obj,order
1000,page_alloc,1,10,0
3000,page_free,1,10,0
CSV
cat >b.csv <<'CSV'
ts_ns,kind,task,obj,bytes
500000,kmalloc,1,10,64
501500,kfree,1,10,
CSV
"$VMREPLAY" import csv a.csv -o m.db --name a 2>/dev/null
"$VMREPLAY" import csv b.csv -o m.db --name b 2>/dev/null
expect_status 0 "merge a and b shifted by 1us" "$VMREPLAY" merge m.db --trace a --trace b@1us --name ab
"$VMREPLAY" export csv m.db --trace ab | cut -d, -f1-6 >out.txt
expect_golden merge-ab.csv "events interleaved in time, b relabelled"
"$VMREPLAY" sql m.db "SELECT origin, source, events FROM trace WHERE name = 'ab'" --csv >out.txt
printf 'origin,source,events\na+b,merge,4\n' | diff - out.txt >/dev/null
ok $? "the merged trace records its inputs"
expect_status 0 "merge --absolute keeps each input's times" \
	"$VMREPLAY" merge m.db --trace a --trace b --name ab-abs --absolute
"$VMREPLAY" sql m.db "SELECT group_concat(ts_ns) FROM (SELECT ts_ns FROM events WHERE trace = 'ab-abs' ORDER BY id)" --csv | tail -1 >n.txt
[ "$(cat n.txt)" = "\"1000,3000,500000,501500\"" ]
ok $? "absolute times: $(cat n.txt)"
expect_status 1 "a missing input fails" "$VMREPLAY" merge m.db --trace a --trace nope --name x
expect_stderr "vmreplay: m.db: no trace named 'nope'" "and names it"
"$VMREPLAY" sql m.db "SELECT count(*) FROM trace WHERE name = 'x'" --csv | tail -1 >n.txt
[ "$(cat n.txt)" = 0 ]
ok $? "nothing is stored"
expect_status 1 "the new name must be new" "$VMREPLAY" merge m.db --trace a --name b
expect_status 2 "--name is required" "$VMREPLAY" merge m.db --trace a
done_testing
