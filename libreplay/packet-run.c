/*
 * packet-run.c — runs of like packet rows, stored as one row (schema/0007,
 * docs/schema.md "packet").  The fragments of a datagram reach the store
 * together and differ only in time, frame number, frame length, offset and
 * the more-fragments bit; the packet recorder collects such runs on its
 * decoding thread and stores each as its last row plus a JSON array of the
 * others, which the `packet` view expands again.
 */
#include "internal.h"

#include <string.h>

#define MF_BIT (1ll << 3) /* more_frags in info (schema/0006) */

bool rp_packet_run_joins(const struct rp_packet_row *first,
			 const struct rp_packet_row *r)
{
	/* times from 0 on: the differences the JSON holds cannot overflow */
	return first->ts_ns >= 0 && r->ts_ns >= 0 &&
	       (first->info & ~MF_BIT) == (r->info & ~MF_BIT) &&
	       first->addrs == r->addrs && (first->frag < 0) == (r->frag < 0) &&
	       first->frag >> 17 == r->frag >> 17 &&
	       first->lens >> 32 == r->lens >> 32;
}

/* Writes v in decimal at p; the end. */
static char *put_i64(char *p, int64_t v)
{
	char tmp[20];
	int n = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	if (v < 0)
		*p++ = '-';
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n)
		*p++ = tmp[--n];
	return p;
}

size_t rp_packet_run_json(const struct rp_packet_row *rows, int n, char *buf)
{
	const struct rp_packet_row *last = &rows[n - 1];
	char *p = buf;
	*p++ = '[';
	for (int i = 0; i < n - 1; i++) {
		const struct rp_packet_row *r = &rows[i];
		int64_t off_mf = r->frag < 0 ? 0
					     : (r->frag & 131071) << 1 |
						   (r->info & MF_BIT) >> 3;
		*p++ = '[';
		p = put_i64(p, last->frame - r->frame);
		*p++ = ',';
		p = put_i64(p, last->ts_ns - r->ts_ns);
		*p++ = ',';
		p = put_i64(p, off_mf);
		*p++ = ',';
		p = put_i64(p, r->lens & 0xffffffffll);
		*p++ = ']';
		*p++ = ',';
	}
	*p++ = '0';
	*p++ = ']';
	*p = 0;
	return (size_t)(p - buf);
}
