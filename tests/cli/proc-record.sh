#!/bin/sh
# proc-record.sh — `vmreplay record proc` samples the live /proc for 2 s:
# buddyinfo, vmstat, meminfo every 100 ms, pagetypeinfo once a second (as
# root), fragmentation indices; and stops with a COMMAND.
. "$top_srcdir/tests/cli/lib.sh"
q() { "$VMREPLAY" sql lab.db "$1" --csv | tail -1; }
plan 8
expect_status 0 "record proc for 2 s" "$VMREPLAY" record proc -o lab.db --name live --duration 2s --interval 100ms
r=$(q "SELECT value FROM trace_stat WHERE key='proc.rounds'")
[ "$r" -ge 15 ] && [ "$r" -le 25 ]
ok $? "about 20 sampling rounds ($r)"
[ "$(q "SELECT count(DISTINCT ts_ns) FROM sample WHERE source='buddyinfo'")" = "$r" ]
ok $? "buddyinfo in every round"
[ "$(q "SELECT count(*) FROM sample WHERE source='vmstat' AND name='nr_free_pages'")" = "$r" ]
ok $? "vmstat nr_free_pages in every round"
[ "$(q "SELECT count(*) > 0 FROM sample WHERE source='meminfo' AND name='MemFree'")" = 1 ]
ok $? "meminfo sampled"
[ "$(q "SELECT count(*) > 0 FROM sample WHERE source='fragindex'")" = 1 ]
ok $? "fragmentation indices stored"
if [ "$(id -u)" = 0 ]; then
	n=$(q "SELECT count(DISTINCT ts_ns) FROM sample WHERE source='pagetypeinfo'")
	[ "$n" -ge 2 ] && [ "$n" -le 3 ]
	ok $? "pagetypeinfo at most once a second ($n)"
else
	echo "ok 7 # SKIP pagetypeinfo needs root"
	tap_n=7
fi
expect_status 0 "record proc while a command runs" "$VMREPLAY" record proc -o lab.db --name cmd -- sleep 0.3
done_testing
