/*
 * pcap-trace.c — the sink of the packet decoders: writes packet and nfs_op
 * rows into the open trace, keeps the datagrams and NFS data transfers as
 * compact pending events, infers the observed host when none was given, and
 * at the end writes the events in time order and the counters as trace
 * stats.  See pcap-trace.h and docs/pcap.md.
 */
#include "pcap-trace.h"

#include "internal.h"

#include <inttypes.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SHIFT 12

struct pcap_addr_ent {
	struct net_hnode h;
	struct net_addr a;
	uint32_t id;
	uint64_t nfs_calls, rpc_calls, received;
};

/* A pending event: a datagram received by `who`, or NFS data moved
 * between client `who` and server `peer`. */
struct pcap_ev {
	int64_t ts;
	int64_t a; /* net_rx: frame; file_*: fh hash */
	int64_t b; /* net_rx: bytes; file_*: first page */
	int64_t c; /* net_rx: fragments; file_*: pages */
	uint32_t who, peer;
	uint32_t seq;
	uint8_t kind, flags;
};

static struct pcap_addr_ent *addr_find(struct pcap_trace *t,
				       const struct net_addr *a)
{
	/* mostly the two ends of one conversation */
	for (int i = 0; i < 2; i++)
		if (t->recent[i] && net_addr_eq(&t->recent[i]->a, a))
			return t->recent[i];
	uint64_t h = net_hash_bytes(NET_HASH_INIT, a, sizeof *a);
	for (struct net_hnode *e = net_htab_chain(&t->addrs, h); e; e = e->next)
		if (e->hash == h &&
		    net_addr_eq(&((struct pcap_addr_ent *)e)->a, a)) {
			t->recent[1] = t->recent[0];
			t->recent[0] = (struct pcap_addr_ent *)e;
			return t->recent[0];
		}
	return NULL;
}

static struct pcap_addr_ent *addr_get(struct pcap_trace *t,
				      const struct net_addr *a)
{
	struct pcap_addr_ent *found = addr_find(t, a);
	if (found)
		return found;
	uint64_t h = net_hash_bytes(NET_HASH_INIT, a, sizeof *a);
	if (t->naddrs == t->cap_addrs) {
		size_t c = t->cap_addrs ? t->cap_addrs * 2 : 64;
		struct pcap_addr_ent **x = realloc(t->addr_list, c * sizeof *x);
		if (!x)
			return NULL;
		t->addr_list = x;
		t->cap_addrs = c;
	}
	struct pcap_addr_ent *ent = calloc(1, sizeof *ent);
	if (!ent)
		return NULL;
	ent->a = *a;
	ent->id = (uint32_t)t->naddrs;
	if (net_htab_insert(&t->addrs, &ent->h, h) < 0) {
		free(ent);
		return NULL;
	}
	t->addr_list[t->naddrs++] = ent;
	return ent;
}

static struct pcap_ev *ev_new(struct pcap_trace *t)
{
	if (t->nevs == t->cap_evs) {
		size_t c = t->cap_evs ? t->cap_evs * 2 : 4096;
		struct pcap_ev *x = realloc(t->evs, c * sizeof *x);
		if (!x)
			return NULL;
		t->evs = x;
		t->cap_evs = c;
	}
	struct pcap_ev *e = &t->evs[t->nevs];
	e->seq = (uint32_t)t->nevs++;
	return e;
}

static int oom(struct pcap_trace *t)
{
	return rp_error_set(&t->sink_err, "%s: out of memory", t->origin);
}

/* ------------------------------------------------------ the store thread */

/* Packet and nfs_op rows are queued in the order the decoders give them and
 * appended to the store in batches by a thread of its own (as text-import.c
 * does for events): SQLite works on one core while the next frames are read
 * and decoded on the other.  The order of the rows, and so their ids, is
 * that of a single-threaded import. */
#define ROWS_BATCH 4096 /* rows handed over at a time */
#define ROWS_SLOTS 4	/* batches: one being filled, the rest queued */

/* A new address of the packet rows, numbered here (store.c stores it). */
struct row_addr {
	int32_t id;
	uint8_t len;
	uint8_t a[16];
};

/* A queued row: packet rows come packed (the store thread only binds
 * them), each new address before the first packet row that uses it. */
enum row_kind { ROW_PACKET, ROW_ADDR, ROW_NFS, ROW_EVENT };
struct pcap_row {
	union {
		struct rp_packet_row p;
		struct row_addr a;
		struct rp_nfs_op n; /* n.ops: see `text` */
		struct pcap_ev e;   /* streamed ahead (stream_events) */
	} u;
	/* 1 + offset in the batch text of an nfs_op's ops or a packet run's
	 * JSON, or 0 */
	size_t text;
	enum row_kind kind;
};

struct pcap_rows {
	struct pcap_row r[ROWS_BATCH];
	size_t n;
	struct rp_text text; /* the batch's NFSv4 operation lists and runs */
};

struct pcap_store {
	struct rp_trace_writer *w;
	struct pcap_rows slots[ROWS_SLOTS];
	unsigned fill;	      /* the slot the decoders fill */
	struct rp_pipe *pipe; /* NULL: rows are appended in the decoding
				 thread */
	int failed;
	struct rp_error err; /* of the first failed append */
};

/* The stored event of a pending one. */
static void ev_event(const struct pcap_ev *e, struct rp_event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->ts_ns = e->ts;
	ev->kind = e->kind;
	ev->present =
	    RP_HAS(RP_COL_TS) | RP_HAS(RP_COL_KIND) | RP_HAS(RP_COL_COUNT);
	ev->count = e->c;
	if (e->kind == RP_NET_RX) {
		ev->obj = e->a;
		ev->bytes = e->b;
		ev->flags = e->flags;
		ev->present |= RP_HAS(RP_COL_OBJ) | RP_HAS(RP_COL_BYTES) |
			       RP_HAS(RP_COL_FLAGS);
	} else {
		ev->file = e->a;
		ev->offset = e->b;
		ev->present |= RP_HAS(RP_COL_FILE) | RP_HAS(RP_COL_OFFSET);
	}
}

/* Is it an event of host `host` (a datagram it received, or NFS data it
 * moved, as client or server)? */
static bool ev_of(const struct pcap_ev *e, uint32_t host)
{
	return e->kind == RP_NET_RX ? e->who == host
				    : e->who == host || e->peer == host;
}

/* Appends a batch of rows to the store and empties it. */
static int rows_write(struct rp_trace_writer *w, struct pcap_rows *b,
		      struct rp_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < b->n && !rc; i++) {
		const struct pcap_row *r = &b->r[i];
		if (r->kind == ROW_PACKET) {
			struct rp_packet_row p = r->u.p;
			p.run = r->text ? b->text.p + r->text - 1 : NULL;
			rc = rp_trace_add_packet_row(w, &p, err);
		} else if (r->kind == ROW_ADDR) {
			rc = rp_trace_add_packet_addr(w, r->u.a.id, r->u.a.len,
						      r->u.a.a, err);
		} else if (r->kind == ROW_EVENT) {
			struct rp_event ev;
			ev_event(&r->u.e, &ev);
			rc = rp_trace_append(w, &ev, 1, err);
		} else {
			struct rp_nfs_op op = r->u.n;
			op.ops = r->text ? b->text.p + r->text - 1 : NULL;
			rc = rp_trace_add_nfs_op(w, &op, err);
		}
	}
	b->n = 0;
	b->text.len = 0;
	return rc;
}

/* The pipe's consumer (batch-pipe.c). */
static int rows_consume(void *arg, void *batch, struct rp_error *err)
{
	return rows_write(arg, batch, err);
}

/* CPUs this process may run on. */
static int cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return 2;
	return CPU_COUNT(&set);
}

static int store_start(struct pcap_trace *t)
{
	struct pcap_store *s = calloc(1, sizeof *s);
	if (!s)
		return -1;
	s->w = t->w;
	t->store = s;
	t->rows = &s->slots[0];
	if (cpus() >= 2) /* else a thread would only take turns with this one */
		s->pipe = rp_pipe_start(ROWS_SLOTS, rows_consume, s->w);
	return 0;
}

/* Hands the batch being filled over (or appends it, without a thread);
 * -1 with t->sink_err once an append failed. */
static int rows_flush(struct pcap_trace *t)
{
	struct pcap_store *s = t->store;
	if (s->failed)
		return -1;
	if (!s->pipe) {
		if (rows_write(s->w, t->rows, &s->err) < 0)
			goto failed;
		return 0;
	}
	if (!t->rows->n)
		return 0;
	int rc = rp_pipe_put(s->pipe, t->rows, &s->err);
	s->fill = (s->fill + 1) % ROWS_SLOTS;
	t->rows = &s->slots[s->fill];
	/* free again: consumed, or skipped after a failure */
	t->rows->n = 0;
	t->rows->text.len = 0;
	if (rc < 0)
		goto failed;
	return 0;
failed:
	s->failed = 1;
	t->sink_err = s->err;
	return -1;
}

/* Waits for the rows handed over, unless `discard`, and ends the thread;
 * -1 with t->sink_err if an append failed. */
static int store_stop(struct pcap_trace *t, bool discard)
{
	struct pcap_store *s = t->store;
	int rc = 0;
	if (!s)
		return 0;
	if (rp_pipe_stop(s->pipe, discard, &s->err) < 0)
		s->failed = 1;
	if (s->failed && !discard) {
		t->sink_err = s->err;
		rc = -1;
	}
	for (int i = 0; i < ROWS_SLOTS; i++)
		free(s->slots[i].text.p);
	free(s);
	t->store = NULL;
	t->rows = NULL;
	return rc;
}

static struct pcap_row *row_new(struct pcap_trace *t)
{
	if (t->rows->n == ROWS_BATCH && rows_flush(t) < 0)
		return NULL;
	return &t->rows->r[t->rows->n++];
}

#define STREAM_EVERY 4096 /* frames between two looks at the events */
static int stream_events(struct pcap_trace *t);

/* ------------------------------------------------------ sink callbacks */

/* The packet_addr id of an address of the packet rows (len 4 or 16),
 * numbered as it first appears (packet-addr.c) and queued for the store
 * when new; 0 when there is none, -1 on error. */
static int32_t pkt_addr_id(struct pcap_trace *t, const uint8_t *a, int len)
{
	bool added;
	int32_t id = rp_addr_ids_get(&t->pkt_addrs, a, len, &added);
	if (id < 0)
		return oom(t);
	if (!added)
		return id;
	struct pcap_row *r = row_new(t);
	if (!r)
		return -1;
	r->kind = ROW_ADDR;
	r->u.a.id = id;
	r->u.a.len = (uint8_t)len;
	memcpy(r->u.a.a, a, (size_t)len);
	return id;
}

/* Queues the packet rows of the run as one row (packet-run.c). */
static int queue_run(struct pcap_trace *t)
{
	if (!t->nrun)
		return 0;
	struct pcap_row *r = row_new(t);
	if (!r)
		return -1;
	struct pcap_rows *b = t->rows;
	r->kind = ROW_PACKET;
	r->u.p = t->run[t->nrun - 1];
	r->text = 0;
	if (t->nrun > 1) {
		char *json = rp_text_reserve(&b->text, RP_PACKET_RUN_JSON);
		if (!json) {
			b->n--;
			return oom(t);
		}
		r->text = b->text.len + 1;
		b->text.len += rp_packet_run_json(t->run, t->nrun, json) + 1;
		r->u.p.frames = t->nrun;
	}
	t->nrun = 0;
	return 0;
}

static int on_packet(void *arg, const struct rp_packet *p)
{
	struct pcap_trace *t = arg;
	if (t->opt.packet_rows == RP_PCAP_ROWS_NONE ||
	    (t->opt.packet_rows == RP_PCAP_ROWS_FRAGMENTS && p->frag_id < 0))
		return 0;
	t->packets++;
	if (!t->store)
		return 0;
	int32_t sid = 0, did = 0;
	if (p->ip_version &&
	    ((sid = pkt_addr_id(t, p->src_ip, p->addr_len)) < 0 ||
	     (did = pkt_addr_id(t, p->dst_ip, p->addr_len)) < 0))
		return -1;
	struct rp_packet_row row;
	const char *bad = rp_packet_pack(p, sid, did, &row);
	if (bad)
		return rp_error_set(&t->sink_err, "%s: frame %" PRId64 ": %s",
				    t->origin, p->frame, bad);
	if (t->nrun &&
	    (t->nrun == RP_PACKET_RUN_MAX ||
	     !rp_packet_run_joins(&t->run[0], &row)) &&
	    queue_run(t) < 0)
		return -1;
	t->run[t->nrun++] = row;
	return 0;
}

/* Queues an nfs_op row; the strings other than ops are static. */
static int queue_nfs_op(struct pcap_trace *t, const struct rp_nfs_op *op)
{
	struct pcap_row *r = row_new(t);
	if (!r)
		return -1;
	struct pcap_rows *b = t->rows;
	r->kind = ROW_NFS;
	r->u.n = *op;
	r->u.n.ops = NULL;
	r->text = 0;
	if (op->ops) {
		size_t len = strlen(op->ops) + 1;
		char *text = rp_text_reserve(&b->text, len);
		if (!text) {
			b->n--;
			return oom(t);
		}
		memcpy(text, op->ops, len);
		r->text = b->text.len + 1;
		b->text.len += len;
	}
	return 0;
}

static int on_datagram(void *arg, const struct net_datagram *d)
{
	struct pcap_trace *t = arg;
	struct pcap_addr_ent *dst = addr_get(t, &d->dst);
	if (!dst)
		return oom(t);
	dst->received++;
	if (t->have_host && !net_addr_eq(&d->dst, &t->host))
		return 0;
	struct pcap_ev *e = ev_new(t);
	if (!e)
		return oom(t);
	e->ts = d->ts_ns;
	e->kind = RP_NET_RX;
	e->a = d->frame;
	e->b = d->len + d->hdr_len; /* the whole IP datagram, as ip_glue */
	e->c = d->nfrags;
	e->flags = d->proto == 17  ? 0
		   : d->proto == 6 ? RP_FLAG_TCP
				   : RP_FLAG_OTHER_TRANSPORT;
	e->who = dst->id;
	e->peer = 0;
	return 0;
}

static int on_nfs(void *arg, const struct net_nfs *x)
{
	struct pcap_trace *t = arg;
	struct pcap_addr_ent *cl = addr_get(t, &x->client);
	struct pcap_addr_ent *sv = cl ? addr_get(t, &x->server) : NULL;
	if (!sv)
		return oom(t);
	cl->nfs_calls++;
	t->nfs_ops++;
	if (t->store && queue_nfs_op(t, &x->op) < 0)
		return -1;
	if (x->data_bytes <= 0 || x->op.reply_ns < 0)
		return 0;
	struct pcap_ev *e = ev_new(t);
	if (!e)
		return oom(t);
	int64_t first = x->data_off >> PAGE_SHIFT;
	int64_t end =
	    (x->data_off + x->data_bytes + (1 << PAGE_SHIFT) - 1) >> PAGE_SHIFT;
	e->ts = x->op.reply_ns;
	e->kind = x->data == NET_NFS_WRITE ? RP_FILE_WRITE : RP_FILE_READ;
	e->a = x->op.fh_hash;
	e->b = first;
	e->c = end - first;
	e->flags = 0;
	e->who = cl->id;
	e->peer = sv->id;
	return 0;
}

static void emit_warning(struct pcap_trace *t, const char *line)
{
	unsigned max = t->opt.max_warnings ? t->opt.max_warnings : 20;
	t->warnings++;
	if (t->opt.warn && t->warnings <= max)
		t->opt.warn(line, t->opt.warn_arg);
}

static void on_warn(void *arg, int64_t frame, const char *msg)
{
	struct pcap_trace *t = arg;
	char line[768];
	snprintf(line, sizeof line, "%s: frame %" PRId64 ": %s", t->origin,
		 frame, msg);
	emit_warning(t, line);
}

void pcap_trace_warn(struct pcap_trace *t, int64_t frame, const char *msg)
{
	on_warn(t, frame, msg);
}

/* ------------------------------------------------------------- begin */

int pcap_trace_begin(struct pcap_trace *t, struct rp_store *store,
		     const struct rp_trace_meta *meta, const char *origin,
		     const struct rp_pcap_options *opt, int linktype,
		     struct rp_error *err)
{
	memset(t, 0, sizeof *t);
	t->origin = origin;
	t->linktype = linktype;
	if (opt)
		t->opt = *opt;
	if (t->opt.host) {
		if (!net_addr_parse(t->opt.host, &t->host))
			return rp_error_set(err,
					    "--host '%s' is not an IPv4 or "
					    "IPv6 address",
					    t->opt.host);
		t->have_host = true;
	}
	struct net_sink sink = {on_packet, on_datagram, on_nfs, on_warn, t};
	t->net = net_new(NULL, &sink);
	if (!t->net)
		return rp_error_set(err, "%s: out of memory", origin);
	if (store) {
		struct rp_trace_meta m = *meta;
		if (!m.source)
			m.source = "pcap";
		if (!m.origin)
			m.origin = origin;
		if (rp_trace_begin(store, &m, &t->w, err) < 0) {
			net_free(t->net);
			t->net = NULL;
			return -1;
		}
		if (store_start(t) < 0) {
			pcap_trace_abort(t);
			return rp_error_set(err, "%s: out of memory", origin);
		}
		/* events go ahead only to a thread of their own */
		t->streaming = t->store->pipe != NULL;
	}
	return 0;
}

int pcap_trace_frame(struct pcap_trace *t, int64_t ts_ns, int64_t frame,
		     const uint8_t *data, uint32_t caplen, uint32_t len,
		     struct rp_error *err)
{
	if (frame % STREAM_EVERY == 0 && t->store && stream_events(t) < 0) {
		*err = t->sink_err;
		return -1;
	}
	if (net_frame(t->net, t->linktype, ts_ns, frame, data, caplen, len) <
	    0) {
		*err = t->sink_err;
		if (!err->msg[0])
			rp_error_set(err,
				     "%s: frame %" PRId64 ": decoding failed",
				     t->origin, frame);
		return -1;
	}
	return 0;
}

static void release(struct pcap_trace *t)
{
	net_free(t->net);
	t->net = NULL;
	for (size_t i = 0; i < t->naddrs; i++)
		free(t->addr_list[i]);
	free(t->addr_list);
	t->addr_list = NULL;
	t->naddrs = 0;
	t->recent[0] = t->recent[1] = NULL;
	net_htab_free(&t->addrs);
	rp_addr_ids_free(&t->pkt_addrs);
	free(t->evs);
	t->evs = NULL;
}

void pcap_trace_abort(struct pcap_trace *t)
{
	store_stop(t, true);
	if (t->w)
		rp_trace_abort(t->w);
	t->w = NULL;
	release(t);
}

/* --------------------------------------------------------------- end */

/* The address with the most `count` (the first to appear on a tie), or
 * NULL when none has any. */
static const struct pcap_addr_ent *most(const struct pcap_trace *t,
					size_t field)
{
	const struct pcap_addr_ent *best = NULL;
	uint64_t n = 0;
	for (size_t i = 0; i < t->naddrs; i++) {
		uint64_t v;
		memcpy(&v, (const char *)t->addr_list[i] + field, sizeof v);
		if (v > n) {
			best = t->addr_list[i];
			n = v;
		}
	}
	return best;
}

/* The host the address counts point at so far, and how it was chosen:
 * the NFS client with the most calls, else the RPC client with the most,
 * else the address that received the most datagrams. */
static const struct pcap_addr_ent *leading_host(const struct pcap_trace *t,
						const char **how)
{
	const struct pcap_addr_ent *e;
	if ((e = most(t, offsetof(struct pcap_addr_ent, nfs_calls)))) {
		*how = "nfs-client";
	} else if ((e = most(t, offsetof(struct pcap_addr_ent, rpc_calls)))) {
		*how = "rpc-client";
	} else if ((e = most(t, offsetof(struct pcap_addr_ent, received)))) {
		*how = "receiver";
	} else
		*how = "none";
	return e;
}

static const char *infer_host(struct pcap_trace *t, uint32_t *id)
{
	if (t->have_host) {
		struct pcap_addr_ent *e = addr_get(t, &t->host);
		*id = e ? e->id : UINT32_MAX;
		return "option";
	}
	const char *how;
	const struct pcap_addr_ent *best = leading_host(t, &how);
	if (!best) {
		*id = UINT32_MAX;
		return how;
	}
	t->host = best->a;
	t->have_host = true;
	*id = best->id;
	return how;
}

/* Events go to the store thread while the capture is decoded, for the host
 * the counts point at so far, as long as they come in time order (they are
 * sorted by time, then by order of arrival): the store thread then writes
 * them beside the packet rows instead of the decoding thread after the
 * last frame.  The end checks that the host did not change and that the
 * rest follows in order, else it takes them back (pcap_trace_end). */
static int stream_events(struct pcap_trace *t)
{
	const char *how;
	if (!t->streaming)
		return 0;
	/* --host: its entry exists once it has events */
	const struct pcap_addr_ent *h =
	    t->have_host ? addr_find(t, &t->host) : leading_host(t, &how);
	if (!h)
		return 0;
	uint32_t host = h->id;
	if (t->ev_sent && host != t->stream_host) {
		t->streaming = false; /* taken back at the end */
		return 0;
	}
	t->stream_host = host;
	for (; t->ev_streamed < t->nevs; t->ev_streamed++) {
		const struct pcap_ev *e = &t->evs[t->ev_streamed];
		if (!ev_of(e, host))
			continue;
		if (t->ev_sent && e->ts < t->stream_last_ts) {
			t->streaming = false;
			return 0;
		}
		struct pcap_row *r = row_new(t);
		if (!r)
			return -1;
		r->kind = ROW_EVENT;
		r->u.e = *e;
		t->stream_last_ts = e->ts;
		t->ev_sent++;
	}
	return 0;
}

/* Do the streamed events stand as the start of the trace's events, and
 * the rest, t->evs[ev_streamed..] of `host`, follow them in time order? */
static bool stream_holds(const struct pcap_trace *t, uint32_t host)
{
	if (!t->streaming || host != t->stream_host)
		return false;
	int64_t last = t->stream_last_ts;
	for (size_t i = t->ev_streamed; i < t->nevs; i++) {
		const struct pcap_ev *e = &t->evs[i];
		if (!ev_of(e, host))
			continue;
		if (e->ts < last)
			return false;
		last = e->ts;
	}
	return true;
}

static int cmp_ev(const void *x, const void *y)
{
	const struct pcap_ev *a = x, *b = y;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Events come mostly in time order already (they are made at the time of
 * the frame being decoded): sorted only when they are not. */
static void sort_events(struct pcap_trace *t)
{
	for (size_t i = 1; i < t->nevs; i++)
		if (cmp_ev(&t->evs[i - 1], &t->evs[i]) > 0) {
			qsort(t->evs, t->nevs, sizeof *t->evs, cmp_ev);
			return;
		}
}

/* Counts the events of `host` into the summary. */
static void count_events(const struct pcap_trace *t, uint32_t host,
			 struct rp_pcap_summary *sum)
{
	for (size_t i = 0; i < t->nevs; i++) {
		const struct pcap_ev *e = &t->evs[i];
		if (!ev_of(e, host))
			continue;
		sum->events++;
		if (e->kind == RP_NET_RX)
			sum->net_rx++;
		else if (e->kind == RP_FILE_READ)
			sum->file_read++;
		else
			sum->file_write++;
	}
}

/* Writes the events of `host` from t->evs[from..]. */
static int write_events(struct pcap_trace *t, uint32_t host, size_t from,
			struct rp_error *err)
{
	struct rp_event batch[1024];
	size_t nb = 0;
	if (!t->w)
		return 0;
	for (size_t i = from; i < t->nevs; i++) {
		const struct pcap_ev *e = &t->evs[i];
		if (!ev_of(e, host))
			continue;
		ev_event(e, &batch[nb++]);
		if (nb == NET_ARRAY_LEN(batch)) {
			if (rp_trace_append(t->w, batch, nb, err) < 0)
				return -1;
			nb = 0;
		}
	}
	if (nb && rp_trace_append(t->w, batch, nb, err) < 0)
		return -1;
	return 0;
}

/* The trace's events, in time order: the rest after the streamed ones, or
 * all again when the streamed ones do not stand. */
static int finish_events(struct pcap_trace *t, uint32_t host,
			 struct rp_error *err)
{
	size_t from = 0;
	if (t->ev_sent && stream_holds(t, host))
		from = t->ev_streamed;
	else if (t->ev_sent && t->w && rp_trace_rewind_events(t->w, err) < 0)
		return -1;
	if (from == 0)
		sort_events(t);
	return write_events(t, host, from, err);
}

static const char *const version_name[] = {"", "", "NFSv2", "NFSv3", "NFSv4"};

static void fill_summary(struct pcap_trace *t, const struct net_stats *st,
			 struct rp_pcap_summary *s)
{
	s->linktype = t->linktype;
	s->frames = st->frames;
	s->frames_truncated = st->truncated;
	s->malformed = t->warnings;
	unsigned max = t->opt.max_warnings ? t->opt.max_warnings : 20;
	s->warnings_dropped = t->warnings > max ? t->warnings - max : 0;
	s->fragments = st->fragments;
	s->frag_duplicates = st->frag_duplicates;
	s->reassembled = st->frag_datagrams;
	s->reassembly_failures =
	    st->frag_timeouts + st->frag_evicted + st->frag_bad;
	s->datagrams = st->datagrams;
	s->tcp_segments = st->tcp_segments;
	s->tcp_gaps = st->tcp_gaps;
	s->rpc_calls = st->rpc_calls;
	s->rpc_replies = st->rpc_replies;
	s->rpc_unanswered = st->rpc_unanswered;
	s->nfs_ops = t->nfs_ops;
	s->latency_p50_ns = st->latency_p50_ns;
	s->latency_p99_ns = st->latency_p99_ns;
	s->packets = t->packets;
	size_t len = 0;
	s->procs[0] = 0;
	for (int v = 2; v <= 4; v++)
		for (int p = 0; p < NET_NFS_PROCS; p++) {
			if (!st->nfs_calls[v][p])
				continue;
			const char *name =
			    net_nfs_proc_name((uint32_t)v, (uint32_t)p);
			int w = snprintf(s->procs + len, sizeof s->procs - len,
					 "%s%s %s %" PRIu64, len ? ", " : "",
					 version_name[v], name ? name : "?",
					 st->nfs_calls[v][p]);
			if (w > 0 && (size_t)w < sizeof s->procs - len)
				len += (size_t)w;
		}
}

static int stat_u(struct pcap_trace *t, const char *key, uint64_t v,
		  struct rp_error *err)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	return t->w ? rp_trace_set_stat(t->w, key, buf, err) : 0;
}

static int stat_i(struct pcap_trace *t, const char *key, int64_t v,
		  struct rp_error *err)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%" PRId64, v);
	return t->w ? rp_trace_set_stat(t->w, key, buf, err) : 0;
}

static int stat_s(struct pcap_trace *t, const char *key, const char *v,
		  struct rp_error *err)
{
	return t->w ? rp_trace_set_stat(t->w, key, v, err) : 0;
}

static int write_stats(struct pcap_trace *t, const struct net_stats *st,
		       const struct rp_pcap_summary *s, struct rp_error *err)
{
	struct {
		const char *key;
		uint64_t v;
	} u[] = {
	    {"frames", st->frames},
	    {"frame_bytes", st->bytes},
	    {"frames_truncated", st->truncated},
	    {"frames_non_ip", st->non_ip},
	    {"malformed", t->warnings},
	    {"ipv4_packets", st->ip4},
	    {"ipv6_packets", st->ip6},
	    {"ip_fragments", st->fragments},
	    {"frag_duplicates", st->frag_duplicates},
	    {"frag_overlaps", st->frag_overlaps},
	    {"reassembled_datagrams", st->frag_datagrams},
	    {"reassembly_failures", s->reassembly_failures},
	    {"reassembly_timeouts", st->frag_timeouts},
	    {"reassembly_evicted", st->frag_evicted},
	    {"reassembly_bad", st->frag_bad},
	    {"datagrams", st->datagrams},
	    {"datagrams_udp", st->datagrams_udp},
	    {"datagrams_tcp", st->datagrams_tcp},
	    {"datagrams_other", st->datagrams_other},
	    {"tcp_segments", st->tcp_segments},
	    {"tcp_out_of_order", st->tcp_out_of_order},
	    {"tcp_retransmits", st->tcp_retransmits},
	    {"tcp_gaps", st->tcp_gaps},
	    {"rpc_records_tcp", st->tcp_records},
	    {"rpc_calls", st->rpc_calls},
	    {"rpc_replies", st->rpc_replies},
	    {"rpc_matched", st->rpc_matched},
	    {"rpc_unanswered", st->rpc_unanswered},
	    {"rpc_orphan_replies", st->rpc_orphans},
	    {"rpc_retransmits", st->rpc_retransmits},
	    {"nfs_ops", t->nfs_ops},
	    {"nfs_udp_calls", st->nfs_udp},
	    {"nfs_tcp_calls", st->nfs_tcp},
	    {"rpc_latency_n", st->latency_n},
	    {"packets", t->packets},
	    {"events", s->events},
	    {"events_net_rx", s->net_rx},
	    {"events_file_read", s->file_read},
	    {"events_file_write", s->file_write},
	};
	for (size_t i = 0; i < NET_ARRAY_LEN(u); i++)
		if (stat_u(t, u[i].key, u[i].v, err) < 0)
			return -1;
	if (stat_i(t, "linktype", t->linktype, err) < 0 ||
	    stat_i(t, "rpc_latency_p50_ns", st->latency_p50_ns, err) < 0 ||
	    stat_i(t, "rpc_latency_p99_ns", st->latency_p99_ns, err) < 0 ||
	    stat_i(t, "rpc_latency_max_ns", st->latency_max_ns, err) < 0 ||
	    stat_s(t, "host", s->host, err) < 0 ||
	    stat_s(t, "host_source", s->host_source, err) < 0 ||
	    stat_s(t, "nfs_procs", s->procs, err) < 0 ||
	    stat_u(t, "file_truncated", (uint64_t)s->file_truncated, err) < 0)
		return -1;
	for (int v = 2; v <= 4; v++)
		for (int p = 0; p < NET_NFS_PROCS; p++) {
			const char *name =
			    net_nfs_proc_name((uint32_t)v, (uint32_t)p);
			char key[64];
			if (!st->nfs_calls[v][p])
				continue;
			snprintf(key, sizeof key, "nfs.v%d.%s", v,
				 name ? name : "?");
			if (stat_u(t, key, st->nfs_calls[v][p], err) < 0)
				return -1;
		}
	if (s->live &&
	    (stat_u(t, "capture_received", s->cap_received, err) < 0 ||
	     stat_u(t, "capture_dropped", s->cap_dropped, err) < 0 ||
	     stat_u(t, "capture_if_dropped", s->cap_if_dropped, err) < 0))
		return -1;
	return 0;
}

int pcap_trace_end(struct pcap_trace *t, const struct pcap_capture_stats *cap,
		   int file_truncated, int64_t *trace_id,
		   struct rp_pcap_summary *sum, struct rp_error *err)
{
	struct rp_pcap_summary local;
	struct rp_pcap_summary *s = sum ? sum : &local;
	uint32_t host;

	memset(s, 0, sizeof *s);
	if (net_finish(t->net) < 0) {
		*err = t->sink_err;
		goto fail;
	}
	if (t->store &&
	    (queue_run(t) < 0 || stream_events(t) < 0 || rows_flush(t) < 0)) {
		*err = t->sink_err;
		goto fail;
	}
	if (store_stop(t, false) < 0) {
		*err = t->sink_err;
		goto fail;
	}
	const struct net_stats *st = net_get_stats(t->net);
	fill_summary(t, st, s);
	s->file_truncated = file_truncated;
	if (cap) {
		s->live = 1;
		s->cap_received = cap->received;
		s->cap_dropped = cap->dropped;
		s->cap_if_dropped = cap->if_dropped;
	}
	s->host_source = infer_host(t, &host);
	if (t->have_host)
		net_addr_str(&t->host, s->host, sizeof s->host);
	count_events(t, host, s);
	if (finish_events(t, host, err) < 0 || write_stats(t, st, s, err) < 0)
		goto fail;
	if (t->w) {
		if (trace_id)
			*trace_id = rp_trace_id(t->w);
		struct rp_trace_writer *w = t->w;
		t->w = NULL;
		if (rp_trace_finish(w, err) < 0) {
			release(t);
			return -1;
		}
	}
	release(t);
	return 0;
fail:
	pcap_trace_abort(t);
	return -1;
}

void rp_pcap_summary_print(const struct rp_pcap_summary *s, FILE *out)
{
	fprintf(out,
		"pcap: %" PRIu64 " frames (%" PRIu64
		" cut by snaplen), %" PRIu64 " IP fragments (%" PRIu64
		" duplicates), %" PRIu64 " datagrams (%" PRIu64
		" reassembled, %" PRIu64 " reassembly failures)\n",
		s->frames, s->frames_truncated, s->fragments,
		s->frag_duplicates, s->datagrams, s->reassembled,
		s->reassembly_failures);
	fprintf(out,
		"pcap: %" PRIu64 " RPC calls, %" PRIu64 " replies, %" PRIu64
		" unanswered; latency p50 %.3f ms, p99 %.3f ms\n",
		s->rpc_calls, s->rpc_replies, s->rpc_unanswered,
		s->latency_p50_ns < 0 ? 0.0 : (double)s->latency_p50_ns / 1e6,
		s->latency_p99_ns < 0 ? 0.0 : (double)s->latency_p99_ns / 1e6);
	if (s->procs[0])
		fprintf(out, "pcap: NFS calls: %s\n", s->procs);
	fprintf(out,
		"pcap: host %s (%s): %" PRIu64 " events (%" PRIu64
		" net_rx, %" PRIu64 " file_read, %" PRIu64
		" file_write), %" PRIu64 " packet rows, %" PRIu64
		" nfs_op rows\n",
		s->host[0] ? s->host : "-",
		s->host_source ? s->host_source : "-", s->events, s->net_rx,
		s->file_read, s->file_write, s->packets, s->nfs_ops);
	if (s->live)
		fprintf(out,
			"pcap: capture: %" PRIu64 " received, %" PRIu64
			" dropped by the kernel, %" PRIu64
			" dropped by the interface\n",
			s->cap_received, s->cap_dropped, s->cap_if_dropped);
	if (s->malformed)
		fprintf(
		    out, "pcap: %" PRIu64 " malformed frames%s\n", s->malformed,
		    s->warnings_dropped ? " (only the first were shown)" : "");
	if (s->file_truncated)
		fprintf(out, "pcap: the capture file is truncated\n");
}
