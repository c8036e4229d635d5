#!/bin/sh
# mtrace-import.sh — `vmreplay import mtrace` of the shared corpus glibc
# mtrace logs: one kmalloc per '+', one kfree per '-', addresses as obj ids
# so every free finds its allocation.
. "$top_srcdir/tests/cli/lib.sh"
q() { "$VMREPLAY" sql lab.db "$1" --csv | tail -1; }
plan 11
for f in "$SHARED"/corpus/mtrace/*; do
	n=$(basename "$f")
	expect_status 0 "import $n" "$VMREPLAY" import mtrace "$f" -o lab.db --name "$n"
	plus=$(grep -c ' + ' "$f")
	minus=$(grep -c ' - ' "$f")
	[ "$(q "SELECT count(*) FROM kmalloc WHERE trace='$n'")" = "$plus" ]
	ok $? "$n: $plus kmalloc events"
	[ "$(q "SELECT count(*) FROM kfree WHERE trace='$n'")" = "$minus" ]
	ok $? "$n: $minus kfree events"
	# every kfree has an earlier kmalloc of the same address
	[ "$(q "SELECT count(*) FROM kfree f WHERE trace='$n' AND NOT EXISTS (SELECT 1 FROM kmalloc m WHERE m.trace=f.trace AND m.obj=f.obj AND m.ts_ns < f.ts_ns)")" = 0 ]
	ok $? "$n: every free finds its allocation"
done
printf '= Start\n@ ./x:[0x1] + 0x10 0x20\n@ ./x:[0x2] ? 0x10\n= End\n' >m.77.log
expect_status 0 "a malformed mtrace line is skipped" "$VMREPLAY" import mtrace m.77.log -o lab.db --name m77
[ "$(q "SELECT task FROM kmalloc WHERE trace='m77'")" = 77 ]
ok $? "the task comes from the m.PID.log file name"
grep -q 'm.77.log:3:' err.txt
ok $? "the warning names file and line"
done_testing
