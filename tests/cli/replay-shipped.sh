#!/bin/sh
# replay-shipped.sh — golden reports for the traces shipped in traces/ and
# for the NFS datagrams of the real ip-frag capture (imported with the pcap
# recorder, as the NFS server sees them): 182 WRITE calls of 8 KB arrive as
# 8320-byte datagrams in 6 fragments, each glued into one buffer that needs
# an order-2 block under 2.1.9x (spec §7.5, §9.2).
. "$top_srcdir/tests/cli/lib.sh"
plan 8
K=2.0.33,2.1.90,rik,linus,2.2.0

"$VMREPLAY" import csv "$top_srcdir/traces/nfs-ipfrag-netrx.csv" -o s.db --name netrx 2>/dev/null
expect_status 0 "replay the shipped datagram trace" \
	"$VMREPLAY" replay s.db --trace netrx --kernel $K --mem 8M,32M --check
expect_status 0 "compare it" "$VMREPLAY" compare s.db --trace netrx
expect_golden replay-netrx-compare.txt "golden compare of traces/nfs-ipfrag-netrx.csv"

"$VMREPLAY" import pcap "$top_srcdir/traces/nfs3-udp-tcp-ganesha.pcap" -o s.db \
	--name ganesha --host 198.51.100.2 2>/dev/null
expect_status 0 "replay the shipped live NFS capture" \
	"$VMREPLAY" replay s.db --trace ganesha --kernel $K --mem 8M --check
"$VMREPLAY" report s.db --format csv | cut -d, -f2,4,5,7- | grep '^ganesha' >out.txt
expect_golden replay-ganesha-report.txt "golden report of traces/nfs3-udp-tcp-ganesha.pcap"

pcap=$SHARED/corpus/pcap/nfsv3-udp-ipfrag_pcapplusplus-ip-frag.pcap
"$VMREPLAY" import pcap "$pcap" -o s.db --name ipfrag --host 10.118.213.211 2>/dev/null
"$VMREPLAY" sql s.db "SELECT count(*) FROM net_rx WHERE trace = 'ipfrag' AND fragments = 6 AND bytes >= 8320" --csv | tail -1 >n.txt
[ "$(cat n.txt)" = 182 ]
ok $? "the ip-frag capture gives 182 six-fragment datagrams of 8 KB to the server"
expect_status 0 "replay them under 2.1.90 at 8M" \
	"$VMREPLAY" replay s.db --trace ipfrag --kernel 2.1.90 --mem 8M --check --param net_hold_ns=1000000
"$VMREPLAY" sql s.db "SELECT m.value FROM run_metric m JOIN run r ON r.id = m.run_id
	JOIN trace t ON t.id = r.trace_id WHERE t.name = 'ipfrag' AND m.name = 'alloc.o2'" --csv | tail -1 >n.txt
[ "$(cat n.txt)" -gt 0 ]
ok $? "the glued 8 KB datagrams take order-2 blocks ($(cat n.txt) slab grows of size-16384)"
done_testing
