/*
 * fuzz-net.c — libFuzzer target for the packet decoders (net-*.c): the
 * input is a link type selector byte followed by frames, each a 2-byte
 * big-endian length and that many bytes, fed through one decoder with a
 * sink that checks what comes out.  tests/fuzz/fuzz-net.sh builds it with
 * clang -fsanitize=fuzzer,address,undefined and seeds it with the frames
 * of the shipped captures.
 */
#include "net.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {
    NET_DLT_EN10MB, NET_DLT_LINUX_SLL, NET_DLT_LINUX_SLL2, NET_LINKTYPE_RAW,
    NET_DLT_NULL,   NET_DLT_LOOP,      NET_DLT_IPV4,	   NET_DLT_IPV6,
};

static int on_packet(void *arg, const struct rp_packet *p)
{
	(void)arg;
	if (p->frame <= 0 || strnlen(p->src, sizeof p->src) == sizeof p->src)
		abort();
	/* addresses as bytes, of the IP version's length */
	if (p->addr_len != 0 && p->addr_len != (p->ip_version == 4 ? 4 : 16))
		abort();
	return 0;
}

static int on_datagram(void *arg, const struct net_datagram *d)
{
	(void)arg;
	if (d->nfrags == 0 || d->len > 65535 + 40)
		abort();
	return 0;
}

static int on_nfs(void *arg, const struct net_nfs *n)
{
	(void)arg;
	if (n->op.ops && strlen(n->op.ops) > 512)
		abort();
	if (n->op.reply_ns >= 0 && n->op.call_ns < 0)
		abort();
	return 0;
}

static void on_warn(void *arg, int64_t frame, const char *msg)
{
	(void)arg;
	(void)frame;
	if (!msg[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_sink sink = {on_packet, on_datagram, on_nfs, on_warn, NULL};
	struct net_config cfg;
	if (size < 1)
		return 0;
	net_config_default(&cfg);
	cfg.frag_mem_limit = 64 << 10; /* reach the eviction path */
	/* the input outlives the decoders: both reassembly modes, by the
	 * top bit of the first byte */
	cfg.frames_stay = (data[0] & 0x80) != 0;
	struct net *n = net_new(&cfg, &sink);
	if (!n)
		return 0;
	int lt = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
	size_t pos = 1;
	int64_t frame = 0, ts = 1000000000;
	while (pos + 2 <= size) {
		size_t len = (size_t)data[pos] << 8 | data[pos + 1];
		pos += 2;
		if (len > size - pos)
			len = size - pos;
		/* a copy of exactly len bytes, so overreads are caught */
		uint8_t *f = malloc(len ? len : 1);
		if (!f)
			break;
		memcpy(f, data + pos, len);
		uint32_t wire = (uint32_t)len + (frame % 5 == 4 ? 100 : 0);
		net_frame(n, lt, ts, ++frame, f, (uint32_t)len, wire);
		free(f);
		pos += len;
		ts +=
		    (frame % 7 == 0) ? 40000000000ll : 1000; /* time-outs too */
	}
	net_finish(n);
	net_free(n);
	return 0;
}
