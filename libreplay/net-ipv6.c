/*
 * net-ipv6.c — the IPv6 header and its extension headers (hop-by-hop,
 * routing, destination options, AH, fragment); fragments go to the same
 * reassembly as IPv4 (net-frag.c).
 */
#include "net.h"
#include "bytes.h"

#include <string.h>

int net_ipv6(struct net *n, struct net_pkt *pk, const uint8_t *p,
	     uint32_t caplen)
{
	struct rp_bytes b = rp_bytes_make(p, caplen);
	struct net_ip ip;
	struct rp_packet *row = &pk->row;
	bool frag = false, more = false;
	uint32_t id = 0, off = 0;

	memset(&ip, 0, sizeof ip);
	uint32_t vtf = rp_bytes_be32(&b);
	uint16_t plen = rp_bytes_be16(&b);
	uint8_t nh = rp_bytes_u8(&b);
	rp_bytes_skip(&b, 1); /* hop limit */
	ip.src.family = ip.dst.family = 6;
	rp_bytes_copy(&b, ip.src.a, 16);
	rp_bytes_copy(&b, ip.dst.a, 16);
	ip.version = 6;
	n->st.ip6++;
	row->ip_version = 6;
	if (b.err || (vtf >> 28) != 6) {
		net_warn(n, pk->frame, "bad or truncated IPv6 header");
		return net_emit_packet(n, row);
	}
	row->addr_len = 16;
	memcpy(row->src_ip, ip.src.a, 16);
	memcpy(row->dst_ip, ip.dst.a, 16);
	if (plen == 0) {
		net_warn(n, pk->frame, "IPv6 jumbogram not supported");
		return net_emit_packet(n, row);
	}
	/* extension headers, counted against the payload length */
	uint32_t ext = 0;
	for (int i = 0; i < 8; i++) {
		if (nh == 0 || nh == 43 || nh == 60 || nh == 51) {
			uint8_t next = rp_bytes_u8(&b);
			uint8_t hlen = rp_bytes_u8(&b);
			uint32_t sz =
			    nh == 51 ? (hlen + 2u) * 4 : (hlen + 1u) * 8;
			rp_bytes_skip(&b, sz - 2);
			ext += sz;
			nh = next;
		} else if (nh == 44) {
			uint8_t next = rp_bytes_u8(&b);
			rp_bytes_skip(&b, 1);
			uint16_t fo = rp_bytes_be16(&b);
			id = rp_bytes_be32(&b);
			ext += 8;
			nh = next;
			frag = true;
			off = fo & 0xfff8u;
			more = fo & 1;
			break; /* what follows is fragmented */
		} else
			break;
	}
	row->protocol = nh;
	if (b.err || ext > plen) {
		net_warn(n, pk->frame, "IPv6 extension headers truncated");
		return net_emit_packet(n, row);
	}
	uint32_t hdr = 40 + ext;
	uint32_t tot = 40u + plen;
	if (caplen < tot && !pk->truncated)
		net_warn(n, pk->frame,
			 "IPv6 payload length %u exceeds the frame (%u bytes)",
			 plen, caplen);
	uint32_t have = caplen < tot ? caplen : tot;
	ip.proto = nh;
	ip.data = have > hdr ? p + hdr : p;
	ip.caplen = ip.wholecap = have > hdr ? have - hdr : 0;
	ip.len = tot - hdr;
	/* the reassembled datagram has no fragment header (8 bytes) */
	ip.hdr_len = frag && hdr >= 48 ? hdr - 8 : hdr;
	ip.nfrags = 1;
	if (frag && (more || off)) {
		row->frag_id = id;
		row->frag_offset = (int32_t)off;
		row->more_frags = more;
		return net_frag_add(n, pk, &ip, id, off, ip.len, ip.data,
				    ip.caplen, more);
	}
	if (net_deliver(n, pk, row, &ip) < 0)
		return -1;
	return net_emit_packet(n, row);
}
