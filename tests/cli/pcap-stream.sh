#!/bin/sh
# pcap-stream.sh — with a store thread, the packet recorder sends events
# ahead while it decodes, for the host it would infer so far, and takes
# them back at the end when the host changed or time went backwards
# (pcap-trace.c, stream_events).  On one CPU there is no such thread: both
# must store the same events and print the same summary.
. "$top_srcdir/tests/cli/lib.sh"
plan 10
REP="$top_srcdir/tests/cli/pcap-replicate.py"
CAP=$SHARED/corpus/pcap/nfsv3-udp-ipfrag_pcapplusplus-ip-frag.pcap
B=10.118.213.212=10.118.213.213 # another client
# copies of a 140 s capture; events are looked at every 4096 frames (3000 a copy)
python3 "$REP" "$CAP" plain.pcap 0 1000 2000 3000 &&
	python3 "$REP" "$CAP" flip.pcap 0 1000 2000:$B 3000:$B 4000:$B 5000:$B &&
	python3 "$REP" "$CAP" back.pcap 1000 0 2000 3000
ok $? "captures made: 4 copies in order, a second client taking over, time going back"

two() { "$VMREPLAY" import pcap "$1.pcap" -o "$1-2.db" ${2:+--host $2} 2>"$1-2.txt"; }
one() { taskset -c 0 "$VMREPLAY" import pcap "$1.pcap" -o "$1-1.db" ${2:+--host $2} 2>"$1-1.txt"; }
same() { # same NAME: the two imports stored the same events and said the same
	sqlite3 "$1-2.db" "SELECT * FROM events" >"$1-2.ev" &&
		sqlite3 "$1-1.db" "SELECT * FROM events" >"$1-1.ev" &&
		[ -s "$1-2.ev" ] && cmp -s "$1-2.ev" "$1-1.ev" && cmp -s "$1-2.txt" "$1-1.txt"
}
for c in plain flip back; do
	two $c && one $c
	ok $? "$c: imported with a store thread and on one CPU"
	same $c
	ok $? "$c: the same events and summary"
done
grep -q "host 10.118.213.213 (nfs-client)" flip-2.txt
ok $? "flip: the second client is the host"
"$VMREPLAY" import pcap flip.pcap -o given.db --host 10.118.213.213 2>/dev/null &&
	sqlite3 given.db "SELECT ts_ns, kind, obj, bytes, file, \"offset\", count FROM events" >given.ev &&
	sqlite3 flip-2.db "SELECT ts_ns, kind, obj, bytes, file, \"offset\", count FROM events" | cmp -s - given.ev
ok $? "flip: its events are those of --host with that address"
[ "$(wc -l <plain-2.ev)" = 3424 ] && [ "$(sqlite3 plain-2.db "SELECT count(*) FROM event")" = 3424 ]
ok $? "plain: 3424 events, none twice"
done_testing
