#!/bin/sh
# pcap-corpus.sh — every capture in the shared corpus pcap/ imports, and what
# is stored agrees with tshark: frames, IP fragments, NFS calls per version
# and procedure, NFS replies.  Plus the known facts of the ip-frag capture
# (corpus/SOURCES.md): 182 WRITE datagrams of 8340 bytes (UDP 8320 + IP header) in 6 fragments
# despite duplicate fragments, 190 reassembled datagrams.
. "$top_srcdir/tests/cli/lib.sh"
files=$(ls "$SHARED"/corpus/pcap/*.pcap "$SHARED"/corpus/pcap/*.pcapng 2>/dev/null)
nfiles=$(echo "$files" | wc -l)
plan $((nfiles * 8 + 8))
have_tshark=0
command -v tshark >/dev/null 2>&1 && have_tshark=1

q() { "$VMREPLAY" sql lab.db "$1" --csv | tail -n +2; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $1"; }
# every RPC entry of every frame (several per TCP segment are possible):
# msgtyp program version procedure
tsh_rpc() {
	tshark -r "$1" -o tcp.reassemble_out_of_order:TRUE -d tcp.port==993,rpc \
		-Y rpc -T fields -e rpc.msgtyp -e rpc.program -e rpc.programversion \
		-e rpc.procedure 2>/dev/null |
		awk -F'\t' '{ n = split($1, m, ","); split($2, p, ","); split($3, v, ",")
			split($4, c, ","); for (i = 1; i <= n; i++) print m[i], p[i], v[i], c[i] }'
}

for f in $files; do
	name=$(basename "$f")
	expect_status 0 "import $name" "$VMREPLAY" import pcap "$f" -o lab.db --name "$name"
	id=$(q "SELECT id FROM trace WHERE name='$name'")
	frames=$(q "SELECT value FROM trace_stat WHERE trace_id=$id AND key='frames'")
	rows=$(q "SELECT count(*) FROM packet WHERE trace_id=$id")
	mono=$(q "SELECT count(*) FROM (SELECT ts_ns, lag(ts_ns) OVER (ORDER BY id) AS p
		FROM events WHERE trace='$name') WHERE ts_ns < p")
	[ "$mono" = 0 ]
	ok $? "$name: events in time order"
	if [ $have_tshark = 0 ]; then
		for i in 1 2 3 4 5 6; do skip "tshark not installed"; done
		continue
	fi
	want=$(tshark -r "$f" -T fields -e frame.number 2>/dev/null | wc -l)
	[ "$frames" = "$want" ] && [ "$rows" = "$want" ]
	ok $? "$name: $frames frames, $rows packet rows (tshark: $want)"
	want=$(tshark -r "$f" -T fields -e ip.flags.mf -e ip.frag_offset 2>/dev/null |
		awk -F'\t' '{ split($1, a, ","); split($2, b, ",") } a[1] == 1 || b[1] > 0 { n++ } END { print n + 0 }')
	got=$(q "SELECT count(*) FROM packet WHERE trace_id=$id AND frag_id IS NOT NULL")
	[ "$got" = "$want" ]
	ok $? "$name: $got IP fragments (tshark: $want)"
	# frame by frame (runs of like frames are one stored row, schema/0007;
	# tshark 4.0 gives ip.frag_offset in units of 8 bytes)
	tshark -r "$f" -T fields -E separator=, -E aggregator=';' -e frame.number \
		-e frame.len -e frame.time_epoch -e ip.flags.mf -e ip.frag_offset 2>/dev/null |
		awk -F, '{ split($4, m, ";"); split($5, o, ";")
			print $1 "," $2 "," $3 "," (m[1] == 1 || o[1] > 0 ? o[1] * 8 "," m[1] : "") }' >frames.want
	q "SELECT frame, frame_len, printf('%d.%09d', ts_ns / 1000000000, ts_ns % 1000000000),
		CASE WHEN ip_version = 4 AND frag_id IS NOT NULL THEN frag_offset || ',' || more_frags ELSE '' END
		FROM packet WHERE trace_id=$id ORDER BY frame" | tr -d '"' >frames.got
	cmp -s frames.got frames.want
	ok $? "$name: each frame's number, length, time and fragment offset/MF as tshark's"
	cmp -s frames.got frames.want || diff frames.got frames.want | head -5 | sed 's/^/# /'
	tsh_rpc "$f" >rpc.txt
	want=$(awk '$1 == 0 && $2 == 100003 { print $3, $4 }' rpc.txt | sort | uniq -c | sort -k2)
	got=$(q "SELECT version, proc FROM nfs_op WHERE trace_id=$id" | tr ',' ' ' | sort | uniq -c | sort -k2)
	[ "$got" = "$want" ] && [ -n "$got" ]
	ok $? "$name: NFS calls by version and procedure match tshark"
	[ "$got" = "$want" ] || { echo "$got" | sed 's/^/# got  /'; echo "$want" | sed 's/^/# want /'; }
	want=$(awk '$1 == 1 && $2 == 100003' rpc.txt | wc -l)
	got=$(q "SELECT count(*) FROM nfs_op WHERE trace_id=$id AND reply_ns IS NOT NULL")
	[ "$got" = "$want" ]
	ok $? "$name: $got NFS replies matched (tshark: $want)"
	want=$(awk '$1 == 0' rpc.txt | wc -l)
	got=$(q "SELECT value FROM trace_stat WHERE trace_id=$id AND key='rpc_calls'")
	[ "$got" = "$want" ]
	ok $? "$name: $got RPC calls of any program (tshark: $want)"
done

# ip-frag: the facts of SOURCES.md
F="$SHARED/corpus/pcap/nfsv3-udp-ipfrag_pcapplusplus-ip-frag.pcap"
expect_status 0 "ip-frag: import as the server" "$VMREPLAY" import pcap "$F" -o srv.db --name srv --host 10.118.213.211
n=$("$VMREPLAY" sql srv.db "SELECT count(*) FROM net_rx WHERE bytes = 8340 AND fragments = 6 AND flags = 0" --csv | tail -1)
[ "$n" = 182 ]
ok $? "ip-frag: $n WRITE datagrams of 8320 bytes in 6 fragments (182)"
n=$("$VMREPLAY" sql srv.db "SELECT value FROM trace_stat WHERE key = 'reassembled_datagrams'" --csv | tail -1)
[ "$n" = 190 ]
ok $? "ip-frag: $n datagrams reassembled (190, as tshark)"
n=$("$VMREPLAY" sql srv.db "SELECT count(*) FROM file_write" --csv | tail -1)
[ "$n" = 190 ]
ok $? "ip-frag: $n file_write events for 190 WRITEs"
n=$("$VMREPLAY" sql srv.db "SELECT sum(count) FROM file_write" --csv | tail -1)
w=$("$VMREPLAY" sql srv.db "SELECT sum((\"offset\" + count + 4095) / 4096 - \"offset\" / 4096) FROM nfs_op WHERE proc = 7" --csv | tail -1)
[ "$n" = "$w" ]
ok $? "ip-frag: file_write pages ($n) = pages spanned by the WRITEs ($w)"
h=$("$VMREPLAY" sql lab.db "SELECT value FROM trace_stat s JOIN trace t ON t.id = s.trace_id WHERE t.name LIKE '%ip-frag%' AND key = 'host'" --csv | tail -1)
[ "$h" = 10.118.213.212 ]
ok $? "ip-frag: the inferred host is the NFS client ($h)"
n=$("$VMREPLAY" sql srv.db "SELECT value FROM trace_stat WHERE key = 'frag_duplicates'" --csv | tail -1)
[ "$n" -gt 600 ]
ok $? "ip-frag: $n duplicate fragments counted, not delivered"
n=$("$VMREPLAY" sql srv.db "SELECT count(*) FROM packet WHERE frag_id IS NOT NULL AND datagram_len IS NULL" --csv | tail -1)
f=$("$VMREPLAY" sql srv.db "SELECT value FROM trace_stat WHERE key = 'reassembly_failures'" --csv | tail -1)
[ "$f" = 2 ] && [ "$n" = 6 ]
ok $? "ip-frag: 2 incomplete datagrams at the capture edges ($f, $n fragment rows)"
done_testing
