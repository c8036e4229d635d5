/*
 * net-udp.c — the UDP header; every UDP payload is offered to the RPC
 * decoder (which recognises RPC on any port).
 */
#include "net.h"
#include "bytes.h"

#include <string.h>

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
	uint32_t len = ulen - 8u;
	uint32_t cap = ip->caplen - 8;
	if (cap > len)
		cap = len;
	int rc = net_rpc_msg(n, &fl, pk->ts_ns, pk->frame, ip->data + 8, cap,
			     len, false);
	return rc < 0 ? -1 : 0;
}
