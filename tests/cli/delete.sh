#!/bin/sh
# delete.sh — deleting a trace or a run leaves nothing of it behind:
# `vmreplay traces --delete`, DELETE in `vmreplay sql --write` and in a plain
# sqlite3 shell (foreign keys off); schema/0004 also removes rows that
# earlier deletes left behind.
. "$top_srcdir/tests/cli/lib.sh"
plan 15
q() { "$VMREPLAY" sql "$1" "$2" --csv | tail -1; }
T=$top_srcdir/traces
"$VMREPLAY" import csv "$T/nfs-ipfrag-netrx.csv" -o lab.db --name a 2>/dev/null
"$VMREPLAY" import csv "$T/cc-kmem.csv" -o lab.db --name b 2>/dev/null
"$VMREPLAY" import pcap "$T/nfs3-udp-tcp-ganesha.pcap" -o lab.db --name p -q 2>/dev/null
"$VMREPLAY" replay lab.db --trace a --kernel 2.1.90,rik --mem 8M 2>/dev/null
"$VMREPLAY" replay lab.db --trace b --kernel 2.1.90 --mem 8M 2>/dev/null
nb=$(q lab.db "SELECT events FROM trace WHERE name='b'")
np=$(q lab.db "SELECT events FROM trace WHERE name='p'")

expect_status 0 "traces --delete a" "$VMREPLAY" traces lab.db --delete a
grep -q "deleted trace 'a' (.* events)" err.txt
ok $? "it says what it deleted"
[ "$(q lab.db "SELECT count(*) FROM event")" = $((nb + np)) ]
ok $? "only the events of b and p are left"
[ "$(q lab.db "SELECT count(*) FROM run")/$(q lab.db "SELECT count(DISTINCT run_id) FROM run_metric")/$(q lab.db "SELECT count(DISTINCT run_id) FROM run_series")" = 1/1/1 ]
ok $? "a's runs and their results are gone, b's kept"
expect_status 1 "deleting a trace that is not there fails" "$VMREPLAY" traces lab.db --delete a
grep -q "lab.db: no trace named 'a'" err.txt
ok $? "and names it"
expect_status 0 "b still replays" "$VMREPLAY" replay lab.db --trace b --kernel 2.2.0 --mem 8M

# plain sqlite3: foreign keys are off there
sqlite3 lab.db "DELETE FROM trace WHERE name='p'"
ok $? "DELETE FROM trace in sqlite3"
[ "$(q lab.db "SELECT count(*) FROM event")/$(q lab.db "SELECT count(*) FROM packet_row")/$(q lab.db "SELECT count(*) FROM nfs_op")/$(q lab.db "SELECT count(*) FROM packet_addr")" = "$nb/0/0/0" ]
ok $? "p's events, packets and NFS operations are gone"
sqlite3 lab.db "DELETE FROM run"
ok $? "DELETE FROM run in sqlite3"
[ "$(q lab.db "SELECT (SELECT count(*) FROM run_param) + (SELECT count(*) FROM run_metric) + (SELECT count(*) FROM run_series) + (SELECT count(*) FROM run_stall)")" = 0 ]
ok $? "the runs' results are gone"

# a database whose deletes predate the triggers
"$VMREPLAY" replay lab.db --trace b --kernel 2.1.90 --mem 8M 2>/dev/null
cp lab.db old.db
sqlite3 old.db "DROP TRIGGER trace_delete; DROP TRIGGER run_delete; PRAGMA user_version = 3; DELETE FROM trace"
[ "$(q old.db "SELECT count(*) FROM run_metric")" != 0 ] 2>/dev/null ||
	[ "$(sqlite3 old.db "SELECT count(*) FROM event")" != 0 ]
ok $? "without the triggers, rows are left behind"
expect_status 1 "a read-only command asks for the upgrade" "$VMREPLAY" traces old.db
expect_status 0 "a write upgrades it" "$VMREPLAY" sql old.db --write "SELECT 1"
[ "$(sqlite3 old.db "SELECT (SELECT count(*) FROM event) + (SELECT count(*) FROM run_metric) + (SELECT count(*) FROM run_stall) + (SELECT count(*) FROM event_extra) + (SELECT count(*) FROM run) + (SELECT count(*) FROM trace_stat)")" = 0 ]
ok $? "and the rows left behind are removed"
done_testing
