#!/usr/bin/env python3
"""pcap-replicate.py — test helper of the packet recorder tests: writes
copies of an Ethernet pcap one after the other, each shifted in time by its
own number of seconds and with IPv4 addresses of its own (the outer header
of each frame).

usage: pcap-replicate.py IN OUT COPY...
  COPY  SECONDS[:FROM=TO[,FROM=TO...]], e.g. 0  120  240:10.0.0.2=10.0.0.9
"""
import socket
import struct
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    data = open(sys.argv[1], "rb").read()
    if data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        sys.exit("pcap-replicate: %s: not a little-endian pcap" % sys.argv[1])
    if struct.unpack("<I", data[20:24])[0] != 1:
        sys.exit("pcap-replicate: %s: not Ethernet" % sys.argv[1])
    recs, off = [], 24
    while off + 16 <= len(data):
        sec, frac, cap, length = struct.unpack("<IIII", data[off:off + 16])
        recs.append((sec, frac, data[off + 16:off + 16 + cap], length))
        off += 16 + cap
    with open(sys.argv[2], "wb") as out:
        out.write(data[:24])
        for spec in sys.argv[3:]:
            shift, _, maps = spec.partition(":")
            amap = {}
            for m in filter(None, maps.split(",")):
                a, b = m.split("=")
                amap[socket.inet_aton(a)] = socket.inet_aton(b)
            for sec, frac, frame, length in recs:
                frame = bytearray(frame)
                if len(frame) >= 34 and frame[12:14] == b"\x08\x00":
                    for o in (26, 30):
                        a = bytes(frame[o:o + 4])
                        frame[o:o + 4] = amap.get(a, a)
                out.write(struct.pack("<IIII", sec + int(shift), frac,
                                      len(frame), length))
                out.write(frame)


main()
