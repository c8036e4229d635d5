/*
 * test-pcap-file.c — the mapped reader of classic pcap files (pcap-file.c,
 * compiled in) against libpcap on the same files: both byte orders, micro-
 * and nanosecond time stamps (negative and large ones too), snap lengths
 * that cut records, capture lengths beyond the maximum, and files cut at
 * every kind of place.  Records, time stamps and error messages must be
 * the same as libpcap's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pcap-file.h"

#include <fcntl.h>
#include <pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void put32(struct buf *b, uint32_t v, int be)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[i] =
		    be ? (uint8_t)(v >> (24 - 8 * i)) : (uint8_t)(v >> 8 * i);
	put(b, x, 4);
}

static void put16(struct buf *b, uint16_t v, int be)
{
	uint8_t x[2] = {be ? (uint8_t)(v >> 8) : (uint8_t)v,
			be ? (uint8_t)v : (uint8_t)(v >> 8)};
	put(b, x, 2);
}

/* A capture of n records; `odd` adds records libpcap cuts or refuses. */
static void make_file(struct buf *b, int be, int nano, uint32_t snaplen, int n,
		      int odd)
{
	b->len = 0;
	put32(b, nano ? 0xa1b23c4d : 0xa1b2c3d4, be);
	put16(b, 2, be);
	put16(b, 4, be);
	put32(b, 0, be);
	put32(b, 0, be);
	put32(b, snaplen, be);
	put32(b, 1, be); /* Ethernet */
	for (int i = 0; i < n; i++) {
		uint32_t sec = rnd(), frac = rnd();
		if (rnd() % 2) { /* ordinary values */
			sec = 1700000000u + (uint32_t)i;
			frac %= nano ? 1000000000u : 1000000u;
		}
		uint32_t cap = rnd() % 1600;
		if (odd && rnd() % 4 == 0)
			cap = snaplen + rnd() % 3000; /* beyond the snaplen */
		if (odd && rnd() % 50 == 0)
			cap = 262144 + rnd() % 1000; /* beyond any */
		uint32_t len = cap + rnd() % 100;
		put32(b, sec, be);
		put32(b, frac, be);
		put32(b, cap, be);
		put32(b, len, be);
		for (uint32_t k = 0; k < cap && cap <= 262144 + 1000; k++) {
			uint8_t c = (uint8_t)(i + k);
			put(b, &c, 1);
		}
	}
}

static int errors, cut; /* files that ended in an error, records cut */

/* Reads the first `len` bytes of b with both readers and compares. */
static int compare(const struct buf *b, size_t len)
{
	char path[] = "/tmp/test-pcap-file.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b->p, len), (ssize_t)len);
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(
	    path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	struct pcap_file f;
	int mapped = pcap_file_map(&f, fd);
	if (!p) { /* a header libpcap refuses */
		if (mapped)
			pcap_file_unmap(&f);
		close(fd);
		unlink(path);
		return -1;
	}
	assert_int_equal(mapped, 1);
	f.snapshot = (uint32_t)pcap_snapshot(p);
	struct pcap_pkthdr *h;
	const u_char *data;
	struct pcap_file_rec r;
	char msg[PCAP_ERRBUF_SIZE + 64];
	int n = 0, rc, mine;
	for (;;) {
		rc = pcap_next_ex(p, &h, &data);
		mine = pcap_file_next(&f, &r, msg, sizeof msg);
		if (rc != 1)
			break;
		assert_int_equal(mine, 1);
		int64_t ts = (int64_t)h->ts.tv_sec * 1000000000ll +
			     (int64_t)h->ts.tv_usec;
		assert_int_equal(r.ts_ns, ts);
		assert_int_equal(r.caplen, h->caplen);
		assert_int_equal(r.len, h->len);
		assert_memory_equal(r.data, data, h->caplen);
		cut += h->caplen == f.snapshot; /* cut to the snaplen */
		n++;
	}
	if (rc == PCAP_ERROR) {
		errors++;
		assert_int_equal(mine, -1);
		assert_string_equal(msg, pcap_geterr(p));
	} else {
		assert_int_equal(rc, PCAP_ERROR_BREAK);
		assert_int_equal(mine, 0);
	}
	pcap_file_unmap(&f);
	pcap_close(p);
	close(fd);
	unlink(path);
	return n;
}

static void test_same_as_libpcap(void **state)
{
	(void)state;
	struct buf b = {0};
	static const uint32_t snaplens[] = {0, 65535, 262144, 1000, 96};
	for (int be = 0; be <= 1; be++)
		for (int nano = 0; nano <= 1; nano++)
			for (size_t s = 0; s < 5; s++) {
				make_file(&b, be, nano, snaplens[s], 40, 0);
				assert_int_equal(compare(&b, b.len), 40);
				make_file(&b, be, nano, snaplens[s], 40, 1);
				compare(&b, b.len);
			}
	assert_true(errors > 0 && cut > 0);
	free(b.p);
}

static void test_cut_files(void **state)
{
	(void)state;
	struct buf b = {0};
	errors = 0;
	for (int round = 0; round < 40; round++) {
		make_file(&b, round & 1, round & 2, round & 4 ? 500 : 65535, 6,
			  round & 8);
		/* every length: inside the file header, a record header,
		 * the kept bytes, the dropped bytes beyond the snaplen */
		for (size_t len = 0; len <= b.len; len += 1 + rnd() % 7)
			compare(&b, len);
	}
	assert_true(errors > 100);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_as_libpcap),
	    cmocka_unit_test(test_cut_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
