#!/bin/sh
# make-nfs-ipfrag-netrx.sh — derives traces/nfs-ipfrag-netrx.csv (native
# format) from the real capture corpus/pcap/nfsv3-udp-ipfrag_pcapplusplus-
# ip-frag.pcap with tshark: one net_rx event per UDP datagram delivered to
# the NFS server 10.118.213.211 (the host that reassembles the 8 KB WRITE
# calls), bytes = IP datagram length (UDP length + 20), count = distinct
# fragments on the 1500-byte MTU, ceil(UDP length / 1480) (tshark's
# ip.fragment.count also counts the capture's duplicated fragments),
# flags = 0 (UDP).  obj numbers the datagrams.  Run from the source tree:
#   traces/make-nfs-ipfrag-netrx.sh ../shared > traces/nfs-ipfrag-netrx.csv
set -eu
shared=${1:-../shared}
pcap=$shared/corpus/pcap/nfsv3-udp-ipfrag_pcapplusplus-ip-frag.pcap
echo "ts_ns,kind,obj,bytes,count,flags"
tshark -r "$pcap" -Y 'udp && ip.dst==10.118.213.211' \
	-T fields -E separator=, -e frame.time_epoch -e udp.length \
	-e ip.fragment.count 2>/dev/null |
	awk -F, '{
		split($1, t, ".");
		ns = t[1] "" substr(t[2] "000000000", 1, 9);
		frags = ($3 == "") ? 1 : int(($2 + 1479) / 1480);
		printf "%s,net_rx,%d,%d,%d,0\n", ns, NR, $2 + 20, frags;
	}'
