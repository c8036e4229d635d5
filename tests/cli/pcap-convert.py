#!/usr/bin/env python3
"""pcap-convert.py — test helper of the packet recorder tests: rewrites an
Ethernet pcap with another link type (Linux cooked v1/v2, raw IP, BSD
loopback/null, DLT_IPV4/IPV6), optionally turning IPv4 into IPv6 (addresses
mapped into 2001:db8::/96, fragments into fragment extension headers), or
cuts every frame to a snap length.

usage: pcap-convert.py IN OUT LINKTYPE [--ipv6] [--snaplen N]
"""
import struct
import sys


def read_pcap(path):
    data = open(path, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        sys.exit("pcap-convert: %s: not a classic pcap file" % path)
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(e + "I", data[20:24])[0]
    off, recs = 24, []
    while off + 16 <= len(data):
        sec, frac, cap, length = struct.unpack(e + "IIII", data[off:off + 16])
        recs.append((sec, frac, data[off + 16:off + 16 + cap], length))
        off += 16 + cap
    return nano, linktype, recs


def to_ipv6(ip):
    ihl = (ip[0] & 15) * 4
    tot = struct.unpack(">H", ip[2:4])[0]
    ident = struct.unpack(">H", ip[4:6])[0]
    fo = struct.unpack(">H", ip[6:8])[0]
    proto, src, dst = ip[9], ip[12:16], ip[16:20]
    pay = ip[ihl:tot]
    pre = bytes.fromhex("20010db8") + bytes(8)
    more, off = fo & 0x2000, (fo & 0x1fff) * 8
    if more or off:
        ext = struct.pack(">BBHI", proto, 0, off | (1 if more else 0), ident)
        nh, pay = 44, ext + pay
    else:
        nh = proto
    hdr = struct.pack(">IHBB", 6 << 28, len(pay), nh, 64) + pre + src + pre + dst
    return hdr + pay


def link_header(lt, v6):
    et = 0x86DD if v6 else 0x0800
    if lt == 113:
        return struct.pack(">HHH8sH", 0, 1, 6, b"\x02" * 6 + b"\0\0", et)
    if lt == 276:
        return struct.pack(">HHIHBB8s", et, 0, 2, 1, 0, 6, b"\x02" * 6 + b"\0\0")
    if lt == 0:
        return struct.pack("<I", 30 if v6 else 2)
    if lt == 108:
        return struct.pack(">I", 30 if v6 else 2)
    return b""


def main():
    a = sys.argv[1:]
    if len(a) < 3:
        sys.exit(__doc__)
    src, dst, lt = a[0], a[1], int(a[2])
    v6 = "--ipv6" in a
    snap = int(a[a.index("--snaplen") + 1]) if "--snaplen" in a else 0
    nano, inlt, recs = read_pcap(src)
    if inlt != 1:
        sys.exit("pcap-convert: input must be Ethernet")
    out = [struct.pack("<IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4,
                       0, 0, snap or 262144, 229 if (lt == 228 and v6) else lt)]
    for sec, frac, frame, length in recs:
        if len(frame) < 14:
            continue
        if struct.unpack(">H", frame[12:14])[0] != 0x0800:
            if lt != 1:
                continue  # non-IP frames only fit Ethernet
            pkt, cut = frame, len(frame) < length
        else:
            ip = frame[14:]
            cut = len(frame) < length
            if v6:
                if cut:
                    continue
                ip = to_ipv6(ip)
            pkt = (frame[:12] + struct.pack(">H", 0x86DD if v6 else 0x0800) + ip
                   if lt == 1 else link_header(lt, v6) + ip)
            length = len(pkt) if not cut else length - 14 + len(pkt) - len(ip)
        wire = max(length, len(pkt))
        if snap and len(pkt) > snap:
            pkt = pkt[:snap]
        out.append(struct.pack("<IIII", sec, frac, len(pkt), wire) + pkt)
    open(dst, "wb").write(b"".join(out))


main()
