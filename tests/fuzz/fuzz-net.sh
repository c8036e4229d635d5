#!/bin/sh
# fuzz-net.sh — builds tests/fuzz/fuzz-net.c with clang's libFuzzer (and
# ASan/UBSan) and runs it for a few seconds, seeded with the frames of the
# shipped and corpus captures.  TAP; skipped when clang or python3 is absent.
# FUZZ_SECONDS (default 5) sets the run time.
. "$top_srcdir/tests/cli/lib.sh"
plan 2
if ! command -v clang >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
	echo "ok 1 # SKIP clang or python3 not installed"
	echo "ok 2 # SKIP clang or python3 not installed"
	exit 0
fi
L=$top_srcdir/libreplay
clang -g -O1 -std=gnu17 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -I"$L" -o fuzz-net "$top_srcdir/tests/fuzz/fuzz-net.c" \
	"$L/net-link.c" "$L/net-ipv4.c" "$L/net-ipv6.c" "$L/net-frag.c" "$L/net-udp.c" \
	"$L/net-tcp.c" "$L/net-rpc.c" "$L/net-nfs.c" >build.log 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/# /' build.log | head -20
ok $rc "fuzz-net builds with -fsanitize=fuzzer"
[ $rc = 0 ] || { echo "not ok 2 - not built"; exit 1; }
# seeds: runs of up to 40 consecutive frames of each capture, Ethernet (selector 0)
mkdir -p seeds
python3 - seeds "$top_srcdir"/traces/*.pcap "$SHARED"/corpus/pcap/*.pcap <<'PY'
import struct, sys
out, n = sys.argv[1], 0
for path in sys.argv[2:]:
    d = open(path, "rb").read()
    e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, frames = 24, []
    while off + 16 <= len(d):
        cap = struct.unpack(e + "I", d[off + 8:off + 12])[0]
        frames.append(d[off + 16:off + 16 + cap][:65535])
        off += 16 + cap
    for i in range(0, len(frames), 40):
        blob = b"\0" + b"".join(struct.pack(">H", len(f)) + f for f in frames[i:i + 40])
        open("%s/seed-%04d" % (out, n), "wb").write(blob)
        n += 1
PY
./fuzz-net -max_total_time="${FUZZ_SECONDS:-5}" -seed=1 -max_len=65536 -rss_limit_mb=1024 seeds >fuzz.log 2>&1
rc=$?
[ $rc = 0 ] || { grep -E 'ERROR|SUMMARY|panic|deadly' fuzz.log | head -10 | sed 's/^/# /'; cp fuzz.log /tmp/fuzz-net-failure.log; ls crash-* 2>/dev/null | sed 's/^/# /'; cp crash-* /tmp/ 2>/dev/null; }
ok $rc "fuzz-net ran ${FUZZ_SECONDS:-5} s without a crash ($(grep -o 'DONE.*\|#[0-9]*.*DONE' fuzz.log | tail -1))"
done_testing
