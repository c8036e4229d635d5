/*
 * net-frag.c — IP fragment reassembly for IPv4 and IPv6.
 *
 * A queue per (version, src, dst, id, protocol) collects fragments in any
 * order.  Policy, chosen to count what a receiving host would deliver:
 *  - a fragment whose bytes are all present already is a duplicate: it is
 *    counted and its packet row kept, but it adds nothing (also when it comes
 *    after the datagram was completed: completed queues are remembered for a
 *    second of capture time);
 *  - a partial overlap keeps the bytes that came first and counts an overlap;
 *  - a fragment past 64 KiB, or past/short of the end set by the last
 *    fragment, is bad: counted, warned, dropped;
 *  - an incomplete queue older than the time-out (30 s) fails, and so does
 *    the oldest one when all queues together hold more than the memory limit
 *    (4 MiB), as Linux does with ipfrag_high_thresh.
 * The packet rows of a datagram's fragments are held back and written when
 * it completes or fails, so that they carry the ports and the datagram length.
 */
#include "net.h"

#include <stdlib.h>
#include <string.h>

#define FRAG_MAX_PIECES	  256
#define FRAG_DONE_KEEP_NS 1000000000ll

struct piece {
	uint32_t off, len, caplen;
};

struct frag_q {
	struct net_hnode h;
	struct frag_q *prev, *next; /* creation order */
	uint8_t version, proto;
	struct net_addr src, dst;
	uint32_t id;
	int64_t first_ns, last_ns;
	uint8_t *buf;
	uint32_t bufsize;
	struct piece *pieces;
	uint32_t npieces, cap_pieces;
	uint32_t total;
	bool have_last, done;
	int32_t sport, dport;
	struct rp_packet *rows;
	size_t nrows, cap_rows;
};

struct net_frag_state {
	struct net_htab tab;
	struct frag_q *head, *tail;
	size_t mem;
};

int net_frag_init(struct net *n)
{
	n->frag = calloc(1, sizeof *n->frag);
	return n->frag ? 0 : -1;
}

static void q_unlink(struct net_frag_state *fs, struct frag_q *q)
{
	net_htab_remove(&fs->tab, &q->h);
	if (q->prev)
		q->prev->next = q->next;
	else
		fs->head = q->next;
	if (q->next)
		q->next->prev = q->prev;
	else
		fs->tail = q->prev;
}

static void q_release_data(struct net_frag_state *fs, struct frag_q *q)
{
	fs->mem -= q->bufsize + q->cap_rows * sizeof(struct rp_packet);
	free(q->buf);
	free(q->rows);
	q->buf = NULL;
	q->rows = NULL;
	q->bufsize = 0;
	q->nrows = q->cap_rows = 0;
}

static void q_free(struct net_frag_state *fs, struct frag_q *q)
{
	q_unlink(fs, q);
	q_release_data(fs, q);
	free(q->pieces);
	free(q);
}

void net_frag_free(struct net *n)
{
	if (!n->frag)
		return;
	while (n->frag->head)
		q_free(n->frag, n->frag->head);
	net_htab_free(&n->frag->tab);
	free(n->frag);
	n->frag = NULL;
}

static uint64_t key_hash(uint8_t version, const struct net_addr *src,
			 const struct net_addr *dst, uint32_t id, uint8_t proto)
{
	uint64_t h = NET_HASH_INIT;
	h = net_hash_bytes(h, &version, 1);
	h = net_hash_bytes(h, src->a, 16);
	h = net_hash_bytes(h, dst->a, 16);
	h = net_hash_bytes(h, &id, 4);
	return net_hash_bytes(h, &proto, 1);
}

/* Writes the held-back packet rows with what is now known. */
static int flush_rows(struct net *n, struct frag_q *q, int32_t dlen)
{
	for (size_t i = 0; i < q->nrows; i++) {
		q->rows[i].sport = q->sport;
		q->rows[i].dport = q->dport;
		q->rows[i].datagram_len = dlen;
		if (net_emit_packet(n, &q->rows[i]) < 0)
			return -1;
	}
	q->nrows = 0;
	return 0;
}

static int q_fail(struct net *n, struct frag_q *q)
{
	int rc = flush_rows(n, q, 0);
	q_free(n->frag, q);
	return rc;
}

static int hold_row(struct net *n, struct frag_q *q, const struct rp_packet *r)
{
	if (q->nrows == q->cap_rows) {
		size_t c = q->cap_rows ? q->cap_rows * 2 : 8;
		struct rp_packet *x = realloc(q->rows, c * sizeof *x);
		if (!x)
			return -1;
		n->frag->mem += (c - q->cap_rows) * sizeof *x;
		q->rows = x;
		q->cap_rows = c;
	}
	q->rows[q->nrows++] = *r;
	return 0;
}

/* Sorted insert; returns the index. */
static int add_piece(struct frag_q *q, uint32_t off, uint32_t len,
		     uint32_t caplen)
{
	if (q->npieces == q->cap_pieces) {
		uint32_t c = q->cap_pieces ? q->cap_pieces * 2 : 8;
		struct piece *x = realloc(q->pieces, c * sizeof *x);
		if (!x)
			return -1;
		q->pieces = x;
		q->cap_pieces = c;
	}
	uint32_t i = q->npieces;
	while (i > 0 && q->pieces[i - 1].off > off) {
		q->pieces[i] = q->pieces[i - 1];
		i--;
	}
	q->pieces[i] = (struct piece){off, len, caplen};
	q->npieces++;
	return 0;
}

/* Bytes of [off, off+len) not yet covered by a piece. */
static uint32_t uncovered(const struct frag_q *q, uint32_t off, uint32_t len)
{
	uint32_t end = off + len, cur = off, missing = 0;
	for (uint32_t i = 0; i < q->npieces && cur < end; i++) {
		const struct piece *p = &q->pieces[i];
		if (p->off + p->len <= cur)
			continue;
		if (p->off >= end)
			break;
		if (p->off > cur)
			missing += p->off - cur;
		cur = p->off + p->len;
	}
	if (cur < end)
		missing += end - cur;
	return missing;
}

/* Copies the captured bytes of a new piece where no earlier piece wrote. */
static void copy_new(struct frag_q *q, uint32_t off, const uint8_t *data,
		     uint32_t caplen)
{
	uint32_t end = off + caplen, cur = off;
	for (uint32_t i = 0; i < q->npieces && cur < end; i++) {
		const struct piece *p = &q->pieces[i];
		uint32_t pend = p->off + p->caplen;
		if (pend <= cur)
			continue;
		if (p->off >= end)
			break;
		if (p->off > cur)
			memcpy(q->buf + cur, data + (cur - off), p->off - cur);
		cur = pend > cur ? pend : cur;
	}
	if (cur < end)
		memcpy(q->buf + cur, data + (cur - off), end - cur);
}

static bool complete(const struct frag_q *q, uint32_t *capprefix)
{
	uint32_t cur = 0, cap = 0;
	bool capgap = false;
	for (uint32_t i = 0; i < q->npieces; i++) {
		const struct piece *p = &q->pieces[i];
		if (p->off > cur)
			return false;
		if (!capgap && p->off <= cap && p->off + p->caplen > cap)
			cap = p->off + p->caplen;
		if (p->off > cap)
			capgap = true;
		if (p->off + p->len > cur)
			cur = p->off + p->len;
	}
	*capprefix = cap < q->total ? cap : q->total;
	return q->have_last && cur >= q->total;
}

static int evict(struct net *n)
{
	struct net_frag_state *fs = n->frag;
	size_t low = n->cfg.frag_mem_limit / 4 * 3;
	struct frag_q *q = fs->head, *next;
	for (; q && fs->mem > low; q = next) {
		next = q->next;
		if (q->done)
			continue;
		n->st.frag_evicted++;
		if (q_fail(n, q) < 0)
			return -1;
	}
	return 0;
}

int net_frag_add(struct net *n, struct net_pkt *pk, const struct net_ip *hdr,
		 uint32_t id, uint32_t off, uint32_t len, const uint8_t *data,
		 uint32_t caplen, bool more)
{
	struct net_frag_state *fs = n->frag;
	struct frag_q *q = NULL;
	uint64_t h =
	    key_hash(hdr->version, &hdr->src, &hdr->dst, id, hdr->proto);

	n->st.fragments++;
	for (struct net_hnode *e = net_htab_chain(&fs->tab, h); e;
	     e = e->next) {
		struct frag_q *x = (struct frag_q *)e;
		if (e->hash == h && x->id == id && x->proto == hdr->proto &&
		    x->version == hdr->version &&
		    net_addr_eq(&x->src, &hdr->src) &&
		    net_addr_eq(&x->dst, &hdr->dst)) {
			q = x;
			break;
		}
	}
	if (caplen > len)
		caplen = len;
	if (q && q->done) {
		if (uncovered(q, off, len) == 0 &&
		    (!q->have_last || off + len <= q->total)) {
			/* a copy of a fragment of a delivered datagram */
			n->st.frag_duplicates++;
			pk->row.sport = q->sport;
			pk->row.dport = q->dport;
			pk->row.datagram_len = (int32_t)q->total;
			return net_emit_packet(n, &pk->row);
		}
		q_free(fs, q); /* the id was reused */
		q = NULL;
	}
	if ((uint64_t)off + len > 65535 || (more && len == 0)) {
		n->st.frag_bad++;
		net_warn(n, pk->frame,
			 "bad IP fragment (id %u, offset %u, length %u)", id,
			 off, len);
		return net_emit_packet(n, &pk->row);
	}
	if (!q) {
		q = calloc(1, sizeof *q);
		if (!q)
			return -1;
		q->version = hdr->version;
		q->proto = hdr->proto;
		q->src = hdr->src;
		q->dst = hdr->dst;
		q->id = id;
		q->first_ns = pk->ts_ns;
		q->sport = q->dport = -1;
		if (net_htab_insert(&fs->tab, &q->h, h) < 0) {
			free(q);
			return -1;
		}
		q->prev = fs->tail;
		if (fs->tail)
			fs->tail->next = q;
		else
			fs->head = q;
		fs->tail = q;
	}
	q->last_ns = pk->ts_ns;
	if (hold_row(n, q, &pk->row) < 0)
		return -1;
	if ((q->have_last &&
	     (off + len > q->total || (!more && off + len != q->total))) ||
	    (!more && !q->have_last && q->npieces &&
	     q->pieces[q->npieces - 1].off + q->pieces[q->npieces - 1].len >
		 off + len) ||
	    q->npieces >= FRAG_MAX_PIECES) {
		n->st.frag_bad++;
		net_warn(n, pk->frame,
			 "IP fragment beyond the end of its datagram (id %u, "
			 "offset %u, length %u)",
			 id, off, len);
		return 0;
	}
	uint32_t miss = uncovered(q, off, len);
	if (miss == 0) {
		n->st.frag_duplicates++;
		return 0;
	}
	if (miss < len)
		n->st.frag_overlaps++;
	if (off + caplen > q->bufsize) {
		uint32_t sz = off + caplen;
		uint8_t *b = realloc(q->buf, sz);
		if (!b)
			return -1;
		fs->mem += sz - q->bufsize;
		q->buf = b;
		q->bufsize = sz;
	}
	copy_new(q, off, data, caplen);
	if (add_piece(q, off, len, caplen) < 0)
		return -1;
	if (!more) {
		q->have_last = true;
		q->total = off + len;
	}
	uint32_t cap;
	if (complete(q, &cap)) {
		struct net_ip ip = *hdr;
		ip.data = q->buf;
		ip.caplen = cap;
		ip.len = q->total;
		ip.nfrags = q->npieces;
		n->st.frag_datagrams++;
		net_ports(&ip, &q->sport, &q->dport);
		if (net_deliver(n, pk, NULL, &ip) < 0 ||
		    flush_rows(n, q, (int32_t)q->total) < 0)
			return -1;
		q_release_data(fs, q);
		q->done = true;
		return 0;
	}
	if (fs->mem > n->cfg.frag_mem_limit)
		return evict(n);
	return 0;
}

int net_frag_sweep(struct net *n, bool all)
{
	struct net_frag_state *fs = n->frag;
	struct frag_q *q, *next;
	for (q = fs->head; q; q = next) {
		next = q->next;
		if (q->done) {
			if (all || n->now_ns - q->last_ns > FRAG_DONE_KEEP_NS)
				q_free(fs, q);
		} else if (all ||
			   n->now_ns - q->first_ns > n->cfg.frag_timeout_ns) {
			n->st.frag_timeouts++;
			if (q_fail(n, q) < 0)
				return -1;
		}
	}
	return 0;
}
