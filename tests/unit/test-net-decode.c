/*
 * test-net-decode.c — unit tests of the packet decoders (net-*.c, compiled
 * in): IPv4 fragment reassembly (out of order, duplicates, overlaps,
 * time-out, memory limit), TCP record marking (several records per segment,
 * records across segments, out-of-order segments, mid-stream resync), RPC
 * xid matching and the NFSv2/v3/v4 argument decoders.  Packets are built
 * here as raw IP (LINKTYPE_RAW).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "net.h"
#include "net-build.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------- what came out */

static struct out {
	int packets, datagrams, nfs, warnings;
	struct net_datagram dg[64];
	struct net_nfs ops[64];
	char opsbuf[64][256];
} out;

static int on_packet(void *a, const struct rp_packet *p)
{
	(void)a;
	(void)p;
	out.packets++;
	return 0;
}

static int on_datagram(void *a, const struct net_datagram *d)
{
	(void)a;
	if (out.datagrams < 64)
		out.dg[out.datagrams] = *d;
	out.datagrams++;
	return 0;
}

static int on_nfs(void *a, const struct net_nfs *n)
{
	(void)a;
	if (out.nfs < 64) {
		out.ops[out.nfs] = *n;
		if (n->op.ops) {
			strncpy(out.opsbuf[out.nfs], n->op.ops, 255);
			out.ops[out.nfs].op.ops = out.opsbuf[out.nfs];
		}
	}
	out.nfs++;
	return 0;
}

static void on_warn(void *a, int64_t f, const char *m)
{
	(void)a;
	(void)f;
	(void)m;
	out.warnings++;
}

static struct net *mk(const struct net_config *cfg)
{
	struct net_sink s = {on_packet, on_datagram, on_nfs, on_warn, NULL};
	memset(&out, 0, sizeof out);
	return net_new(cfg, &s);
}

/* ------------------------------------------------------------ builders */

/* An IPv4 header + payload. */
static size_t ip4(uint8_t *buf, uint8_t proto, int c2s, uint16_t id,
		  uint32_t fragoff, int more, const uint8_t *pay, size_t len)
{
	memset(buf, 0, 20);
	buf[0] = 0x45;
	buf[2] = (uint8_t)((20 + len) >> 8);
	buf[3] = (uint8_t)(20 + len);
	buf[4] = (uint8_t)(id >> 8);
	buf[5] = (uint8_t)id;
	uint16_t fo = (uint16_t)(fragoff / 8) | (more ? 0x2000 : 0);
	buf[6] = (uint8_t)(fo >> 8);
	buf[7] = (uint8_t)fo;
	buf[8] = 64;
	buf[9] = proto;
	uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
	memcpy(buf + 12, c2s ? a : b, 4);
	memcpy(buf + 16, c2s ? b : a, 4);
	memcpy(buf + 20, pay, len);
	return 20 + len;
}

/* An RPC call of NFSv3 READ/WRITE (proc) with a 8-byte file handle. */
static size_t rpc_call(uint8_t *p, uint32_t xid, uint32_t vers, uint32_t proc,
		       uint64_t off, uint32_t count)
{
	size_t n = rpc_call_hdr(p, xid, vers, proc, 0);
	if (vers == 3) {
		n += put32(p + n, 8);
		memcpy(p + n, "FHFHFHFH", 8);
		n += 8;
		n += put32(p + n, (uint32_t)(off >> 32));
		n += put32(p + n, (uint32_t)off);
		n += put32(p + n, count);
	}
	return n;
}

static size_t rpc_reply_read3(uint8_t *p, uint32_t xid, uint32_t count)
{
	size_t n = rpc_reply_hdr(p, xid);
	n += put32(p + n, 0); /* NFS3_OK */
	n += put32(p + n, 0); /* no attributes */
	n += put32(p + n, count);
	n += put32(p + n, 0); /* eof */
	n += put32(p + n, count);
	memset(p + n, 0xab, count);
	return n + count;
}

static size_t udp(uint8_t *buf, int c2s, const uint8_t *pay, size_t len)
{
	memcpy(buf + udp_hdr(buf, c2s, len), pay, len);
	return len + 8;
}

static uint8_t big[70000], frame[70000];
static int64_t fno;

static void feed(struct net *n, int64_t ts, const uint8_t *p, size_t len)
{
	assert_int_equal(net_frame(n, NET_LINKTYPE_RAW, ts, ++fno, p,
				   (uint32_t)len, (uint32_t)len),
			 0);
}

/* The UDP datagram of a READ reply of `count` bytes, cut into fragments of
 * 1480 bytes; returns the number of fragments. */
static int read_reply_frags(uint16_t id, uint32_t xid, uint32_t count,
			    uint8_t frags[][1600], size_t *lens)
{
	uint8_t rpc[9000];
	size_t rl = rpc_reply_read3(rpc, xid, count);
	size_t ul = udp(big, 0, rpc, rl);
	int nf = 0;
	for (size_t off = 0; off < ul; off += 1480, nf++) {
		size_t l = ul - off < 1480 ? ul - off : 1480;
		lens[nf] = ip4(frags[nf], 17, 0, id, (uint32_t)off,
			       off + l < ul, big + off, l);
	}
	return nf;
}

static void send_call(struct net *n, int64_t ts, uint32_t xid, uint32_t cnt)
{
	uint8_t rpc[200], u[300];
	size_t l = rpc_call(rpc, xid, 3, 6, 8192, cnt);
	l = udp(u, 1, rpc, l);
	l = ip4(frame, 17, 1, 1, 0, 0, u, l);
	feed(n, ts, frame, l);
}

/* --------------------------------------------------------------- tests */

static uint8_t fr[16][1600];
static size_t fl[16];

static void test_frag_out_of_order_dups(void **state)
{
	(void)state;
	struct net *n = mk(NULL);
	send_call(n, 1000, 77, 8192);
	int nf = read_reply_frags(5, 77, 8192, fr, fl);
	assert_int_equal(nf, 6);
	int order[] = {5, 0, 3, 3, 1, 4, 0, 2}; /* reversed bits, duplicates */
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		feed(n, 2000 + (int64_t)i, fr[order[i]], fl[order[i]]);
	feed(n, 3000, fr[1], fl[1]); /* after completion: still a duplicate */
	assert_int_equal(net_finish(n), 0);
	const struct net_stats *st = net_get_stats(n);
	assert_int_equal(out.datagrams, 2);
	assert_int_equal(out.dg[1].len, 8 + 44 + 8192); /* no attributes */
	assert_int_equal(out.dg[1].nfrags, 6);
	assert_int_equal(st->frag_duplicates, 3);
	assert_int_equal(st->frag_timeouts, 0);
	assert_int_equal(out.packets, 10);
	assert_int_equal(out.nfs, 1);
	assert_int_equal(out.ops[0].op.status, 0);
	assert_int_equal(out.ops[0].data_bytes, 8192);
	assert_int_equal(out.ops[0].op.offset, 8192);
	assert_int_equal(out.ops[0].data, NET_NFS_READ);
	net_free(n);
}

static void test_frag_overlap_and_timeout(void **state)
{
	(void)state;
	struct net *n = mk(NULL);
	int nf = read_reply_frags(9, 1, 4000, fr, fl);
	assert_int_equal(nf, 3);
	/* a fragment covering the first one and half of the second */
	uint8_t pay[2200];
	memcpy(pay, fr[0] + 20, 1480);
	memcpy(pay + 1480, fr[1] + 20, 720);
	size_t l = ip4(frame, 17, 0, 9, 0, 1, pay, 2200);
	feed(n, 1, frame, l);
	feed(n, 2, fr[1], fl[1]);
	feed(n, 3, fr[2], fl[2]);
	assert_int_equal(out.datagrams, 1);
	assert_int_equal(net_get_stats(n)->frag_overlaps, 1);
	/* an incomplete datagram times out after 30 s of capture time */
	feed(n, 10, fr[0], fl[0] - 0); /* id 9 is done: duplicate */
	nf = read_reply_frags(10, 2, 4000, fr, fl);
	feed(n, 20, fr[0], fl[0]);
	send_call(n, 31000000020ll, 5, 10); /* time moves on */
	assert_int_equal(net_get_stats(n)->frag_timeouts, 1);
	assert_int_equal(net_finish(n), 0);
	net_free(n);
}

static void test_frag_memory_limit(void **state)
{
	(void)state;
	struct net_config cfg;
	net_config_default(&cfg);
	cfg.frag_mem_limit = 8000;
	struct net *n = mk(&cfg);
	for (uint16_t id = 100; id < 110; id++) {
		read_reply_frags(id, id, 8192, fr, fl);
		feed(n, id, fr[0], fl[0]);
	}
	assert_true(net_get_stats(n)->frag_evicted >= 5);
	assert_int_equal(net_finish(n), 0);
	net_free(n);
}

/* TCP: one segment */
static size_t tcp_seg(uint8_t *buf, int c2s, uint32_t seq, uint8_t flags,
		      const uint8_t *pay, size_t len)
{
	uint8_t t[9000];
	memset(t, 0, 20);
	t[0] = c2s ? 3 : 8;
	t[1] = c2s ? 0 : 1;
	t[2] = c2s ? 8 : 3;
	t[3] = c2s ? 1 : 0;
	put32(t + 4, seq);
	t[12] = 5 << 4;
	t[13] = flags;
	if (len)
		memcpy(t + 20, pay, len);
	return ip4(buf, 6, c2s, 0, 0, 0, t, 20 + len);
}

static size_t record(uint8_t *p, const uint8_t *msg, size_t len, int nfrag)
{
	size_t n = 0, per = (len + (size_t)nfrag - 1) / (size_t)nfrag, off = 0;
	while (off < len) {
		size_t k = len - off < per ? len - off : per;
		n += put32(p + n,
			   (uint32_t)k | (off + k == len ? 0x80000000u : 0));
		memcpy(p + n, msg + off, k);
		n += k;
		off += k;
	}
	return n;
}

static void test_tcp_records(void **state)
{
	(void)state;
	struct net *n = mk(NULL);
	uint8_t stream[40000], msg[9000];
	size_t sl = 0;
	/* client: SYN, then 3 calls in one segment */
	size_t l = tcp_seg(frame, 1, 1000, 0x02, NULL, 0);
	feed(n, 1, frame, l);
	for (uint32_t x = 1; x <= 3; x++) {
		size_t ml = rpc_call(msg, x, 3, 6, x * 8192, 8192);
		sl += record(stream + sl, msg, ml, 1);
	}
	l = tcp_seg(frame, 1, 1001, 0x18, stream, sl);
	feed(n, 2, frame, l);
	/* server: SYN, replies in two-fragment records, cut into 1000-byte
	 * segments sent out of order */
	l = tcp_seg(frame, 0, 49999, 0x12, NULL, 0);
	feed(n, 3, frame, l);
	sl = 0;
	for (uint32_t x = 1; x <= 3; x++) {
		size_t ml = rpc_reply_read3(msg, x, 8192);
		sl += record(stream + sl, msg, ml, 2);
	}
	size_t nseg = (sl + 999) / 1000;
	for (size_t i = 0; i < nseg; i++) {
		size_t k = i ^ 1; /* swap pairs */
		if (k >= nseg)
			k = i;
		size_t off = k * 1000, len = sl - off < 1000 ? sl - off : 1000;
		l = tcp_seg(frame, 0, 50000 + (uint32_t)off, 0x18, stream + off,
			    len);
		feed(n, 10 + (int64_t)i, frame, l);
	}
	assert_int_equal(net_finish(n), 0);
	assert_int_equal(out.nfs, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(out.ops[i].op.status, 0);
		assert_int_equal(out.ops[i].data_bytes, 8192);
		assert_string_equal(out.ops[i].op.transport, "tcp");
	}
	assert_true(net_get_stats(n)->tcp_out_of_order > 0);
	assert_int_equal(net_get_stats(n)->rpc_matched, 3);
	net_free(n);
}

static void test_tcp_resync_midstream(void **state)
{
	(void)state;
	struct net *n = mk(NULL);
	uint8_t stream[4000], msg[400];
	size_t sl = 0;
	for (uint32_t x = 1; x <= 4; x++) {
		size_t ml = rpc_call(msg, x, 3, 6, 0, 4096);
		sl += record(stream + sl, msg, ml, 1);
	}
	/* the capture starts in the middle of the first record */
	size_t l = tcp_seg(frame, 1, 7, 0x18, stream + 10, 50);
	feed(n, 1, frame, l);
	size_t rec = sl / 4;
	l = tcp_seg(frame, 1, 7 + 50, 0x18, stream + 60, rec - 60);
	feed(n, 2, frame, l);
	l = tcp_seg(frame, 1, 7 + (uint32_t)rec - 10, 0x18, stream + rec,
		    sl - rec);
	feed(n, 3, frame, l);
	assert_int_equal(net_finish(n), 0);
	assert_int_equal(net_get_stats(n)->rpc_calls, 3);
	assert_int_equal(out.nfs, 3); /* unanswered at the end */
	assert_int_equal(out.ops[0].op.reply_ns, -1);
	net_free(n);
}

static void test_nfs_decoders(void **state)
{
	(void)state;
	struct net_nfs_call c;
	struct net_nfs_reply r;
	uint8_t p[512];
	size_t n = 0;
	/* v2 WRITE: fh(32), beginoffset, offset, totalcount, data<> */
	memset(p, 1, 32);
	n = 32;
	n += put32(p + n, 0);
	n += put32(p + n, 16384);
	n += put32(p + n, 0);
	n += put32(p + n, 100);
	assert_true(net_nfs_call_decode(2, 8, p, n, &c));
	assert_int_equal(c.offset, 16384);
	assert_int_equal(c.count, 100);
	assert_int_equal(c.data, NET_NFS_WRITE);
	assert_true(c.fh_hash != 0);
	/* truncated v3 READ arguments */
	assert_false(net_nfs_call_decode(3, 6, p, 10, &c));
	assert_int_equal(c.data, NET_NFS_NONE);
	/* v4 COMPOUND: tag "", minor 0, PUTFH fh, READ stateid off count,
	 * GETATTR bitmap */
	n = 0;
	n += put32(p + n, 0);
	n += put32(p + n, 0);
	n += put32(p + n, 3);
	n += put32(p + n, 22);
	n += put32(p + n, 4);
	memcpy(p + n, "abcd", 4);
	n += 4;
	n += put32(p + n, 25);
	memset(p + n, 0, 16);
	n += 16;
	n += put32(p + n, 0);
	n += put32(p + n, 65536);
	n += put32(p + n, 32768);
	n += put32(p + n, 9);
	n += put32(p + n, 1);
	n += put32(p + n, 0x18);
	assert_true(net_nfs_call_decode(4, 1, p, n, &c));
	assert_string_equal(c.ops, "PUTFH,READ,GETATTR");
	assert_int_equal(c.offset, 65536);
	assert_int_equal(c.count, 32768);
	assert_int_equal(c.data, NET_NFS_READ);
	assert_int_equal(c.fh_hash, net_fh_hash((const uint8_t *)"abcd", 4));
	free(c.ops);
	/* an unknown op ends the list */
	put32(p + 12, 999);
	assert_true(net_nfs_call_decode(4, 1, p, n, &c));
	assert_string_equal(c.ops, "OP999,...");
	free(c.ops);
	/* v3 WRITE reply with wcc data */
	n = 0;
	n += put32(p + n, 0);
	n += put32(p + n, 1);
	memset(p + n, 0, 24);
	n += 24;
	n += put32(p + n, 0);
	n += put32(p + n, 4096);
	assert_true(net_nfs_reply_decode(3, 7, p, n, &r));
	assert_int_equal(r.status, 0);
	assert_int_equal(r.count, 4096);
	/* error status; the wcc data that follows is cut off */
	put32(p, 70);
	assert_false(net_nfs_reply_decode(3, 7, p, 4, &r));
	assert_int_equal(r.status, 70);
	assert_string_equal(net_nfs_proc_name(3, 21), "COMMIT");
	assert_string_equal(net_nfs_proc_name(2, 17), "STATFS");
	assert_null(net_nfs_proc_name(3, 22));
}

static void test_linktypes_and_garbage(void **state)
{
	(void)state;
	struct net *n = mk(NULL);
	uint8_t g[64];
	for (int i = 0; i < 2000; i++) {
		for (size_t k = 0; k < sizeof g; k++)
			g[k] = (uint8_t)(rand() >> 7);
		g[0] = (uint8_t)(i & 1 ? 0x45 : 0x60);
		static const int lts[] = {0, 1, 101, 108, 113, 228, 229, 276};
		assert_int_equal(net_frame(n, lts[i % 8], i, i + 1, g,
					   (uint32_t)(i % 65), 64),
				 0);
	}
	assert_int_equal(net_finish(n), 0);
	assert_int_equal(out.packets, 2000);
	net_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_frag_out_of_order_dups),
	    cmocka_unit_test(test_frag_overlap_and_timeout),
	    cmocka_unit_test(test_frag_memory_limit),
	    cmocka_unit_test(test_tcp_records),
	    cmocka_unit_test(test_tcp_resync_midstream),
	    cmocka_unit_test(test_nfs_decoders),
	    cmocka_unit_test(test_linktypes_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
