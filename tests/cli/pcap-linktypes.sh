#!/bin/sh
# pcap-linktypes.sh — the ip-frag corpus capture rewritten with every
# supported link type (Ethernet, Linux cooked v1/v2, raw IP, BSD null and
# loopback, DLT_IPV4/IPV6) and as IPv6 (fragment extension headers) decodes
# to the same NFS operations and the same 182 WRITE datagrams of 8320 UDP
# bytes in 6 fragments (8340 bytes with the IPv4 header, 8360 with IPv6's);
# plus a pcapng copy made by editcap.
. "$top_srcdir/tests/cli/lib.sh"
F="$SHARED/corpus/pcap/nfsv3-udp-ipfrag_pcapplusplus-ip-frag.pcap"
CONV="$top_srcdir/tests/cli/pcap-convert.py"
plan 30
if ! command -v python3 >/dev/null 2>&1; then
	for i in $(seq 30); do echo "ok $i # SKIP python3 not installed"; done
	exit 0
fi
check() { # check NAME FILE HOST [DATAGRAM BYTES]
	bytes=${4:-8340}
	expect_status 0 "$1: import" "$VMREPLAY" import pcap "$2" -o lab.db --name "$1" --host "$3"
	got=$("$VMREPLAY" sql lab.db "SELECT count(*) FROM net_rx WHERE trace='$1' AND bytes = $bytes AND fragments = 6" --csv | tail -1)
	ops=$("$VMREPLAY" sql lab.db "SELECT count(*) FROM nfs_op JOIN trace t ON t.id = trace_id WHERE t.name='$1' AND reply_ns IS NOT NULL" --csv | tail -1)
	[ "$got" = 182 ] && [ "$ops" = 508 ]
	ok $? "$1: 182 WRITE datagrams in 6 fragments ($got), 508 NFS ops ($ops)"
}
for lt in 1 113 276 101 0 108 228; do
	python3 "$CONV" "$F" lt$lt.pcap $lt
	check "linktype-$lt" lt$lt.pcap 10.118.213.211
done
for lt in 1 113 276 101 0 108 228; do
	python3 "$CONV" "$F" lt$lt-v6.pcap $lt --ipv6
	check "linktype-$lt-ipv6" lt$lt-v6.pcap 2001:db8::a76:d5d3 8360
done
if command -v editcap >/dev/null 2>&1; then
	editcap -F pcapng "$F" frag.pcapng
	check pcapng frag.pcapng 10.118.213.211
else
	echo "ok 29 # SKIP editcap not installed"; echo "ok 30 # SKIP editcap not installed"
fi
done_testing
