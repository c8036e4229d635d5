/*
 * net-tcp.c — TCP stream reassembly for RPC over TCP: per direction, segments
 * are put back in sequence order (out-of-order ones are held, retransmitted
 * bytes dropped), and the byte stream is cut into RPC records by record
 * marking (RFC 5531 §11: a 4-byte header, last-fragment bit + length;
 * records may span segments, a segment may hold several records).
 *
 * A stream whose SYN was not captured, or which lost bytes (snaplen, capture
 * drops), is out of sync: it is resynchronised at the next segment that
 * starts with a plausible record mark followed by an RPC header.
 */
#include "net.h"
#include "bytes.h"

#include <stdlib.h>
#include <string.h>

#define REC_KEEP       (64u << 10) /* bytes of a record kept for decoding */
#define REC_MAX	       (16u << 20) /* larger fragments mean lost sync */
#define STREAM_IDLE_NS (300 * 1000000000ll)
#define OOO_MAX_SEGS   256

struct seg {
	struct seg *next;
	uint32_t seq, len, caplen;
	uint8_t data[];
};

struct stream {
	struct net_hnode h;
	struct stream *prev, *next;
	struct net_flow fl;
	int64_t last_ns;
	uint32_t next_seq;
	bool have_seq, synced, rec_hole, last_frag;
	uint8_t mark[4];
	uint32_t nmark, frag_left;
	uint8_t *rec;
	uint32_t rec_len, rec_cap, rec_total;
	struct seg *ooo;
	size_t ooo_bytes, ooo_segs;
};

struct net_tcp_state {
	struct net_htab tab;
	struct stream *head, *tail;
};

int net_tcp_init(struct net *n)
{
	n->tcp = calloc(1, sizeof *n->tcp);
	return n->tcp ? 0 : -1;
}

static void stream_free(struct net_tcp_state *ts, struct stream *s)
{
	net_htab_remove(&ts->tab, &s->h);
	if (s->prev)
		s->prev->next = s->next;
	else
		ts->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		ts->tail = s->prev;
	while (s->ooo) {
		struct seg *g = s->ooo;
		s->ooo = g->next;
		free(g);
	}
	free(s->rec);
	free(s);
}

void net_tcp_free(struct net *n)
{
	if (!n->tcp)
		return;
	while (n->tcp->head)
		stream_free(n->tcp, n->tcp->head);
	net_htab_free(&n->tcp->tab);
	free(n->tcp);
	n->tcp = NULL;
}

int net_tcp_sweep(struct net *n, bool all)
{
	struct stream *s, *next;
	for (s = n->tcp->head; s; s = next) {
		next = s->next;
		if (all || n->now_ns - s->last_ns > STREAM_IDLE_NS)
			stream_free(n->tcp, s);
	}
	return 0;
}

static uint64_t flow_hash(const struct net_flow *fl)
{
	return net_hash_key(&fl->src, &fl->dst,
			    (uint64_t)fl->sport << 16 | fl->dport);
}

static struct stream *stream_get(struct net *n, const struct net_flow *fl)
{
	struct net_tcp_state *ts = n->tcp;
	uint64_t h = flow_hash(fl);
	for (struct net_hnode *e = net_htab_chain(&ts->tab, h); e;
	     e = e->next) {
		struct stream *s = (struct stream *)e;
		if (e->hash == h && s->fl.sport == fl->sport &&
		    s->fl.dport == fl->dport &&
		    net_addr_eq(&s->fl.src, &fl->src) &&
		    net_addr_eq(&s->fl.dst, &fl->dst))
			return s;
	}
	struct stream *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->fl = *fl;
	if (net_htab_insert(&ts->tab, &s->h, h) < 0) {
		free(s);
		return NULL;
	}
	s->prev = ts->tail;
	if (ts->tail)
		ts->tail->next = s;
	else
		ts->head = s;
	ts->tail = s;
	return s;
}

static void rec_reset(struct stream *s)
{
	s->nmark = 0;
	s->frag_left = 0;
	s->last_frag = false;
	s->rec_len = s->rec_total = 0;
	s->rec_hole = false;
}

static void lose_sync(struct net *n, struct stream *s)
{
	if (s->synced)
		n->st.tcp_gaps++;
	s->synced = false;
	rec_reset(s);
}

static int rec_append(struct stream *s, const uint8_t *p, uint32_t k)
{
	s->rec_total += k;
	if (s->rec_hole || s->rec_len >= REC_KEEP)
		return 0;
	if (k > REC_KEEP - s->rec_len)
		k = REC_KEEP - s->rec_len;
	if (s->rec_len + k > s->rec_cap) {
		uint32_t c = s->rec_cap ? s->rec_cap : 512;
		while (c < s->rec_len + k)
			c *= 2;
		uint8_t *x = realloc(s->rec, c);
		if (!x)
			return -1;
		s->rec = x;
		s->rec_cap = c;
	}
	memcpy(s->rec + s->rec_len, p, k);
	s->rec_len += k;
	return 0;
}

static int rec_done(struct net *n, struct stream *s, struct net_pkt *pk)
{
	n->st.tcp_records++;
	struct net_rpc_in in = {&s->fl,	      pk->ts_ns, pk->frame,
				s->rec_total, true,	 false};
	int rc = net_rpc_msg(n, &in, s->rec, s->rec_len);
	rec_reset(s);
	if (rc < 0)
		return -1;
	if (rc == 0) /* not RPC after all */
		lose_sync(n, s);
	return 0;
}

/* Feeds in-order stream bytes: `cap` of them captured, `len - cap` lost. */
static int feed(struct net *n, struct stream *s, struct net_pkt *pk,
		const uint8_t *p, uint32_t cap, uint32_t len)
{
	uint32_t gap = len - cap;

	if (!s->synced) {
		/* resynchronise only at a segment start */
		if (cap < 12)
			return 0;
		uint32_t m = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			     (uint32_t)p[2] << 8 | p[3];
		uint32_t fl = m & 0x7fffffffu;
		if (fl < 8 || fl > REC_MAX ||
		    !net_rpc_plausible(p + 4, cap - 4))
			return 0;
		s->synced = true;
		rec_reset(s);
	}
	while (cap > 0 && s->synced) {
		if (s->nmark < 4) {
			s->mark[s->nmark++] = *p++;
			cap--;
			if (s->nmark < 4)
				continue;
			uint32_t m = (uint32_t)s->mark[0] << 24 |
				     (uint32_t)s->mark[1] << 16 |
				     (uint32_t)s->mark[2] << 8 | s->mark[3];
			s->frag_left = m & 0x7fffffffu;
			s->last_frag = m >> 31;
			if (s->frag_left > REC_MAX ||
			    s->rec_total + s->frag_left > REC_MAX) {
				net_warn(n, pk->frame,
					 "implausible RPC record mark 0x%08x",
					 m);
				lose_sync(n, s);
				return 0;
			}
		} else {
			uint32_t k = cap < s->frag_left ? cap : s->frag_left;
			if (rec_append(s, p, k) < 0)
				return -1;
			p += k;
			cap -= k;
			s->frag_left -= k;
		}
		if (s->nmark == 4 && s->frag_left == 0) {
			s->nmark = 0;
			if (s->last_frag && rec_done(n, s, pk) < 0)
				return -1;
		}
	}
	if (gap && s->synced) {
		/* bytes not captured: the record being read loses its tail */
		if (s->nmark != 4 && s->nmark != 0) {
			lose_sync(n, s);
			return 0;
		}
		if (s->nmark == 4) {
			uint32_t k = gap < s->frag_left ? gap : s->frag_left;
			s->rec_total += k;
			s->rec_hole = true;
			s->frag_left -= k;
			gap -= k;
			if (s->frag_left == 0) {
				s->nmark = 0;
				if (s->last_frag && rec_done(n, s, pk) < 0)
					return -1;
			}
		}
		if (gap)
			lose_sync(n, s);
	}
	return 0;
}

/* Feeds a segment that starts at or before next_seq. */
static int consume(struct net *n, struct stream *s, struct net_pkt *pk,
		   uint32_t seq, const uint8_t *p, uint32_t cap, uint32_t len)
{
	uint32_t skip = s->next_seq - seq;
	if (skip >= len) {
		n->st.tcp_retransmits++;
		return 0;
	}
	if (skip) {
		n->st.tcp_retransmits++;
		len -= skip;
		if (skip >= cap) {
			p += cap;
			cap = 0;
		} else {
			p += skip;
			cap -= skip;
		}
	}
	s->next_seq += len;
	return feed(n, s, pk, p, cap, len);
}

static int drain(struct net *n, struct stream *s, struct net_pkt *pk)
{
	while (s->ooo && (int32_t)(s->ooo->seq - s->next_seq) <= 0) {
		struct seg *g = s->ooo;
		s->ooo = g->next;
		s->ooo_bytes -= g->caplen;
		s->ooo_segs--;
		int rc = consume(n, s, pk, g->seq, g->data, g->caplen, g->len);
		free(g);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int hold(struct net *n, struct stream *s, struct net_pkt *pk,
		uint32_t seq, const uint8_t *p, uint32_t cap, uint32_t len)
{
	struct seg **pp = &s->ooo;
	while (*pp && (int32_t)((*pp)->seq - seq) < 0)
		pp = &(*pp)->next;
	if (*pp && (*pp)->seq == seq && (*pp)->len >= len) {
		n->st.tcp_retransmits++;
		return 0;
	}
	struct seg *g = malloc(sizeof *g + cap);
	if (!g)
		return -1;
	g->seq = seq;
	g->len = len;
	g->caplen = cap;
	memcpy(g->data, p, cap);
	g->next = *pp;
	*pp = g;
	s->ooo_bytes += cap;
	s->ooo_segs++;
	n->st.tcp_out_of_order++;
	if (s->ooo_bytes > n->cfg.tcp_mem_limit || s->ooo_segs > OOO_MAX_SEGS) {
		/* the hole is not going to be filled: skip it */
		uint32_t hole = s->ooo->seq - s->next_seq;
		net_warn(n, pk->frame,
			 "TCP: %u bytes missing before sequence %u, skipped",
			 hole, s->ooo->seq);
		s->next_seq = s->ooo->seq;
		lose_sync(n, s);
		return drain(n, s, pk);
	}
	return 0;
}

int net_tcp(struct net *n, struct net_pkt *pk, const struct net_ip *ip)
{
	struct rp_bytes b = rp_bytes_make(ip->data, ip->caplen);
	struct net_flow fl;

	memset(&fl, 0, sizeof fl);
	fl.sport = rp_bytes_be16(&b);
	fl.dport = rp_bytes_be16(&b);
	uint32_t seq = rp_bytes_be32(&b);
	rp_bytes_skip(&b, 4); /* ack */
	uint8_t doff = rp_bytes_u8(&b);
	uint8_t flags = rp_bytes_u8(&b);
	if (b.err) {
		if (!pk->truncated)
			net_warn(n, pk->frame, "TCP header truncated");
		return 0;
	}
	uint32_t hl = (doff >> 4) * 4u;
	if (hl < 20 || hl > ip->len) {
		net_warn(n, pk->frame, "bad TCP header length %u", hl);
		return 0;
	}
	n->st.tcp_segments++;
	fl.src = ip->src;
	fl.dst = ip->dst;
	fl.proto = 6;
	uint32_t len = ip->len - hl;
	uint32_t cap = ip->caplen > hl ? ip->caplen - hl : 0;
	if (cap > len)
		cap = len;
	const uint8_t *p = ip->data + hl;
	bool syn = flags & 0x02, rst = flags & 0x04;

	if (!len && !syn)
		return 0;
	struct stream *s = stream_get(n, &fl);
	if (!s)
		return -1;
	s->last_ns = pk->ts_ns;
	if (syn) {
		while (s->ooo) {
			struct seg *g = s->ooo;
			s->ooo = g->next;
			free(g);
		}
		s->ooo_bytes = s->ooo_segs = 0;
		s->have_seq = true;
		s->next_seq = seq + 1;
		s->synced = true;
		rec_reset(s);
		seq++;
	}
	if (rst || !len)
		return 0;
	if (!s->have_seq) {
		s->have_seq = true;
		s->next_seq = seq;
	}
	if ((int32_t)(seq - s->next_seq) > 0)
		return hold(n, s, pk, seq, p, cap, len);
	if (consume(n, s, pk, seq, p, cap, len) < 0)
		return -1;
	return drain(n, s, pk);
}
