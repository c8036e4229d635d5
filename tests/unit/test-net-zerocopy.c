/*
 * test-net-zerocopy.c — fragments kept by reference (cfg.frames_stay,
 * net-frag.c) give what copying them gives.  NFSv3 READ replies and WRITE
 * calls, an NFSv4 COMPOUND WRITE and a few others go over UDP (and one over
 * TCP) in IPv4 fragments: in order, out of order, duplicated, overlapping,
 * with a first fragment so short that the RPC header spans fragments, cut
 * by the snap length.  Each scenario is fed to a copying decoder (from one
 * buffer overwritten after every frame, as libpcap reuses its buffer) and
 * to a by-reference one, and all that comes out (packet rows, datagrams,
 * NFS operations, warnings, counters) is compared as text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "net.h"
#include "net-build.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------- what came out */

#define LOG_SIZE (1 << 17)

static struct out {
	char log[LOG_SIZE];
	size_t len;
	int nfs;
	uint64_t evicted;
} outs[2], *out;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(out->log + out->len, LOG_SIZE - out->len, fmt, ap);
	va_end(ap);
	assert_true(w > 0 && (size_t)w < LOG_SIZE - out->len);
	out->len += (size_t)w;
}

static void hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		logf_("%02x", p[i]);
	logf_(" ");
}

static int on_packet(void *a, const struct rp_packet *p)
{
	(void)a;
	logf_("P %" PRId64 " %" PRId64 " %d %d %d %d %d>%d %" PRId64
	      " %d %d %d ",
	      p->ts_ns, p->frame, p->frame_len, p->linktype, p->ip_version,
	      p->protocol, p->sport, p->dport, p->frag_id, p->frag_offset,
	      p->more_frags, p->datagram_len);
	hex(p->src_ip, (size_t)p->addr_len);
	hex(p->dst_ip, (size_t)p->addr_len);
	logf_("\n");
	return 0;
}

static int on_datagram(void *a, const struct net_datagram *d)
{
	(void)a;
	logf_("D %" PRId64 " %" PRId64 " %u %u %u %u\n", d->ts_ns, d->frame,
	      d->len, d->hdr_len, d->nfrags, d->proto);
	return 0;
}

static int on_nfs(void *a, const struct net_nfs *n)
{
	(void)a;
	const struct rp_nfs_op *o = &n->op;
	logf_("N %" PRId64 " %d %d %s %" PRId64 " %" PRId64 " %" PRId64
	      " %" PRId64 " %" PRId64 " %d %s [%s] %" PRId64 " %" PRId64
	      " %" PRId64 " %d\n",
	      (int64_t)o->xid, o->version, o->proc,
	      o->proc_name ? o->proc_name : "-", o->fh_hash, o->offset,
	      o->count, o->call_ns, o->reply_ns, o->status, o->transport,
	      o->ops ? o->ops : "", n->frame, n->data_off, n->data_bytes,
	      n->data);
	out->nfs++;
	return 0;
}

static void on_warn(void *a, int64_t f, const char *m)
{
	(void)a;
	logf_("W %" PRId64 " %s\n", f, m);
}

/* ------------------------------------------------------------ messages */

/* A UDP datagram (header + RPC message) between 10.0.0.1:768 (client) and
 * 10.0.0.2:2049, or a TCP segment carrying one RPC record. */
struct msg {
	uint8_t b[12000];
	size_t len;
	int c2s;
	uint8_t proto;
	uint16_t id;
};

static struct msg msgs[8];

static size_t fh3(uint8_t *p)
{
	put32(p, 8);
	memcpy(p + 4, "FHFHFHFH", 8);
	return 12;
}

/* Wraps the RPC message in rpc[0..len) into message m. */
static struct msg *wrap(int m, int c2s, uint16_t id, const uint8_t *rpc,
			size_t len)
{
	struct msg *x = &msgs[m];
	memcpy(x->b + udp_hdr(x->b, c2s, len), rpc, len);
	x->len = len + 8;
	x->c2s = c2s;
	x->proto = 17;
	x->id = id;
	return x;
}

static uint8_t rpc[12000];

static void read3_call(int m, uint32_t xid, uint32_t count)
{
	size_t n = rpc_call_hdr(rpc, xid, 3, 6, 1);
	n += fh3(rpc + n);
	n += put32(rpc + n, 0);
	n += put32(rpc + n, 65536);
	n += put32(rpc + n, count);
	wrap(m, 1, (uint16_t)(100 + m), rpc, n);
}

static void read3_reply(int m, uint32_t xid, uint32_t count)
{
	size_t n = rpc_reply_hdr(rpc, xid);
	n += put32(rpc + n, 0); /* NFS3_OK */
	n += put32(rpc + n, 0); /* no attributes */
	n += put32(rpc + n, count);
	n += put32(rpc + n, 0); /* eof */
	n += put32(rpc + n, count);
	memset(rpc + n, 0xab, count);
	wrap(m, 0, (uint16_t)(100 + m), rpc, n + count);
}

static void write3_call(int m, uint32_t xid, uint32_t count)
{
	size_t n = rpc_call_hdr(rpc, xid, 3, 7, 1);
	n += fh3(rpc + n);
	n += put32(rpc + n, 1);
	n += put32(rpc + n, 8192); /* offset 4 GiB + 8 KiB */
	n += put32(rpc + n, count);
	n += put32(rpc + n, 2); /* FILE_SYNC */
	n += put32(rpc + n, count);
	memset(rpc + n, 0xcd, count);
	wrap(m, 1, (uint16_t)(100 + m), rpc, n + count);
}

static void write3_reply(int m, uint32_t xid, uint32_t count)
{
	size_t n = rpc_reply_hdr(rpc, xid);
	n += put32(rpc + n, 0); /* NFS3_OK */
	n += put32(rpc + n, 0); /* no pre-op attributes */
	n += put32(rpc + n, 0); /* no post-op attributes */
	n += put32(rpc + n, count);
	n += put32(rpc + n, 2);
	memset(rpc + n, 7, 8);
	wrap(m, 0, (uint16_t)(100 + m), rpc, n + 8);
}

/* COMPOUND { PUTFH, WRITE count bytes, GETATTR }: the op list needs the
 * whole datagram (the WRITE data is skipped to reach GETATTR). */
static void write4_call(int m, uint32_t xid, uint32_t count)
{
	size_t n = rpc_call_hdr(rpc, xid, 4, 1, 1);
	n += put32(rpc + n, 0); /* tag */
	n += put32(rpc + n, 0); /* minor version */
	n += put32(rpc + n, 3);
	n += put32(rpc + n, 22);
	n += fh3(rpc + n);
	n += put32(rpc + n, 38);
	memset(rpc + n, 0, 16);
	n += 16;
	n += put32(rpc + n, 0);
	n += put32(rpc + n, 4096);
	n += put32(rpc + n, 0);
	n += put32(rpc + n, count);
	memset(rpc + n, 0xef, count);
	n += count;
	n += put32(rpc + n, 9);
	n += put32(rpc + n, 1);
	n += put32(rpc + n, 0x18);
	wrap(m, 1, (uint16_t)(100 + m), rpc, n);
}

static void compound4_reply(int m, uint32_t xid)
{
	size_t n = rpc_reply_hdr(rpc, xid);
	n += put32(rpc + n, 0);
	wrap(m, 0, (uint16_t)(100 + m), rpc, n);
}

/* A READ call whose arguments end inside the file handle: malformed even
 * when all of it is there. */
static void read3_call_malformed(int m, uint32_t xid)
{
	size_t n = rpc_call_hdr(rpc, xid, 3, 6, 1);
	n += put32(rpc + n, 64);
	memset(rpc + n, 1, 40);
	wrap(m, 1, (uint16_t)(100 + m), rpc, n + 40);
}

/* The same call in a TCP segment (one record) rather than UDP. */
static void read3_call_tcp(int m, uint32_t xid)
{
	size_t n = rpc_call_hdr(rpc, xid, 3, 6, 1);
	n += fh3(rpc + n);
	n += put32(rpc + n, 0);
	n += put32(rpc + n, 0);
	n += put32(rpc + n, 4096);
	memset(rpc + n, 0, 1600); /* padding to need three fragments */
	n += 1600;
	struct msg *x = &msgs[m];
	memset(x->b, 0, 20);
	x->b[0] = 3;
	x->b[2] = 8;
	x->b[3] = 1;
	put32(x->b + 4, 1000);
	x->b[12] = 5 << 4;
	x->b[13] = 0x18; /* PSH ACK */
	put32(x->b + 20, 0x80000000u | (uint32_t)n);
	memcpy(x->b + 24, rpc, n);
	x->len = 24 + n;
	x->c2s = 1;
	x->proto = 6;
	x->id = (uint16_t)(100 + m);
}

/* ------------------------------------------------------------- frames */

#define FULL  UINT32_MAX
#define WHOLE 0 /* as len: the message unfragmented */

/* One frame: bytes [off, off+len) of message `m` as an IPv4 fragment,
 * `cap` of them captured. */
struct step {
	int m;
	uint32_t off, len, cap;
};

#define MAX_FRAMES 48
static uint8_t frames[MAX_FRAMES][4096];
static uint32_t caplens[MAX_FRAMES], lens[MAX_FRAMES];

static void build(int i, const struct step *s)
{
	const struct msg *x = &msgs[s->m];
	uint32_t len = s->len == WHOLE ? (uint32_t)x->len : s->len;
	uint8_t *b = frames[i];
	int more = s->off + len < x->len;
	uint16_t fo = (uint16_t)(s->off / 8) | (more ? 0x2000 : 0);
	assert_true(s->off % 8 == 0 && s->off + len <= x->len && len <= 4000);
	memset(b, 0, 20);
	b[0] = 0x45;
	b[2] = (uint8_t)((20 + len) >> 8);
	b[3] = (uint8_t)(20 + len);
	b[4] = (uint8_t)(x->id >> 8);
	b[5] = (uint8_t)x->id;
	b[6] = (uint8_t)(fo >> 8);
	b[7] = (uint8_t)fo;
	b[8] = 64;
	b[9] = x->proto;
	uint8_t cl[4] = {10, 0, 0, 1}, sv[4] = {10, 0, 0, 2};
	memcpy(b + 12, x->c2s ? cl : sv, 4);
	memcpy(b + 16, x->c2s ? sv : cl, 4);
	memcpy(b + 20, x->b + s->off, len);
	lens[i] = 20 + len;
	caplens[i] = 20 + (s->cap < len ? s->cap : len);
}

static uint8_t reused[4096];

/* Feeds the frames to one decoder; the copying one reads each from a
 * buffer that is overwritten right after. */
static void run(struct out *o, bool byref, const struct net_config *base,
		int nframes)
{
	struct net_config cfg;
	struct net_sink s = {on_packet, on_datagram, on_nfs, on_warn, NULL};
	if (base)
		cfg = *base;
	else
		net_config_default(&cfg);
	cfg.frames_stay = byref;
	memset(o, 0, sizeof *o);
	out = o;
	struct net *n = net_new(&cfg, &s);
	assert_non_null(n);
	for (int i = 0; i < nframes; i++) {
		const uint8_t *p = frames[i];
		if (!byref)
			p = memcpy(reused, frames[i], caplens[i]);
		assert_int_equal(net_frame(n, NET_LINKTYPE_RAW,
					   1000000 * (int64_t)(i + 1), i + 1, p,
					   caplens[i], lens[i]),
				 0);
		memset(reused, 0xee, sizeof reused);
	}
	assert_int_equal(net_finish(n), 0);
	const struct net_stats *st = net_get_stats(n);
	o->evicted = st->frag_evicted;
	const uint64_t *w = (const uint64_t *)st;
	for (size_t k = 0; k < sizeof *st / sizeof *w; k++)
		logf_("S%zu %" PRIu64 "\n", k, w[k]);
	net_free(n);
}

/* Runs both decoders; they must agree, and find `nfs` operations (unless
 * that is -1). */
static void same(const struct step *steps, int nsteps, int nfs,
		 const struct net_config *cfg)
{
	assert_true(nsteps <= MAX_FRAMES);
	for (int i = 0; i < nsteps; i++)
		build(i, &steps[i]);
	run(&outs[0], false, cfg, nsteps);
	run(&outs[1], true, cfg, nsteps);
	size_t i = 0;
	while (outs[0].log[i] && outs[0].log[i] == outs[1].log[i])
		i++;
	while (i > 0 && outs[0].log[i - 1] != '\n')
		i--;
	if (outs[0].log[i] || outs[1].log[i])
		print_message("copying:\n%.300s\nby reference:\n%.300s\n",
			      outs[0].log + i, outs[1].log + i);
	assert_string_equal(outs[0].log, outs[1].log);
	if (nfs >= 0)
		assert_int_equal(outs[0].nfs, nfs);
}

/* Steps for message m cut at the given offsets (ascending, from 0). */
static int cut(struct step *s, int m, const uint32_t *at, int n)
{
	uint32_t end = (uint32_t)msgs[m].len;
	for (int i = 0; i < n; i++) {
		uint32_t e = i + 1 < n ? at[i + 1] : end;
		s[i] = (struct step){m, at[i], e - at[i], FULL};
	}
	return n;
}

static const uint32_t mtu[] = {0, 1480, 2960, 4440, 5920, 7400};

/* ---------------------------------------------------------------- tests */

static void test_read_reply_orders(void **state)
{
	(void)state;
	struct step s[16], p[6];
	read3_call(0, 1, 8192);
	read3_reply(1, 1, 8192);
	assert_int_equal(cut(p, 1, mtu, 6), 6);
	/* in order */
	s[0] = (struct step){0, 0, WHOLE, FULL};
	memcpy(s + 1, p, sizeof p);
	same(s, 7, 1, NULL);
	/* out of order */
	static const int order[] = {5, 0, 3, 1, 4, 2};
	for (int i = 0; i < 6; i++)
		s[1 + i] = p[order[i]];
	same(s, 7, 1, NULL);
	/* duplicates, also after the datagram is complete */
	static const int dups[] = {0, 1, 1, 2, 0, 3, 4, 5, 2};
	for (int i = 0; i < 9; i++)
		s[1 + i] = p[dups[i]];
	same(s, 10, 1, NULL);
}

static void test_overlaps(void **state)
{
	(void)state;
	struct step s[16];
	read3_call(0, 2, 8192);
	read3_reply(1, 2, 8192);
	/* by reference at first, then a fragment over two others */
	s[0] = (struct step){0, 0, WHOLE, FULL};
	s[1] = (struct step){1, 0, 1480, FULL};
	s[2] = (struct step){1, 2960, 1480, FULL};
	s[3] = (struct step){1, 1480, 2000, FULL};
	s[4] = (struct step){1, 4440, 1480, FULL};
	s[5] = (struct step){1, 5920, 1480, FULL};
	s[6] = (struct step){1, 7400, (uint32_t)msgs[1].len - 7400, FULL};
	same(s, 7, 1, NULL);
	/* the first bytes twice, differently: the first to come wins, here
	 * an xid that matches no call */
	read3_reply(2, 99, 8192);
	msgs[2].id = msgs[1].id;
	s[1] = (struct step){2, 0, 16, FULL};
	s[2] = (struct step){1, 8, 1472, FULL};
	s[3] = (struct step){1, 1480, 2960, FULL};
	same(s, 7, 1, NULL); /* the call goes unanswered */
	/* the other way round: the right xid first */
	s[1] = (struct step){1, 0, 16, FULL};
	s[2] = (struct step){2, 8, 1472, FULL};
	same(s, 7, 1, NULL);
}

/* The RPC header, or the NFS results, not all in the first fragment. */
static void test_short_first_fragment(void **state)
{
	(void)state;
	static const uint32_t firsts[] = {8, 16, 24, 40, 48, 56};
	struct step s[16];
	for (size_t k = 0; k < NET_ARRAY_LEN(firsts); k++) {
		uint32_t at[] = {0, firsts[k], 1480, 4440, 5920};
		read3_call(0, 3, 8192);
		read3_reply(1, 3, 8192);
		s[0] = (struct step){0, 0, WHOLE, FULL};
		cut(s + 1, 1, at, 5);
		same(s, 6, 1, NULL);
		/* a WRITE call, out of order */
		write3_call(0, 4, 4096);
		write3_reply(1, 4, 4096);
		struct step w[3];
		uint32_t wat[] = {0, firsts[k], 2000};
		cut(w, 0, wat, 3);
		s[0] = w[2];
		s[1] = w[0];
		s[2] = w[1];
		s[3] = (struct step){1, 0, WHOLE, FULL};
		same(s, 4, 1, NULL);
	}
}

static void test_snaplen(void **state)
{
	(void)state;
	struct step s[16];
	read3_call(0, 5, 8192);
	read3_reply(1, 5, 8192);
	s[0] = (struct step){0, 0, WHOLE, FULL};
	cut(s + 1, 1, mtu, 6);
	s[2].cap = 100; /* the second fragment cut */
	same(s, 7, 1, NULL);
	s[2].cap = FULL;
	s[1].cap = 36; /* the first one, inside the NFS results */
	same(s, 7, 1, NULL);
	s[1].cap = 12; /* inside the RPC header */
	same(s, 7, 1, NULL);
	/* a WRITE call: 16 bytes, then a cut fragment, then the rest */
	write3_call(0, 6, 4096);
	write3_reply(1, 6, 4096);
	uint32_t at[] = {0, 16, 1480};
	cut(s, 0, at, 3);
	s[3] = (struct step){1, 0, WHOLE, FULL};
	for (uint32_t c = 0; c < 80; c += 4) {
		s[1].cap = c;
		same(s, 4, c < 40 ? 0 : 1, NULL); /* RPC header: 48 bytes */
	}
}

static void test_v4_compound_write(void **state)
{
	(void)state;
	struct step s[8];
	write4_call(0, 7, 3000);
	compound4_reply(1, 7);
	uint32_t at[] = {0, 1480, 2960};
	cut(s, 0, at, 3);
	s[3] = (struct step){1, 0, WHOLE, FULL};
	same(s, 4, 1, NULL);
	assert_non_null(strstr(outs[1].log, "[PUTFH,WRITE,GETATTR]"));
	/* the data not all captured: the op list ends at WRITE */
	s[2].cap = 100;
	same(s, 4, 1, NULL);
	assert_non_null(strstr(outs[1].log, "[PUTFH,WRITE,...]"));
}

static void test_malformed_and_others(void **state)
{
	(void)state;
	struct step s[8];
	/* malformed arguments, all captured: warned about in both modes */
	read3_call_malformed(0, 8);
	uint32_t at[] = {0, 16, 40};
	cut(s, 0, at, 3);
	same(s, 3, 1, NULL);
	assert_non_null(strstr(outs[1].log, "malformed NFSv3 READ call"));
	/* TCP in fragments, the first shorter than the TCP header */
	read3_call_tcp(1, 9);
	uint32_t tat[] = {0, 8, 1480};
	cut(s, 1, tat, 3);
	same(s, 3, 1, NULL);
	/* not RPC at all; and a UDP header in two fragments */
	memset(rpc, 0x55, 3000);
	wrap(2, 1, 7, rpc, 3000);
	uint32_t uat[] = {0, 8, 1480};
	cut(s, 2, uat, 3);
	same(s, 3, 0, NULL);
	s[0] = (struct step){2, 0, 8, 4};
	same(s, 3, 0, NULL);
}

/* Memory is counted the same way: the same queues are evicted. */
static void test_memory_limit(void **state)
{
	(void)state;
	struct net_config cfg;
	struct step s[24];
	net_config_default(&cfg);
	cfg.frag_mem_limit = 9000;
	for (int m = 0; m < 6; m++)
		read3_reply(m, (uint32_t)m, 8192);
	for (int i = 0; i < 12; i++)
		s[i] = (struct step){i % 6, mtu[i / 6], 1480, FULL};
	same(s, 12, 0, &cfg);
	assert_true(outs[0].evicted > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_reply_orders),
	    cmocka_unit_test(test_overlaps),
	    cmocka_unit_test(test_short_first_fragment),
	    cmocka_unit_test(test_snaplen),
	    cmocka_unit_test(test_v4_compound_write),
	    cmocka_unit_test(test_malformed_and_others),
	    cmocka_unit_test(test_memory_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
