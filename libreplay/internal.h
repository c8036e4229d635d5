/* internal.h — helpers shared inside libreplay, not installed. */
#ifndef RP_INTERNAL_H
#define RP_INTERNAL_H

#include "libreplay.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Parses a whole decimal integer (optional sign); false on anything else. */
bool rp_parse_i64(const char *s, size_t len, int64_t *out);
/* Parses a decimal number with an optional fraction ("1.5"), scaled by
 * `scale` (e.g. 1000000000 for seconds → ns), rounding to nearest. */
bool rp_parse_scaled(const char *s, size_t len, int64_t scale, int64_t *out);

/* Writes a short, printable rendering of a bad field into buf. */
const char *rp_quote_field(const char *s, size_t len, char *buf, size_t size);

/* Current UTC time as "YYYY-MM-DD HH:MM:SS". */
void rp_utc_now(char buf[32]);

/* batch-pipe.c: batches handed from the thread that makes them to a thread
 * that consumes them (stores them), in order. */
struct rp_pipe;
typedef int (*rp_pipe_consume_fn)(void *arg, void *batch, struct rp_error *err);
/* Starts the consuming thread for a maker that fills `slots` (2..8)
 * buffers in turn; NULL when no thread could be made (the maker then
 * consumes its batches itself). */
struct rp_pipe *rp_pipe_start(unsigned slots, rp_pipe_consume_fn consume,
			      void *arg);
/* Hands a batch over and returns once the maker's next buffer in turn is
 * no longer queued; -1 with err once a consume failed. */
int rp_pipe_put(struct rp_pipe *p, void *batch, struct rp_error *err);
/* Waits for the batches handed over (or, with discard, skips them), ends
 * the thread and frees p (may be NULL); -1 with err if a consume failed
 * and not discard. */
int rp_pipe_stop(struct rp_pipe *p, bool discard, struct rp_error *err);

/* Text that goes with a batch of rows (batch-pipe.c): strings appended
 * one after the other, referred to by offset. */
struct rp_text {
	char *p;
	size_t len, cap;
};
/* Room for `len` more bytes at t->p + t->len; NULL when out of memory. */
char *rp_text_reserve(struct rp_text *t, size_t len);

/* The numbering of a trace's packet addresses (packet-addr.c); zeroed
 * to start. */
struct rp_addr_slot;
struct rp_addr_ids {
	struct rp_addr_slot *slots;
	size_t nslots, n;
};
/* The id of address a (len 4 or 16 bytes), numbered n + 1 and *added set
 * when it is new; 0 for another length, -1 out of memory. */
int32_t rp_addr_ids_get(struct rp_addr_ids *t, const uint8_t *a, int len,
			bool *added);
void rp_addr_ids_free(struct rp_addr_ids *t);

/* A packet row packed as schema/0006 stores it (docs/schema.md): -1 for
 * NULL in addrs and frag.  The packet recorder packs its rows on the
 * decoding thread, so that the thread appending them does SQLite work only
 * (pcap-trace.c).  A row may stand for a run of `frames` frames, the last
 * of which it describes, with `run` their JSON (schema/0007); else
 * frames 1 and run NULL. */
struct rp_packet_row {
	int64_t ts_ns, frame, info, addrs, frag, lens;
	const char *run;
	int32_t frames;
};
/* Packs p with the packet_addr ids of its addresses (0 when it has none);
 * NULL, or what the packed columns cannot hold. */
const char *rp_packet_pack(const struct rp_packet *p, int32_t src_id,
			   int32_t dst_id, struct rp_packet_row *out);
/* Stores address number `id` of the trace's packets (numbered 1, 2, ... by
 * the caller, in the order they first appear; len 4 or 16 bytes). */
int rp_trace_add_packet_addr(struct rp_trace_writer *w, int32_t id, int len,
			     const uint8_t *a, struct rp_error *err);
/* Appends a packed row whose addresses were given to
 * rp_trace_add_packet_addr.  A writer takes packed rows or
 * rp_trace_add_packet's, not both: each numbers the addresses. */
/* Takes back the events appended so far (the packet recorder sends them
 * ahead before the observed host is final). */
int rp_trace_rewind_events(struct rp_trace_writer *w, struct rp_error *err);
int rp_trace_add_packet_row(struct rp_trace_writer *w,
			    const struct rp_packet_row *r,
			    struct rp_error *err);

/* Runs of packet rows (packet-run.c): at most RP_PACKET_RUN_MAX rows, whose
 * JSON takes at most RP_PACKET_RUN_JSON bytes with its NUL. */
#define RP_PACKET_RUN_MAX  64
#define RP_PACKET_RUN_JSON (RP_PACKET_RUN_MAX * 80 + 8)
/* May r be stored in the run that starts with first (they differ only in
 * what the run's JSON holds)? */
bool rp_packet_run_joins(const struct rp_packet_row *first,
			 const struct rp_packet_row *r);
/* Writes the run column of rows[0..n-1] (n >= 1, the row stored being
 * rows[n - 1]) to buf; its length. */
size_t rp_packet_run_json(const struct rp_packet_row *rows, int n, char *buf);

#endif
