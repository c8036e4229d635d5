/*
 * net-link.c — the frame entry point of the packet decoders: link-layer
 * headers (Ethernet with VLAN tags, Linux cooked v1/v2, raw IP, BSD
 * loopback/null), the decoder object, and helpers the layers share
 * (addresses, the hash table, warnings).
 */
#include "net.h"
#include "bytes.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

const char *net_addr_str(const struct net_addr *x, char *buf, size_t size)
{
	if (x->family == 4)
		inet_ntop(AF_INET, x->a, buf, (socklen_t)size);
	else if (x->family == 6)
		inet_ntop(AF_INET6, x->a, buf, (socklen_t)size);
	else
		snprintf(buf, size, "-");
	return buf;
}

bool net_addr_parse(const char *s, struct net_addr *out)
{
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, s, out->a) == 1) {
		out->family = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, out->a) == 1) {
		out->family = 6;
		return true;
	}
	return false;
}

int64_t net_fh_hash(const uint8_t *p, size_t len)
{
	if (!len)
		return 0;
	uint64_t h = net_hash_bytes(NET_HASH_INIT, p, len) >> 1;
	return h ? (int64_t)h : 1;
}

int net_htab_insert(struct net_htab *t, struct net_hnode *e, uint64_t hash)
{
	if (t->n + 1 > t->nb) {
		size_t nb = t->nb ? t->nb * 2 : 256;
		struct net_hnode **b = calloc(nb, sizeof *b);
		if (!b)
			return -1;
		for (size_t i = 0; i < t->nb; i++) {
			struct net_hnode *x = t->b[i], *next;
			for (; x; x = next) {
				next = x->next;
				x->next = b[x->hash & (nb - 1)];
				b[x->hash & (nb - 1)] = x;
			}
		}
		free(t->b);
		t->b = b;
		t->nb = nb;
	}
	e->hash = hash;
	e->next = t->b[hash & (t->nb - 1)];
	t->b[hash & (t->nb - 1)] = e;
	t->n++;
	return 0;
}

void net_htab_remove(struct net_htab *t, struct net_hnode *e)
{
	struct net_hnode **pp = &t->b[e->hash & (t->nb - 1)];
	for (; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			t->n--;
			return;
		}
	}
}

void net_htab_free(struct net_htab *t)
{
	free(t->b);
	t->b = NULL;
	t->nb = t->n = 0;
}

void net_warn(struct net *n, int64_t frame, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	n->st.malformed++;
	if (!n->sink.warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	n->sink.warn(n->sink.arg, frame, msg);
}

int net_emit_packet(struct net *n, const struct rp_packet *row)
{
	if (n->sink.packet && n->sink.packet(n->sink.arg, row) < 0) {
		n->failed = 1;
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- decoder */

void net_config_default(struct net_config *cfg)
{
	cfg->frag_timeout_ns = 30 * 1000000000ll;
	cfg->frag_mem_limit = 4u << 20;
	cfg->tcp_mem_limit = 1u << 20;
	cfg->rpc_timeout_ns = 60 * 1000000000ll;
	cfg->frames_stay = false;
}

struct net *net_new(const struct net_config *cfg, const struct net_sink *sink)
{
	struct net *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	if (cfg)
		n->cfg = *cfg;
	else
		net_config_default(&n->cfg);
	n->sink = *sink;
	n->st.latency_p50_ns = n->st.latency_p99_ns = -1;
	n->st.latency_max_ns = -1;
	if (net_frag_init(n) < 0 || net_tcp_init(n) < 0 ||
	    net_rpc_init(n) < 0) {
		net_free(n);
		return NULL;
	}
	return n;
}

void net_free(struct net *n)
{
	if (!n)
		return;
	net_frag_free(n);
	net_tcp_free(n);
	net_rpc_free(n);
	free(n);
}

const struct net_stats *net_get_stats(const struct net *n)
{
	return &n->st;
}

void net_set_frames_stay(struct net *n, bool on)
{
	n->cfg.frames_stay = on;
}

bool net_linktype_supported(int linktype)
{
	switch (linktype) {
	case NET_DLT_NULL:
	case NET_DLT_EN10MB:
	case NET_DLT_RAW:
	case NET_DLT_RAW_OPENBSD:
	case NET_LINKTYPE_RAW:
	case NET_DLT_LOOP:
	case NET_DLT_LINUX_SLL:
	case NET_DLT_IPV4:
	case NET_DLT_IPV6:
	case NET_DLT_LINUX_SLL2: return true;
	default: return false;
	}
}

/* Finds the network layer: returns the IP version (4, 6) or 0 for
 * non-IP, -1 for a malformed header.  *off is the IP header offset. */
static int link_decode(struct net *n, int linktype, int64_t frame,
		       struct rp_bytes *b)
{
	uint32_t fam;
	uint16_t et = 0;

	switch (linktype) {
	case NET_DLT_EN10MB:
		rp_bytes_skip(b, 12);
		et = rp_bytes_be16(b);
		/* 802.1Q / 802.1ad / QinQ tags */
		for (int i = 0;
		     i < 4 && (et == 0x8100 || et == 0x88a8 || et == 0x9100);
		     i++) {
			rp_bytes_skip(b, 2);
			et = rp_bytes_be16(b);
		}
		break;
	case NET_DLT_LINUX_SLL:
		rp_bytes_skip(b, 14);
		et = rp_bytes_be16(b);
		break;
	case NET_DLT_LINUX_SLL2:
		et = rp_bytes_be16(b);
		rp_bytes_skip(b, 18);
		break;
	case NET_DLT_RAW:
	case NET_DLT_RAW_OPENBSD:
	case NET_LINKTYPE_RAW: {
		if (!rp_bytes_have(b, 1))
			break;
		unsigned v = b->p[b->pos] >> 4;
		return v == 4 || v == 6 ? (int)v : 0;
	}
	case NET_DLT_IPV4: return 4;
	case NET_DLT_IPV6: return 6;
	case NET_DLT_NULL:
	case NET_DLT_LOOP:
		/* AF_ value in host order (NULL) or network order (LOOP);
		 * guess the byte order from which half is zero */
		fam = linktype == NET_DLT_LOOP ? rp_bytes_be32(b)
					       : rp_bytes_le32(b);
		if (linktype == NET_DLT_NULL && (fam & 0xffff) == 0)
			fam >>= 24;
		if (b->err)
			break;
		if (fam == 2)
			return 4;
		if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
			return 6;
		return 0;
	default: n->st.unsupported++; return 0;
	}
	if (b->err) {
		net_warn(n, frame, "link header truncated");
		return -1;
	}
	if (et == 0x0800)
		return 4;
	if (et == 0x86dd)
		return 6;
	return 0;
}

int net_frame(struct net *n, int linktype, int64_t ts_ns, int64_t frame,
	      const uint8_t *data, uint32_t caplen, uint32_t len)
{
	struct net_pkt pk;
	struct rp_bytes b = rp_bytes_make(data, caplen);
	int rc = 0, v;

	if (n->failed)
		return -1;
	n->st.frames++;
	n->st.bytes += len;
	if (ts_ns > n->now_ns)
		n->now_ns = ts_ns;
	memset(&pk, 0, sizeof pk);
	pk.ts_ns = ts_ns;
	pk.frame = frame;
	pk.truncated = caplen < len;
	if (pk.truncated)
		n->st.truncated++;
	pk.row.ts_ns = ts_ns;
	pk.row.frame = frame;
	pk.row.frame_len = (int32_t)len;
	pk.row.linktype = linktype;
	pk.row.frag_id = -1;

	v = link_decode(n, linktype, frame, &b);
	if (v == 4)
		rc = net_ipv4(n, &pk, b.p + b.pos, (uint32_t)(b.len - b.pos));
	else if (v == 6)
		rc = net_ipv6(n, &pk, b.p + b.pos, (uint32_t)(b.len - b.pos));
	else {
		n->st.non_ip++;
		rc = net_emit_packet(n, &pk.row);
	}
	if (rc < 0 || n->failed)
		return -1;
	/* expire old fragments, streams and calls every second of capture */
	if (n->now_ns >= n->next_sweep_ns) {
		n->next_sweep_ns = n->now_ns + 1000000000ll;
		if (net_frag_sweep(n, false) < 0 ||
		    net_tcp_sweep(n, false) < 0 || net_rpc_sweep(n, false) < 0)
			return -1;
	}
	return 0;
}

int net_finish(struct net *n)
{
	if (n->failed)
		return -1;
	if (net_frag_sweep(n, true) < 0 || net_tcp_sweep(n, true) < 0 ||
	    net_rpc_sweep(n, true) < 0)
		return -1;
	net_rpc_finish_stats(n);
	return 0;
}

void net_ports(const struct net_ip *ip, int32_t *sport, int32_t *dport)
{
	*sport = *dport = -1;
	if ((ip->proto == 6 || ip->proto == 17) && ip->caplen >= 4) {
		*sport = ip->data[0] << 8 | ip->data[1];
		*dport = ip->data[2] << 8 | ip->data[3];
	}
}

int net_deliver(struct net *n, struct net_pkt *pk, struct rp_packet *row,
		const struct net_ip *ip)
{
	struct net_datagram d;

	if (row) {
		net_ports(ip, &row->sport, &row->dport);
		row->datagram_len = (int32_t)ip->len;
	}
	n->st.datagrams++;
	if (ip->proto == 17)
		n->st.datagrams_udp++;
	else if (ip->proto == 6)
		n->st.datagrams_tcp++;
	else
		n->st.datagrams_other++;
	memset(&d, 0, sizeof d);
	d.ts_ns = pk->ts_ns;
	d.frame = pk->frame;
	d.src = ip->src;
	d.dst = ip->dst;
	d.len = ip->len;
	d.hdr_len = ip->hdr_len;
	d.nfrags = ip->nfrags;
	d.proto = ip->proto;
	if (n->sink.datagram && n->sink.datagram(n->sink.arg, &d) < 0) {
		n->failed = 1;
		return -1;
	}
	if (ip->proto == 17)
		return net_udp(n, pk, ip);
	if (ip->proto == 6)
		return net_tcp(n, pk, ip);
	return 0;
}
