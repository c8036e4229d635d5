#!/bin/sh
# delete.sh — deleting a trace or a run leaves nothing of it behind:
# `vmreplay traces --delete`, DELETE in `vmreplay sql --write` and in a plain
# sqlite3 shell (foreign keys off); schema/0004 also removes rows that
# earlier deletes left behind.
. "$top_srcdir/tests/cli/lib.sh"
plan 21
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

# A database of schema 3 (before 0004's triggers, 0006's packing and 0007's
# runs), made from the schema files and filled with lab.db's rows in
# 0001/0003's forms.
"$VMREPLAY" import pcap "$T/nfs3-udp-tcp-ganesha.pcap" -o lab.db --name p -q 2>/dev/null
"$VMREPLAY" replay lab.db --trace b --kernel 2.1.90 --mem 8M 2>/dev/null
cat "$top_srcdir"/schema/000[123]-*.sql | sqlite3 old.db
sqlite3 old.db <<'EOF2'
PRAGMA user_version = 3;
ATTACH 'lab.db' AS lab;
INSERT INTO trace SELECT * FROM lab.trace;
INSERT INTO trace_stat SELECT * FROM lab.trace_stat;
INSERT INTO event SELECT * FROM lab.event;
INSERT INTO event_extra SELECT * FROM lab.event_extra;
INSERT INTO run SELECT * FROM lab.run;
INSERT INTO run_param SELECT * FROM lab.run_param;
INSERT INTO run_metric SELECT * FROM lab.run_metric;
INSERT INTO run_series SELECT * FROM lab.run_series;
INSERT INTO run_stall SELECT * FROM lab.run_stall;
INSERT INTO packet_addr SELECT * FROM lab.packet_addr;
INSERT INTO packet_range SELECT * FROM lab.packet_range;
INSERT INTO packet_row
SELECT v.id, v.ts_ns, v.frame, v.frame_len,
       (v.linktype << 12) | (coalesce(v.protocol, 0) << 4)
       | (coalesce(v.more_frags, 0) << 3) | coalesce(v.ip_version, 0),
       s.id, d.id, (v.sport << 16) | v.dport, v.frag_id, v.frag_offset,
       v.datagram_len
FROM lab.packet v
LEFT JOIN lab.packet_addr s ON s.trace_id = v.trace_id AND s.addr = v.src
LEFT JOIN lab.packet_addr d ON d.trace_id = v.trace_id AND d.addr = v.dst;
INSERT INTO nfs_op SELECT * FROM lab.nfs_op;
EOF2
ok $? "a database of schema 3 is made"
sqlite3 lab.db "SELECT * FROM packet ORDER BY id" >packet.want
sqlite3 lab.db "SELECT trace_id, xid, version, proc, proc_name, fh_hash, \"offset\", count, call_ns, reply_ns, status, transport, ops FROM nfs_op ORDER BY id" >nfs.want
[ -s packet.want ] && [ "$(wc -l <nfs.want)" -gt 10 ] && sqlite3 old.db "SELECT * FROM packet ORDER BY id" | cmp -s - packet.want
ok $? "its packet view shows the same rows"
sqlite3 old.db "DELETE FROM trace WHERE name = 'b'"
[ "$(q old.db "SELECT count(*) FROM run_metric")" != 0 ] 2>/dev/null ||
	[ "$(sqlite3 old.db "SELECT count(*) FROM event")" != "$np" ]
ok $? "without the triggers, rows are left behind"
expect_status 1 "a read-only command asks for the upgrade" "$VMREPLAY" traces old.db
expect_status 0 "a write upgrades it" "$VMREPLAY" sql old.db --write "SELECT 1"
[ "$(sqlite3 old.db "SELECT (SELECT count(*) FROM event) - $np + (SELECT count(*) FROM run_metric) + (SELECT count(*) FROM run_stall) + (SELECT count(*) FROM event_extra) + (SELECT count(*) FROM run) + (SELECT count(*) FROM trace_stat WHERE trace_id NOT IN (SELECT id FROM trace))")" = 0 ]
ok $? "and the rows left behind are removed"
sqlite3 old.db "SELECT * FROM packet ORDER BY id" | cmp -s - packet.want
ok $? "packet rows are repacked (0006, 0007) and show the same"
sqlite3 old.db "SELECT trace_id, xid, version, proc, proc_name, fh_hash, \"offset\", count, call_ns, reply_ns, status, transport, ops FROM nfs_op ORDER BY id" | cmp -s - nfs.want
ok $? "nfs_op rows move to nfs_op_row and show the same"
[ "$(sqlite3 old.db "PRAGMA integrity_check")" = ok ]
ok $? "the upgraded database is sound"
sqlite3 old.db "DELETE FROM trace WHERE name = 'p'"
[ "$(sqlite3 old.db "SELECT (SELECT count(*) FROM nfs_op_row) + (SELECT count(*) FROM packet_row) + (SELECT count(*) FROM event)")" = 0 ]
ok $? "deleting it there deletes its packed rows"
done_testing
