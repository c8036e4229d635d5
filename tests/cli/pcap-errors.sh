#!/bin/sh
# pcap-errors.sh — malformed captures: a missing or non-pcap file and an
# unsupported link type are fatal (exit 1, one line, nothing stored); a
# truncated file, frames cut by the snap length and garbage in every header
# give one-line warnings naming the frame, and the rest is still decoded.
. "$top_srcdir/tests/cli/lib.sh"
F="$SHARED/corpus/pcap/nfsv3-udp-ipfrag_pcapplusplus-ip-frag.pcap"
CONV="$top_srcdir/tests/cli/pcap-convert.py"
plan 23
q() { "$VMREPLAY" sql "$1" "$2" --csv | tail -1; }

expect_status 1 "missing file fails" "$VMREPLAY" import pcap nosuch.pcap -o lab.db
grep -q "nosuch.pcap" err.txt && [ "$(wc -l <err.txt)" = 1 ]
ok $? "missing file: one line naming the file"
echo "this is not a capture" >text.pcap
expect_status 1 "a text file fails" "$VMREPLAY" import pcap text.pcap -o lab.db
n=$(q lab.db "SELECT count(*) FROM trace")
[ "$n" = 0 ]
ok $? "nothing stored after a fatal error"
# link type 105 (802.11) is not supported
head -c 24 "$F" | python3 -c 'import sys; b = bytearray(sys.stdin.buffer.read()); b[20:24] = (105).to_bytes(4, "little"); sys.stdout.buffer.write(bytes(b))' >wifi.pcap
tail -c +25 "$F" | head -c 2000 >>wifi.pcap
expect_status 1 "unsupported link type fails" "$VMREPLAY" import pcap wifi.pcap -o lab.db
grep -q "link type 105" err.txt
ok $? "unsupported link type: named in the message"
expect_status 2 "bad --host is a usage error" "$VMREPLAY" import pcap "$F" -o lab.db --host not-an-address
expect_status 2 "missing -o is a usage error" "$VMREPLAY" import pcap "$F"

# truncated in the middle of a record: the frames before it are kept
head -c 1000000 "$F" >cut.pcap
expect_status 0 "truncated file imports" "$VMREPLAY" import pcap cut.pcap -o lab.db --name cut
grep -q "cut.pcap: frame [0-9]*: capture file ends early" err.txt
ok $? "truncated file: warning names the frame"
n=$(q lab.db "SELECT value FROM trace_stat WHERE key='frames' AND trace_id=(SELECT id FROM trace WHERE name='cut')")
w=$(grep -o 'frame [0-9]*' err.txt | head -1 | cut -d' ' -f2)
[ "$n" -gt 900 ] && [ "$n" = $((w - 1)) ]
ok $? "truncated file: $n frames decoded before frame $w"
t=$(q lab.db "SELECT value FROM trace_stat WHERE key='file_truncated' AND trace_id=(SELECT id FROM trace WHERE name='cut')")
[ "$t" = 1 ]
ok $? "truncated file: recorded in the trace stats"
head -c 10 "$F" >tiny.pcap
expect_status 1 "a file cut inside its header fails" "$VMREPLAY" import pcap tiny.pcap -o lab.db

# snaplen 200: headers survive, payloads are cut
if command -v python3 >/dev/null 2>&1; then
	python3 "$CONV" "$F" snap.pcap 1 --snaplen 200
	expect_status 0 "snaplen-cut capture imports" "$VMREPLAY" import pcap snap.pcap -o lab.db --name snap --host 10.118.213.211
	n=$(q lab.db "SELECT count(*) FROM net_rx WHERE trace='snap' AND bytes=8340 AND fragments=6")
	[ "$n" = 182 ]
	ok $? "snaplen 200: still 182 WRITE datagrams of 8340 bytes ($n)"
	n=$(q lab.db "SELECT count(*) FROM nfs_op WHERE proc=7 AND count=8192 AND trace_id=(SELECT id FROM trace WHERE name='snap')")
	[ "$n" -ge 182 ]
	ok $? "snaplen 200: WRITE calls decoded from the first fragment ($n)"
	n=$(q lab.db "SELECT value FROM trace_stat WHERE key='frames_truncated' AND trace_id=(SELECT id FROM trace WHERE name='snap')")
	[ "$n" -gt 1000 ]
	ok $? "snaplen 200: $n frames counted as cut"
else
	for i in 1 2 3 4; do ok 0 "# SKIP python3 not installed"; done
fi

# garbage: every 7th frame gets random bytes over its headers
python3 - "$F" garbage.pcap <<'PY'
import random, struct, sys
random.seed(5)
d = bytearray(open(sys.argv[1], "rb").read())
off, n = 24, 0
while off + 16 <= len(d):
    cap = struct.unpack("<I", d[off + 8:off + 12])[0]
    if n % 7 == 3:
        for i in range(random.randint(1, 12)):
            p = off + 16 + random.randint(0, min(cap, 120) - 1)
            d[p] = random.randint(0, 255)
    off += 16 + cap
    n += 1
open(sys.argv[2], "wb").write(bytes(d))
PY
expect_status 0 "garbage headers: import succeeds" "$VMREPLAY" import pcap garbage.pcap -o lab.db --name garbage
grep -q "^vmreplay: warning: garbage.pcap: frame [0-9]*: " err.txt
ok $? "garbage headers: warnings name the frame"
n=$(grep -c "warning:" err.txt)
[ "$n" -le 20 ]
ok $? "garbage headers: at most 20 warning lines ($n)"
n=$(q lab.db "SELECT count(*) FROM nfs_op WHERE trace_id=(SELECT id FROM trace WHERE name='garbage')")
[ "$n" -gt 300 ]
ok $? "garbage headers: most NFS operations still decoded ($n)"
expect_status 1 "a duplicate trace name fails" "$VMREPLAY" import pcap "$F" -o lab.db --name garbage
n=$(q lab.db "SELECT count(*) FROM trace WHERE name='garbage'")
[ "$n" = 1 ]
ok $? "the first trace of that name is unchanged"
done_testing
