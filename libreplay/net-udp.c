/*
 * net-udp.c — the UDP header; every UDP payload is offered to the RPC
 * decoder (which recognises RPC on any port).  A datagram still in
 * fragments (net-frag.c) is offered its first fragment, and whole only when
 * that did not settle the message.
 */
#include "net.h"
#include "bytes.h"

#include <string.h>

static uint32_t clip(uint32_t cap, uint32_t len)
{
	return cap < len ? cap : len;
}

int net_udp(struct net *n, struct net_pkt *pk, const struct net_ip *ip)
{
	struct rp_bytes b = rp_bytes_make(ip->data, ip->caplen);
	struct net_flow fl;

	memset(&fl, 0, sizeof fl);
	fl.sport = rp_bytes_be16(&b);
	fl.dport = rp_bytes_be16(&b);
	uint16_t ulen = rp_bytes_be16(&b);
	rp_bytes_skip(&b, 2);
	if (b.err) {
		if (ip->len >= 8 || !pk->truncated)
			net_warn(n, pk->frame, "UDP header truncated");
		return 0;
	}
	if (ulen < 8 || ulen > ip->len) {
		net_warn(n, pk->frame,
			 "bad UDP length %u (IP payload %u bytes)", ulen,
			 ip->len);
		if (ulen < 8)
			return 0;
		ulen = (uint16_t)ip->len;
	}
	fl.src = ip->src;
	fl.dst = ip->dst;
	fl.proto = 17;
	struct net_rpc_in in = {&fl,	   pk->ts_ns, pk->frame,
				ulen - 8u, false,     false};
	uint32_t cap = clip(ip->caplen - 8, in.len);
	uint32_t whole = clip(ip->wholecap - 8, in.len);
	/* the first fragment mostly holds all that the decoders read */
	in.more = cap < whole;
	int rc = net_rpc_msg(n, &in, ip->data + 8, cap);
	if (rc == NET_RPC_AGAIN) {
		const uint8_t *w = net_frag_whole(n, ip);
		if (!w)
			return -1;
		in.more = false;
		rc = net_rpc_msg(n, &in, w + 8, whole);
	}
	return rc < 0 ? -1 : 0;
}
