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

struct net_rpc_state {
	struct net_htab tab;
	struct rpc_call *head, *tail;
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
	free(c);
}

void net_rpc_free(struct net *n)
{
	if (!n->rpc)
		return;
	while (n->rpc->head)
		call_unlink(n->rpc, n->rpc->head);
	net_htab_free(&n->rpc->tab);
	free(n->rpc->lat);
	free(n->rpc);
	n->rpc = NULL;
}

static uint64_t call_hash(uint32_t xid, const struct net_addr *client,
			  uint16_t cport, const struct net_addr *server,
			  uint16_t sport, uint8_t proto)
{
	uint64_t h = NET_HASH_INIT;
	h = net_hash_bytes(h, &xid, 4);
	h = net_hash_bytes(h, client->a, 16);
	h = net_hash_bytes(h, &cport, 2);
	h = net_hash_bytes(h, server->a, 16);
	h = net_hash_bytes(h, &sport, 2);
	return net_hash_bytes(h, &proto, 1);
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

static int on_call(struct net *n, const struct net_flow *fl, int64_t ts_ns,
		   int64_t frame, uint32_t xid, struct rp_bytes *b, bool stream,
		   uint32_t len)
{
	struct net_rpc_state *rs = n->rpc;
	uint32_t rv = rp_bytes_be32(b);
	uint32_t prog = rp_bytes_be32(b);
	uint32_t vers = rp_bytes_be32(b);
	uint32_t proc = rp_bytes_be32(b);
	uint32_t cfl = rp_bytes_be32(b);
	rp_bytes_xdr_skip_opaque(b, RPC_MAX_AUTH);
	uint32_t vfl = rp_bytes_be32(b);
	rp_bytes_xdr_skip_opaque(b, RPC_MAX_AUTH);
	if (b->err || rv != 2 || (cfl > 6 && cfl != 390003) || vfl > 6) {
		if (stream)
			net_warn(n, frame, "malformed RPC call (xid 0x%08x)",
				 xid);
		return 0;
	}
	n->st.rpc_calls++;
	uint64_t h =
	    call_hash(xid, &fl->src, fl->sport, &fl->dst, fl->dport, fl->proto);
	if (call_find(rs, xid, &fl->src, fl->sport, &fl->dst, fl->dport,
		      fl->proto, h)) {
		n->st.rpc_retransmits++;
		return 1;
	}
	struct rpc_call *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	c->xid = xid;
	c->fl = *fl;
	c->call_ns = ts_ns;
	c->frame = frame;
	c->prog = prog;
	c->vers = vers;
	c->proc = proc;
	c->nfs.offset = c->nfs.count = -1;
	if (prog == RPC_PROG_NFS && vers >= 2 && vers <= 4) {
		if (proc < NET_NFS_PROCS)
			n->st.nfs_calls[vers][proc]++;
		if (fl->proto == 6)
			n->st.nfs_tcp++;
		else
			n->st.nfs_udp++;
		if (!net_nfs_call_decode(vers, proc, b->p + b->pos,
					 b->len - b->pos, &c->nfs) &&
		    b->len == len)
			net_warn(n, frame,
				 "malformed NFSv%u %s call arguments (xid "
				 "0x%08x)",
				 vers,
				 net_nfs_proc_name(vers, proc)
				     ? net_nfs_proc_name(vers, proc)
				     : "?",
				 xid);
	} else
		n->st.rpc_other_prog++;
	if (net_htab_insert(&rs->tab, &c->h, h) < 0) {
		free(c->nfs.ops);
		free(c);
		return -1;
	}
	c->prev = rs->tail;
	if (rs->tail)
		rs->tail->next = c;
	else
		rs->head = c;
	rs->tail = c;
	return 1;
}

static int on_reply(struct net *n, const struct net_flow *fl, int64_t ts_ns,
		    int64_t frame, uint32_t xid, struct rp_bytes *b,
		    bool stream, uint32_t len)
{
	struct net_rpc_state *rs = n->rpc;
	uint64_t h =
	    call_hash(xid, &fl->dst, fl->dport, &fl->src, fl->sport, fl->proto);
	struct rpc_call *c = call_find(rs, xid, &fl->dst, fl->dport, &fl->src,
				       fl->sport, fl->proto, h);
	uint32_t rstat = rp_bytes_be32(b);
	if (!c) {
		if (stream && !b->err && rstat <= 1) {
			n->st.rpc_replies++;
			n->st.rpc_orphans++;
			return 1;
		}
		return 0;
	}
	n->st.rpc_replies++;
	n->st.rpc_matched++;
	if (add_latency(rs, ts_ns - c->call_ns) < 0)
		return -1;
	int32_t status = -2; /* RPC-level failure */
	struct net_nfs_reply r = {.status = -2, .count = -1};
	if (rstat == 0) {
		rp_bytes_be32(b); /* verifier flavor */
		rp_bytes_xdr_skip_opaque(b, RPC_MAX_AUTH);
		uint32_t astat = rp_bytes_be32(b);
		if (!b->err && astat == 0 && c->prog == RPC_PROG_NFS) {
			if (!net_nfs_reply_decode(c->vers, c->proc,
						  b->p + b->pos,
						  b->len - b->pos, &r) &&
			    b->len == len)
				net_warn(n, frame,
					 "malformed NFS reply (xid 0x%08x)",
					 xid);
			status = r.status >= 0 ? r.status : -2;
		}
	}
	int rc = 0;
	if (c->prog == RPC_PROG_NFS && c->vers >= 2 && c->vers <= 4)
		rc = emit_nfs(n, c, ts_ns, frame, status, &r);
	call_unlink(rs, c);
	return rc < 0 ? -1 : 1;
}

int net_rpc_msg(struct net *n, const struct net_flow *fl, int64_t ts_ns,
		int64_t frame, const uint8_t *msg, uint32_t caplen,
		uint32_t len, bool stream)
{
	struct rp_bytes b = rp_bytes_make(msg, caplen);
	uint32_t xid = rp_bytes_be32(&b);
	uint32_t mt = rp_bytes_be32(&b);
	if (b.err)
		return 0;
	if (mt == 0)
		return on_call(n, fl, ts_ns, frame, xid, &b, stream, len);
	if (mt == 1)
		return on_reply(n, fl, ts_ns, frame, xid, &b, stream, len);
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
