#!/bin/sh
# bench-pcap.sh — the packet-ingest benchmark of docs/PERFORMANCE.md:
# replicates a real NFS capture into one of at least FRAMES frames (each copy
# shifted in time), then times `vmreplay import pcap` on it beside
# `tcpdump -r FILE -w /dev/null` and `tshark -r FILE -Y nfs -T fields -e
# nfs.procedure_v3` on the same file, and prints frames/s for each.
# usage (from a build directory): $srcdir/bench/bench-pcap.sh [CAPTURE [FRAMES]]
#   Env: VMREPLAY (default: the build's vmreplay; in a libtool build the
#        program behind the ./vmreplay wrapper script, which costs a shell),
#        TSHARK_FRAMES (tshark on only the first N frames: quicker, but its
#        start-up then weighs more; default: the whole file),
#        VMREPLAY_SHARED (for the default capture), RUNS (each command
#        is timed RUNS times, default 3, and the median kept: tshark's own
#        rate moves by ±15 % from run to run).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cap=${1:-${VMREPLAY_SHARED:-$here/../shared}/corpus/pcap/nfsv3-udp-ipfrag_pcapplusplus-ip-frag.pcap}
want=${2:-1000000}
libpath=${LD_LIBRARY_PATH:-}
if [ -n "${VMREPLAY:-}" ]; then
	vmreplay=$VMREPLAY
elif [ -x .libs/vmreplay ] && [ -d libreplay/.libs ] &&
	head -c 2 ./vmreplay | grep -q '#!'; then
	# what the libtool wrapper runs, without the wrapper's shell
	vmreplay=$(pwd)/.libs/vmreplay
	libpath=$(pwd)/libreplay/.libs${libpath:+:$libpath}
else
	vmreplay=./vmreplay
fi
tframes=${TSHARK_FRAMES:-}
work=${TMPDIR:-/tmp}/vmreplay-bench-pcap.$$
mkdir -p "$work"
trap "[ -n \"${KEEP:-}\" ] || rm -rf \"$work\"" EXIT INT TERM

python3 - "$cap" "$work/big.pcap" "$want" <<'PY'
import struct, sys
src, dst, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = open(src, "rb").read()
e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
nano = d[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
recs, off = [], 24
while off + 16 <= len(d):
    sec, frac, cap, ln = struct.unpack(e + "IIII", d[off:off + 16])
    recs.append((sec, frac, d[off + 16:off + 16 + cap], cap, ln))
    off += 16 + cap
span = recs[-1][0] - recs[0][0] + 2
with open(dst, "wb") as f:
    f.write(d[:24])
    n, k = 0, 0
    while n < want:
        for sec, frac, data, cap, ln in recs:
            f.write(struct.pack(e + "IIII", sec + k * span, frac, cap, ln))
            f.write(data)
        n += len(recs)
        k += 1
print("frames=%d copies=%d" % (n, k))
PY
frames=$(capinfos -c -M "$work/big.pcap" 2>/dev/null | awk '/Number of packets/ {print $NF}')
size=$(stat -c %s "$work/big.pcap")
echo "capture: $frames frames, $((size / 1000000)) MB (copies of $(basename "$cap"))"
now() { date +%s.%N; }

# written back before anything is timed (else the kernel writes the new
# 950 MB out during the first command), then in the page cache
sync
cat "$work/big.pcap" >/dev/null
runs=${RUNS:-3}
# median_time CMD...: runs CMD $runs times, prints the median seconds
median_time() {
	i=0
	while [ $i -lt "$runs" ]; do
		t0=$(now)
		"$@"
		t1=$(now)
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
		i=$((i + 1))
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.2f s, %.0f frames/s", t, n / t }'; }

run_tcpdump() { tcpdump -r "$work/big.pcap" -w /dev/null 2>/dev/null; }
t=$(median_time run_tcpdump)
echo "tcpdump -r FILE -w /dev/null:     $(rate "$frames" "$t") (median of $runs)"
tcpdump_rate=$(awk -v n="$frames" -v t="$t" 'BEGIN { print n / t }')

run_import() {
	rm -f "$work/bench.db"
	LD_LIBRARY_PATH=$libpath "$vmreplay" import pcap "$work/big.pcap" \
		-o "$work/bench.db" --name bench --quiet 2>"$work/import.log"
}
t=$(median_time run_import)
echo "vmreplay import pcap:             $(rate "$frames" "$t") (median of $runs)"
vm_rate=$(awk -v n="$frames" -v t="$t" 'BEGIN { print n / t }')
tail -1 "$work/import.log"
echo "database: $(($(stat -c %s "$work/bench.db") / 1000000)) MB"

if command -v tshark >/dev/null 2>&1; then
	tfile=$work/big.pcap
	if [ -n "$tframes" ] && [ "$tframes" -lt "$frames" ]; then
		editcap -r "$work/big.pcap" "$work/head.pcap" "1-$tframes" 2>/dev/null
		tfile=$work/head.pcap
	else
		tframes=$frames
	fi
	run_tshark() {
		tshark -r "$tfile" -Y nfs -T fields -e nfs.procedure_v3 \
			>/dev/null 2>&1
	}
	t=$(median_time run_tshark)
	echo "tshark -Y nfs -e nfs.procedure_v3 ($tframes frames): $(rate "$tframes" "$t") (median of $runs)"
	ts_rate=$(awk -v n="$tframes" -v t="$t" 'BEGIN { print n / t }')
	awk -v v="$vm_rate" -v t="$ts_rate" -v d="$tcpdump_rate" 'BEGIN {
		printf "vmreplay / tshark: %.1fx   vmreplay / tcpdump: %.2f\n", v / t, v / d }'
fi
