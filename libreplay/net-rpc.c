/*
 * net-rpc.c — ONC RPC (RFC 5531): recognises calls and replies in UDP
 * payloads and TCP records on any port, matches replies to calls by xid and
 * the two endpoints, measures the service time, and turns NFS calls into
 * net_nfs operations (arguments and results decoded by net-nfs.c).
 */
#include "net.h"
#include "bytes.h"

#include <stdlib.h>
#include <string.h>

#define RPC_PROG_NFS 100003u
#define RPC_MAX_AUTH 400u

struct rpc_call {
	struct net_hnode h;
	struct rpc_call *prev, *next; /* age order */
	uint32_t xid;
	struct net_flow fl; /* client -> server */
	int64_t call_ns, frame;
	uint32_t prog, vers, proc;
	struct net_nfs_call nfs;
};

#define RPC_FREE_CALLS 256 /* answered calls kept for reuse */

struct net_rpc_state {
	struct net_htab tab;
	struct rpc_call *head, *tail;
	struct rpc_call *free_calls; /* chained by next */
	size_t nfree_calls;
	int64_t *lat;
	size_t nlat, caplat;
};

int net_rpc_init(struct net *n)
{
	n->rpc = calloc(1, sizeof *n->rpc);
	return n->rpc ? 0 : -1;
}

static void call_unlink(struct net_rpc_state *rs, struct rpc_call *c)
{
	net_htab_remove(&rs->tab, &c->h);
	if (c->prev)
		c->prev->next = c->next;
	else
		rs->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		rs->tail = c->prev;
	free(c->nfs.ops);
	if (rs->nfree_calls == RPC_FREE_CALLS) {
		free(c);
		return;
	}
	c->next = rs->free_calls;
	rs->free_calls = c;
	rs->nfree_calls++;
}

void net_rpc_free(struct net *n)
{
	if (!n->rpc)
		return;
	while (n->rpc->head)
		call_unlink(n->rpc, n->rpc->head);
	while (n->rpc->free_calls) {
		struct rpc_call *c = n->rpc->free_calls;
		n->rpc->free_calls = c->next;
		free(c);
	}
	net_htab_free(&n->rpc->tab);
	free(n->rpc->lat);
	free(n->rpc);
	n->rpc = NULL;
}

static uint64_t call_hash(uint32_t xid, const struct net_addr *client,
			  uint16_t cport, const struct net_addr *server,
			  uint16_t sport, uint8_t proto)
{
	return net_hash_key(client, server,
			    (uint64_t)xid << 32 | (uint64_t)cport << 16 |
				(uint64_t)(sport ^ proto));
}

static struct rpc_call *call_find(struct net_rpc_state *rs, uint32_t xid,
				  const struct net_addr *client, uint16_t cport,
				  const struct net_addr *server, uint16_t sport,
				  uint8_t proto, uint64_t h)
{
	for (struct net_hnode *e = net_htab_chain(&rs->tab, h); e;
	     e = e->next) {
		struct rpc_call *c = (struct rpc_call *)e;
		if (e->hash == h && c->xid == xid && c->fl.proto == proto &&
		    c->fl.sport == cport && c->fl.dport == sport &&
		    net_addr_eq(&c->fl.src, client) &&
		    net_addr_eq(&c->fl.dst, server))
			return c;
	}
	return NULL;
}

bool net_rpc_plausible(const uint8_t *msg, size_t caplen)
{
	struct rp_bytes b = rp_bytes_make(msg, caplen);
	rp_bytes_skip(&b, 4);
	uint32_t mt = rp_bytes_be32(&b);
	if (mt == 0) {
		uint32_t rv = rp_bytes_be32(&b);
		rp_bytes_skip(&b, 12);
		uint32_t fl = rp_bytes_be32(&b);
		uint32_t len = rp_bytes_be32(&b);
		return !b.err && rv == 2 && fl <= 6 && len <= RPC_MAX_AUTH;
	}
	if (mt == 1) {
		uint32_t rs = rp_bytes_be32(&b);
		if (rs == 1)
			return !b.err;
		uint32_t fl = rp_bytes_be32(&b);
		uint32_t len = rp_bytes_be32(&b);
		return !b.err && rs == 0 && fl <= 6 && len <= RPC_MAX_AUTH;
	}
	return false;
}

static int emit_nfs(struct net *n, struct rpc_call *c, int64_t reply_ns,
		    int64_t frame, int32_t status,
		    const struct net_nfs_reply *r)
{
	struct net_nfs x;
	memset(&x, 0, sizeof x);
	x.op.xid = c->xid;
	x.op.version = (int32_t)c->vers;
	x.op.proc = (int32_t)c->proc;
	x.op.proc_name = net_nfs_proc_name(c->vers, c->proc);
	x.op.fh_hash = c->nfs.fh_hash;
	x.op.offset = c->nfs.offset;
	x.op.count = c->nfs.count;
	x.op.call_ns = c->call_ns;
	x.op.reply_ns = reply_ns;
	x.op.status = status;
	x.op.transport = c->fl.proto == 6 ? "tcp" : "udp";
	x.op.ops = c->nfs.ops;
	x.client = c->fl.src;
	x.server = c->fl.dst;
	x.frame = frame;
	x.data_off = c->nfs.offset;
	x.data_bytes = -1;
	x.data = c->nfs.data;
	/* data moved: READ/WRITE (or a v4 COMPOUND with one) that succeeded */
	if (status == 0 && c->nfs.data != NET_NFS_NONE && c->nfs.offset >= 0 &&
	    c->nfs.count >= 0)
		x.data_bytes = r && r->count >= 0 ? r->count : c->nfs.count;
	if (n->sink.nfs && n->sink.nfs(n->sink.arg, &x) < 0) {
		n->failed = 1;
		return -1;
	}
	return 0;
}

static int add_latency(struct net_rpc_state *rs, int64_t d)
{
	if (rs->nlat == rs->caplat) {
		size_t c = rs->caplat ? rs->caplat * 2 : 1024;
		int64_t *x = realloc(rs->lat, c * sizeof *x);
		if (!x)
			return -1;
		rs->lat = x;
		rs->caplat = c;
	}
	rs->lat[rs->nlat++] = d;
	return 0;
}

/* The message was cut short of what was captured: decode it whole. */
static bool again(const struct net_rpc_in *in, bool cut)
{
	return cut && in->more;
}

static bool is_nfs(uint32_t prog, uint32_t vers)
{
	return prog == RPC_PROG_NFS && vers >= 2 && vers <= 4;
}

/* Stores a new call (its NFS arguments are taken over). */
static int call_add(struct net *n, const struct rpc_call *tmpl, uint64_t h)
{
	struct net_rpc_state *rs = n->rpc;
	struct rpc_call *c = rs->free_calls;
	if (c) {
		rs->free_calls = c->next;
		rs->nfree_calls--;
	} else if (!(c = malloc(sizeof *c)))
		return -1;
	*c = *tmpl;
	if (net_htab_insert(&rs->tab, &c->h, h) < 0) {
		free(c->nfs.ops);
		free(c);
		return -1;
	}
	c->next = NULL;
	c->prev = rs->tail;
	if (rs->tail)
		rs->tail->next = c;
	else
		rs->head = c;
	rs->tail = c;
	return 0;
}

static void warn_call(struct net *n, const struct rpc_call *c)
{
	const char *name = net_nfs_proc_name(c->vers, c->proc);
	net_warn(n, c->frame, "malformed NFSv%u %s call arguments (xid 0x%08x)",
		 c->vers, name ? name : "?", c->xid);
}

/* Counts and stores a call whose decoding is settled. */
static int call_commit(struct net *n, const struct net_flow *fl,
		       const struct rpc_call *c, bool bad, uint64_t h)
{
	n->st.rpc_calls++;
	if (is_nfs(c->prog, c->vers)) {
		if (c->proc < NET_NFS_PROCS)
			n->st.nfs_calls[c->vers][c->proc]++;
		if (fl->proto == 6)
			n->st.nfs_tcp++;
		else
			n->st.nfs_udp++;
		if (bad)
			warn_call(n, c);
	} else
		n->st.rpc_other_prog++;
	return call_add(n, c, h) < 0 ? -1 : 1;
}

/* Decodes first and changes nothing until the bytes are known to suffice
 * (NET_RPC_AGAIN). */
static int on_call(struct net *n, const struct net_rpc_in *in, uint32_t xid,
		   struct rp_bytes *b)
{
	const struct net_flow *fl = in->fl;
	struct rpc_call c = {.xid = xid, .fl = *fl, .frame = in->frame};
	c.call_ns = in->ts_ns;
	uint32_t rv = rp_bytes_be32(b);
	c.prog = rp_bytes_be32(b);
	c.vers = rp_bytes_be32(b);
	c.proc = rp_bytes_be32(b);
	uint32_t cfl = rp_bytes_be32(b);
	rp_bytes_xdr_skip_opaque(b, RPC_MAX_AUTH);
	uint32_t vfl = rp_bytes_be32(b);
	rp_bytes_xdr_skip_opaque(b, RPC_MAX_AUTH);
	if (again(in, b->err))
		return NET_RPC_AGAIN;
	if (b->err || rv != 2 || (cfl > 6 && cfl != 390003) || vfl > 6) {
		if (in->stream)
			net_warn(n, in->frame,
				 "malformed RPC call (xid 0x%08x)", xid);
		return 0;
	}
	uint64_t h =
	    call_hash(xid, &fl->src, fl->sport, &fl->dst, fl->dport, fl->proto);
	if (call_find(n->rpc, xid, &fl->src, fl->sport, &fl->dst, fl->dport,
		      fl->proto, h)) {
		n->st.rpc_calls++;
		n->st.rpc_retransmits++;
		return 1;
	}
	c.nfs.offset = c.nfs.count = -1;
	bool bad = false;
	if (is_nfs(c.prog, c.vers)) {
		bool ok = net_nfs_call_decode(c.vers, c.proc, b->p + b->pos,
					      b->len - b->pos, &c.nfs);
		if (again(in, !ok || c.nfs.cut)) {
			free(c.nfs.ops);
			return NET_RPC_AGAIN;
		}
		bad = !ok && b->len == in->len;
	}
	return call_commit(n, fl, &c, bad, h);
}

/* The NFS result of an accepted reply; NET_RPC_AGAIN if cut short. */
static int reply_result(const struct net_rpc_in *in, const struct rpc_call *c,
			struct rp_bytes *b, struct net_nfs_reply *r, bool *bad)
{
	rp_bytes_be32(b); /* verifier flavor */
	rp_bytes_xdr_skip_opaque(b, RPC_MAX_AUTH);
	uint32_t astat = rp_bytes_be32(b);
	if (again(in, b->err))
		return NET_RPC_AGAIN;
	if (b->err || astat != 0 || c->prog != RPC_PROG_NFS)
		return 0;
	bool ok = net_nfs_reply_decode(c->vers, c->proc, b->p + b->pos,
				       b->len - b->pos, r);
	if (again(in, !ok || r->cut))
		return NET_RPC_AGAIN;
	*bad = !ok && b->len == in->len;
	return 1;
}

static int on_reply(struct net *n, const struct net_rpc_in *in, uint32_t xid,
		    struct rp_bytes *b)
{
	struct net_rpc_state *rs = n->rpc;
	const struct net_flow *fl = in->fl;
	uint64_t h =
	    call_hash(xid, &fl->dst, fl->dport, &fl->src, fl->sport, fl->proto);
	struct rpc_call *c = call_find(rs, xid, &fl->dst, fl->dport, &fl->src,
				       fl->sport, fl->proto, h);
	uint32_t rstat = rp_bytes_be32(b);
	if (again(in, b->err))
		return NET_RPC_AGAIN;
	if (!c) {
		if (in->stream && !b->err && rstat <= 1) {
			n->st.rpc_replies++;
			n->st.rpc_orphans++;
			return 1;
		}
		return 0;
	}
	int32_t status = -2; /* RPC-level failure */
	struct net_nfs_reply r = {.status = -2, .count = -1};
	bool bad = false;
	if (rstat == 0) {
		int rc = reply_result(in, c, b, &r, &bad);
		if (rc == NET_RPC_AGAIN)
			return rc;
		if (rc == 1)
			status = r.status >= 0 ? r.status : -2;
	}
	n->st.rpc_replies++;
	n->st.rpc_matched++;
	if (add_latency(rs, in->ts_ns - c->call_ns) < 0)
		return -1;
	if (bad)
		net_warn(n, in->frame, "malformed NFS reply (xid 0x%08x)", xid);
	int rc = 0;
	if (is_nfs(c->prog, c->vers))
		rc = emit_nfs(n, c, in->ts_ns, in->frame, status, &r);
	call_unlink(rs, c);
	return rc < 0 ? -1 : 1;
}

int net_rpc_msg(struct net *n, const struct net_rpc_in *in, const uint8_t *msg,
		uint32_t caplen)
{
	struct rp_bytes b = rp_bytes_make(msg, caplen);
	uint32_t xid = rp_bytes_be32(&b);
	uint32_t mt = rp_bytes_be32(&b);
	if (again(in, b.err))
		return NET_RPC_AGAIN;
	if (b.err)
		return 0;
	if (mt == 0)
		return on_call(n, in, xid, &b);
	if (mt == 1)
		return on_reply(n, in, xid, &b);
	return 0;
}

int net_rpc_sweep(struct net *n, bool all)
{
	struct net_rpc_state *rs = n->rpc;
	while (rs->head &&
	       (all || n->now_ns - rs->head->call_ns > n->cfg.rpc_timeout_ns)) {
		struct rpc_call *c = rs->head;
		n->st.rpc_unanswered++;
		if (c->prog == RPC_PROG_NFS && c->vers >= 2 && c->vers <= 4 &&
		    emit_nfs(n, c, -1, c->frame, -1, NULL) < 0)
			return -1;
		call_unlink(rs, c);
	}
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

void net_rpc_finish_stats(struct net *n)
{
	struct net_rpc_state *rs = n->rpc;
	n->st.latency_n = rs->nlat;
	if (!rs->nlat)
		return;
	qsort(rs->lat, rs->nlat, sizeof *rs->lat, cmp_i64);
	/* nearest rank */
	size_t i50 = (rs->nlat * 50 + 99) / 100,
	       i99 = (rs->nlat * 99 + 99) / 100;
	n->st.latency_p50_ns = rs->lat[i50 ? i50 - 1 : 0];
	n->st.latency_p99_ns = rs->lat[i99 ? i99 - 1 : 0];
	n->st.latency_max_ns = rs->lat[rs->nlat - 1];
}
