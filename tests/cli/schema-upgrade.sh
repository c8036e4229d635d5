#!/bin/sh
# schema-upgrade.sh — a database of schema 6 (before 0007's packet runs),
# made from the schema files and filled with a real capture's rows: read-only
# commands read it as it is, the first write upgrades it, its packet rows
# show the same after, and new captures stored beside them are stored in
# runs.
. "$top_srcdir/tests/cli/lib.sh"
plan 10
T=$top_srcdir/traces
"$VMREPLAY" import pcap "$T/nfs3-udp-tcp-ganesha.pcap" -o lab.db --name p -q 2>/dev/null
cat "$top_srcdir"/schema/000[1-6]-*.sql | sqlite3 v6.db
# lab.db's rows in 0006's forms: one packet row per frame
sqlite3 v6.db <<'EOF2'
PRAGMA user_version = 6;
ATTACH 'lab.db' AS lab;
INSERT INTO trace SELECT * FROM lab.trace;
INSERT INTO trace_stat SELECT * FROM lab.trace_stat;
INSERT INTO event SELECT * FROM lab.event;
INSERT INTO event_extra SELECT * FROM lab.event_extra;
INSERT INTO packet_addr SELECT * FROM lab.packet_addr;
INSERT INTO packet_range SELECT * FROM lab.packet_range;
INSERT INTO nfs_op_row SELECT * FROM lab.nfs_op_row;
INSERT INTO nfs_op_range SELECT * FROM lab.nfs_op_range;
INSERT INTO packet_row
SELECT v.id, v.ts_ns, v.frame,
       (coalesce((v.sport << 16) | v.dport, -1) + 1) << 28
       | (v.linktype << 12) | (coalesce(v.protocol, 0) << 4)
       | (coalesce(v.more_frags, 0) << 3) | coalesce(v.ip_version, 0),
       CASE WHEN s.id IS NOT NULL THEN (s.id << 32) | d.id END,
       CASE WHEN v.frag_id IS NOT NULL THEN (v.frag_id << 17) | v.frag_offset END,
       (coalesce(v.datagram_len, 0) << 32) | v.frame_len
FROM lab.packet v
LEFT JOIN lab.packet_addr s ON s.trace_id = v.trace_id AND s.addr = v.src
LEFT JOIN lab.packet_addr d ON d.trace_id = v.trace_id AND d.addr = v.dst;
EOF2
ok $? "a database of schema 6 is made"
sqlite3 lab.db "SELECT * FROM packet ORDER BY id" >packet.want
[ "$(sqlite3 lab.db "SELECT count(*) FROM packet_row WHERE run IS NOT NULL")" -gt 10 ] &&
	[ "$(sqlite3 v6.db "SELECT count(*) FROM packet_row")" = "$(wc -l <packet.want)" ]
ok $? "lab.db stores runs, the schema-6 copy a row per frame"
sqlite3 v6.db "SELECT * FROM packet ORDER BY id" | cmp -s - packet.want
ok $? "its own packet view shows the same rows"
expect_status 0 "a read-only command reads it without upgrading" "$VMREPLAY" traces v6.db
"$VMREPLAY" sql v6.db "SELECT count(*) FROM packet WHERE frag_id IS NOT NULL" --csv | tail -1 >n.txt
[ "$(cat n.txt)" = "$(sqlite3 lab.db "SELECT count(*) FROM packet WHERE frag_id IS NOT NULL")" ] &&
	[ "$(sqlite3 v6.db "PRAGMA user_version")" = 6 ]
ok $? "vmreplay sql reads it ($(cat n.txt) fragments), and it stays at schema 6"
expect_status 0 "a second capture is stored in it" "$VMREPLAY" import pcap "$T/nfs3-udp-tcp-ganesha.pcap" -o v6.db --name q -q
[ "$(sqlite3 v6.db "PRAGMA user_version")" = 7 ]
ok $? "the write upgraded it to schema 7"
sqlite3 v6.db "SELECT * FROM packet WHERE trace_id = 1 ORDER BY id" | cmp -s - packet.want
ok $? "the rows stored before show the same"
[ "$(sqlite3 v6.db "SELECT count(*) FROM packet_row WHERE run IS NOT NULL")" = "$(sqlite3 lab.db "SELECT count(*) FROM packet_row WHERE run IS NOT NULL")" ]
ok $? "the new capture's rows are stored in runs"
a=$(sqlite3 v6.db "SELECT group_concat(x, '|') FROM (SELECT ts_ns || ',' || frame || ',' || frame_len || ',' || coalesce(frag_offset, '') || ',' || coalesce(more_frags, '') || ',' || coalesce(src, '') AS x FROM packet WHERE trace_id = 1 ORDER BY id)" | md5sum)
b=$(sqlite3 v6.db "SELECT group_concat(x, '|') FROM (SELECT ts_ns || ',' || frame || ',' || frame_len || ',' || coalesce(frag_offset, '') || ',' || coalesce(more_frags, '') || ',' || coalesce(src, '') AS x FROM packet WHERE trace_id = 2 ORDER BY id)" | md5sum)
[ "$a" = "$b" ]
ok $? "and show the same frames as the same capture stored before"
done_testing
