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
 *
 * When the frames stay readable (cfg.frames_stay), a queue keeps a pointer
 * to each fragment's bytes instead of a copy, for as long as no fragment
 * overlaps another; a complete UDP datagram then goes up as its first
 * fragment, and net_frag_whole() copies the rest in only for the messages
 * that need it.  Memory is counted as if the bytes were copied, so that
 * eviction does not depend on the mode.
 */
#include "net.h"

#include <stdlib.h>
#include <string.h>

#define FRAG_MAX_PIECES	  256
#define FRAG_DONE_KEEP_NS 1000000000ll
#define FRAG_INLINE	  8	/* pieces a queue holds without malloc */
#define FRAG_SPARES	  16	/* row arrays and buffers kept for reuse */
#define FRAG_FREE_QS	  256	/* released queues kept for reuse */
#define FRAG_BUF_MIN	  4096u /* first size of a copy buffer */

struct piece {
	uint32_t off, len, caplen;
	const uint8_t *data; /* by reference: its bytes, in the frame */
};

struct frag_q {
	struct net_hnode h;
	struct frag_q *prev, *next; /* creation order; next: the free list */
	uint8_t version, proto;
	struct net_addr src, dst;
	uint32_t id;
	int64_t first_ns, last_ns;
	uint8_t *buf;	  /* the copied bytes (not by reference) */
	uint32_t bufsize; /* bytes counted: the highest captured one + 1 */
	size_t bufcap;	  /* bytes allocated */
	struct piece *pieces;
	uint32_t npieces, cap_pieces;
	uint32_t total;
	bool have_last, done;
	bool byref; /* pieces point into frames, none overlaps another */
	int32_t sport, dport;
	struct rp_packet *rows;
	size_t nrows, cap_rows; /* cap_rows: counted, as if grown 8, 16.. */
	size_t rows_alloc;	/* rows allocated */
	struct piece inl[FRAG_INLINE];
};

/* Allocations kept for the next queue rather than freed. */
struct spares {
	void *p[FRAG_SPARES];
	size_t cap[FRAG_SPARES];
	int n;
};

struct net_frag_state {
	struct net_htab tab;
	struct frag_q *head, *tail;
	size_t mem;
	struct frag_q *free_qs;
	size_t nfree_qs;
	struct spares rows, bufs;
	uint8_t *whole; /* net_frag_whole's buffer */
	size_t whole_cap;
};

int net_frag_init(struct net *n)
{
	n->frag = calloc(1, sizeof *n->frag);
	return n->frag ? 0 : -1;
}

static void spare_put(struct spares *sp, void *p, size_t cap)
{
	if (!p)
		return;
	if (sp->n == FRAG_SPARES) {
		free(p);
		return;
	}
	sp->p[sp->n] = p;
	sp->cap[sp->n++] = cap;
}

/* Takes a kept allocation (any size), or returns NULL with *cap 0. */
static void *spare_take(struct spares *sp, size_t *cap)
{
	if (!sp->n) {
		*cap = 0;
		return NULL;
	}
	sp->n--;
	*cap = sp->cap[sp->n];
	return sp->p[sp->n];
}

static void spares_free(struct spares *sp)
{
	while (sp->n)
		free(sp->p[--sp->n]);
}

/* Grows *p to at least `need` bytes, doubling from `min`. */
static int grow(void **p, size_t *cap, size_t need, size_t min)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap > min ? *cap : min;
	while (c < need)
		c *= 2;
	void *x = realloc(*p, c);
	if (!x)
		return -1;
	*p = x;
	*cap = c;
	return 0;
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
	spare_put(&fs->bufs, q->buf, q->bufcap);
	spare_put(&fs->rows, q->rows, q->rows_alloc * sizeof *q->rows);
	q->buf = NULL;
	q->rows = NULL;
	q->bufsize = 0;
	q->bufcap = 0;
	q->nrows = q->cap_rows = q->rows_alloc = 0;
}

static void q_free(struct net_frag_state *fs, struct frag_q *q)
{
	q_unlink(fs, q);
	q_release_data(fs, q);
	if (q->pieces != q->inl)
		free(q->pieces);
	if (fs->nfree_qs == FRAG_FREE_QS) {
		free(q);
		return;
	}
	q->next = fs->free_qs;
	fs->free_qs = q;
	fs->nfree_qs++;
}

/* A zeroed queue, from the free list when there is one. */
static struct frag_q *q_alloc(struct net_frag_state *fs)
{
	struct frag_q *q = fs->free_qs;
	if (q) {
		fs->free_qs = q->next;
		fs->nfree_qs--;
	} else if (!(q = malloc(sizeof *q)))
		return NULL;
	memset(q, 0, sizeof *q);
	q->pieces = q->inl;
	q->cap_pieces = FRAG_INLINE;
	return q;
}

void net_frag_free(struct net *n)
{
	struct net_frag_state *fs = n->frag;
	if (!fs)
		return;
	while (fs->head)
		q_free(fs, fs->head);
	while (fs->free_qs) {
		struct frag_q *q = fs->free_qs;
		fs->free_qs = q->next;
		free(q);
	}
	spares_free(&fs->rows);
	spares_free(&fs->bufs);
	free(fs->whole);
	net_htab_free(&fs->tab);
	free(fs);
	n->frag = NULL;
}

static uint64_t key_hash(uint8_t version, const struct net_addr *src,
			 const struct net_addr *dst, uint32_t id, uint8_t proto)
{
	return net_hash_key(
	    src, dst, (uint64_t)id << 16 | (uint64_t)version << 8 | proto);
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
	struct net_frag_state *fs = n->frag;
	if (q->nrows == q->cap_rows) {
		size_t c = q->cap_rows ? q->cap_rows * 2 : 8;
		fs->mem += (c - q->cap_rows) * sizeof *r;
		q->cap_rows = c;
	}
	if (q->nrows == q->rows_alloc) {
		size_t bytes;
		if (!q->rows)
			q->rows = spare_take(&fs->rows, &bytes);
		else
			bytes = q->rows_alloc * sizeof *r;
		if (grow((void **)&q->rows, &bytes, (q->nrows + 1) * sizeof *r,
			 8 * sizeof *r) < 0)
			return -1;
		q->rows_alloc = bytes / sizeof *r;
	}
	q->rows[q->nrows++] = *r;
	return 0;
}

/* Sorted insert. */
static int add_piece(struct frag_q *q, uint32_t off, uint32_t len,
		     uint32_t caplen, const uint8_t *data)
{
	if (q->npieces == q->cap_pieces) {
		uint32_t c = q->cap_pieces * 2;
		struct piece *x = q->pieces == q->inl
				      ? malloc(c * sizeof *x)
				      : realloc(q->pieces, c * sizeof *x);
		if (!x)
			return -1;
		if (q->pieces == q->inl)
			memcpy(x, q->inl, sizeof q->inl);
		q->pieces = x;
		q->cap_pieces = c;
	}
	uint32_t i = q->npieces;
	while (i > 0 && q->pieces[i - 1].off > off) {
		q->pieces[i] = q->pieces[i - 1];
		i--;
	}
	q->pieces[i] = (struct piece){off, len, caplen, data};
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

/* Copies the first `cap` captured bytes of by-reference pieces to dst:
 * they do not overlap, so this is what copy_new would have written. */
static void gather(const struct frag_q *q, uint8_t *dst, uint32_t cap)
{
	for (uint32_t i = 0; i < q->npieces && q->pieces[i].off < cap; i++) {
		const struct piece *p = &q->pieces[i];
		uint32_t k =
		    cap - p->off < p->caplen ? cap - p->off : p->caplen;
		memcpy(dst + p->off, p->data, k);
	}
}

/* Leaves the by-reference mode: an overlap needs copy_new's rules. */
static int to_copies(struct net_frag_state *fs, struct frag_q *q)
{
	q->buf = spare_take(&fs->bufs, &q->bufcap);
	if (grow((void **)&q->buf, &q->bufcap, q->bufsize, FRAG_BUF_MIN) < 0)
		return -1;
	gather(q, q->buf, q->bufsize);
	q->byref = false;
	return 0;
}

/* Stores a new piece's bytes: a pointer, or a copy. */
static int keep_bytes(struct net_frag_state *fs, struct frag_q *q, uint32_t off,
		      const uint8_t *data, uint32_t caplen, uint32_t len)
{
	if (off + caplen > q->bufsize) {
		fs->mem += off + caplen - q->bufsize;
		q->bufsize = off + caplen;
	}
	if (!q->byref) {
		if (!q->buf)
			q->buf = spare_take(&fs->bufs, &q->bufcap);
		if (grow((void **)&q->buf, &q->bufcap, q->bufsize,
			 FRAG_BUF_MIN) < 0)
			return -1;
		copy_new(q, off, data, caplen);
	}
	return add_piece(q, off, len, caplen, q->byref ? data : NULL);
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

/* The first `cap` bytes of a by-reference queue, in one piece. */
static const uint8_t *whole(struct net_frag_state *fs, const struct frag_q *q,
			    uint32_t cap)
{
	if (grow((void **)&fs->whole, &fs->whole_cap, cap ? cap : 1,
		 FRAG_BUF_MIN) < 0)
		return NULL;
	gather(q, fs->whole, cap);
	return fs->whole;
}

const uint8_t *net_frag_whole(struct net *n, const struct net_ip *ip)
{
	if (!ip->frag || ip->wholecap == ip->caplen)
		return ip->data;
	return whole(n->frag, ip->frag, ip->wholecap);
}

/* The payload of a complete datagram as it goes up: UDP decodes from the
 * first piece in place (net_frag_whole for the rest), the others get it
 * whole. */
static int payload(struct net *n, const struct frag_q *q, uint32_t cap,
		   struct net_ip *ip)
{
	ip->data = q->buf;
	ip->caplen = ip->wholecap = cap;
	ip->frag = NULL;
	if (!q->byref)
		return 0;
	const struct piece *p0 = &q->pieces[0]; /* at offset 0: complete */
	if (q->proto == 17 && p0->caplen >= 8) {
		ip->data = p0->data;
		ip->caplen = p0->caplen < cap ? p0->caplen : cap;
		ip->frag = q;
		return 0;
	}
	ip->data = whole(n->frag, q, cap);
	return ip->data ? 0 : -1;
}

static int q_deliver(struct net *n, struct net_pkt *pk, struct frag_q *q,
		     const struct net_ip *hdr, uint32_t cap)
{
	struct net_ip ip = *hdr;
	if (payload(n, q, cap, &ip) < 0)
		return -1;
	ip.len = q->total;
	ip.nfrags = q->npieces;
	n->st.frag_datagrams++;
	net_ports(&ip, &q->sport, &q->dport);
	if (net_deliver(n, pk, NULL, &ip) < 0 ||
	    flush_rows(n, q, (int32_t)q->total) < 0)
		return -1;
	q_release_data(n->frag, q);
	q->done = true;
	return 0;
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

static struct frag_q *q_find(struct net_frag_state *fs,
			     const struct net_ip *hdr, uint32_t id, uint64_t h)
{
	for (struct net_hnode *e = net_htab_chain(&fs->tab, h); e;
	     e = e->next) {
		struct frag_q *x = (struct frag_q *)e;
		if (e->hash == h && x->id == id && x->proto == hdr->proto &&
		    x->version == hdr->version &&
		    net_addr_eq(&x->src, &hdr->src) &&
		    net_addr_eq(&x->dst, &hdr->dst))
			return x;
	}
	return NULL;
}

static struct frag_q *q_new(struct net *n, const struct net_ip *hdr,
			    uint32_t id, uint64_t h, int64_t ts_ns)
{
	struct net_frag_state *fs = n->frag;
	struct frag_q *q = q_alloc(fs);
	if (!q)
		return NULL;
	q->version = hdr->version;
	q->proto = hdr->proto;
	q->src = hdr->src;
	q->dst = hdr->dst;
	q->id = id;
	q->first_ns = ts_ns;
	q->sport = q->dport = -1;
	q->byref = n->cfg.frames_stay;
	if (net_htab_insert(&fs->tab, &q->h, h) < 0) {
		free(q);
		return NULL;
	}
	q->prev = fs->tail;
	if (fs->tail)
		fs->tail->next = q;
	else
		fs->head = q;
	fs->tail = q;
	return q;
}

/* Does a fragment fall outside what the queue's last fragment allows? */
static bool beyond_end(const struct frag_q *q, uint32_t off, uint32_t len,
		       bool more)
{
	const struct piece *last =
	    q->npieces ? &q->pieces[q->npieces - 1] : NULL;
	if (q->npieces >= FRAG_MAX_PIECES)
		return true;
	if (q->have_last)
		return off + len > q->total || (!more && off + len != q->total);
	return !more && last && last->off + last->len > off + len;
}

int net_frag_add(struct net *n, struct net_pkt *pk, const struct net_ip *hdr,
		 uint32_t id, uint32_t off, uint32_t len, const uint8_t *data,
		 uint32_t caplen, bool more)
{
	struct net_frag_state *fs = n->frag;
	uint64_t h =
	    key_hash(hdr->version, &hdr->src, &hdr->dst, id, hdr->proto);

	n->st.fragments++;
	struct frag_q *q = q_find(fs, hdr, id, h);
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
	if (!q && !(q = q_new(n, hdr, id, h, pk->ts_ns)))
		return -1;
	q->last_ns = pk->ts_ns;
	if (hold_row(n, q, &pk->row) < 0)
		return -1;
	if (beyond_end(q, off, len, more)) {
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
	if (miss < len) {
		n->st.frag_overlaps++;
		if (q->byref && to_copies(fs, q) < 0)
			return -1;
	}
	if (keep_bytes(fs, q, off, data, caplen, len) < 0)
		return -1;
	if (!more) {
		q->have_last = true;
		q->total = off + len;
	}
	uint32_t cap;
	if (complete(q, &cap))
		return q_deliver(n, pk, q, hdr, cap);
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
