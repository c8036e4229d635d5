/*
 * net-ipv4.c — the IPv4 header: checks it, fills the packet row, and hands
 * the payload to fragment reassembly (net-frag.c) or straight up to the
 * transport layers.
 */
#include "net.h"
#include "bytes.h"

#include <stdio.h>
#include <string.h>

int net_ipv4(struct net *n, struct net_pkt *pk, const uint8_t *p,
	     uint32_t caplen)
{
	struct rp_bytes b = rp_bytes_make(p, caplen);
	struct net_ip ip;
	struct rp_packet *row = &pk->row;

	memset(&ip, 0, sizeof ip);
	uint8_t vhl = rp_bytes_u8(&b);
	rp_bytes_skip(&b, 1); /* TOS */
	uint16_t tot = rp_bytes_be16(&b);
	uint16_t id = rp_bytes_be16(&b);
	uint16_t fo = rp_bytes_be16(&b);
	rp_bytes_skip(&b, 1); /* TTL */
	ip.proto = rp_bytes_u8(&b);
	rp_bytes_skip(&b, 2); /* checksum */
	ip.src.family = ip.dst.family = 4;
	rp_bytes_copy(&b, ip.src.a, 4);
	rp_bytes_copy(&b, ip.dst.a, 4);
	ip.version = 4;
	n->st.ip4++;
	row->ip_version = 4;
	if (b.err) {
		net_warn(n, pk->frame, "IPv4 header truncated (%u bytes)",
			 caplen);
		return net_emit_packet(n, row);
	}
	row->protocol = ip.proto;
	row->addr_len = 4;
	memcpy(row->src_ip, ip.src.a, 4);
	memcpy(row->dst_ip, ip.dst.a, 4);
	unsigned hl = (vhl & 15) * 4u;
	if ((vhl >> 4) != 4 || hl < 20 || tot < hl) {
		net_warn(n, pk->frame,
			 "bad IPv4 header (version %u, header length %u, "
			 "total length %u)",
			 vhl >> 4, hl, tot);
		return net_emit_packet(n, row);
	}
	if (caplen < tot && !pk->truncated && caplen >= hl)
		net_warn(n, pk->frame,
			 "IPv4 total length %u exceeds the frame (%u bytes)",
			 tot, caplen);
	uint32_t have = caplen < tot ? caplen : tot; /* drop link padding */
	uint32_t off = (fo & 0x1fff) * 8u;
	bool more = fo & 0x2000;
	const uint8_t *pay = have > hl ? p + hl : p;
	uint32_t paycap = have > hl ? have - hl : 0;
	uint32_t paylen = tot - hl;

	ip.data = pay;
	ip.caplen = ip.wholecap = paycap;
	ip.len = paylen;
	ip.hdr_len = hl;
	ip.nfrags = 1;
	if (more || off) {
		row->frag_id = id;
		row->frag_offset = (int32_t)off;
		row->more_frags = more;
		return net_frag_add(n, pk, &ip, id, off, paylen, pay, paycap,
				    more);
	}
	if (net_deliver(n, pk, row, &ip) < 0)
		return -1;
	return net_emit_packet(n, row);
}
