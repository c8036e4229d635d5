/*
 * merge.c — `vmreplay merge`: interleaves several stored traces into a new
 * one, each aligned at its first event (plus an optional shift) or, with
 * `absolute`, kept at its own times (traces recorded together on one
 * machine: pcap, ftrace and /proc all store wall-clock time), so that e.g.
 * real NFS traffic can be replayed on top of a real allocation workload.
 * Identifiers are kept apart: the events of input i > 0 get task + i *
 * RP_MERGE_TASK_STRIDE, and obj and file with i in their top byte (obj ^ i <<
 * 56), so frees still find their allocations and two inputs never share a task
 * or an object.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define BUF 1024

struct input {
	struct rp_event_cursor *c;
	struct rp_event buf[BUF];
	size_t n, pos;
	int64_t base; /* added to the input's times */
	int done;
};

static int refill(struct input *in, struct rp_error *err)
{
	if (in->pos < in->n || in->done)
		return 0;
	in->pos = 0;
	if (rp_event_cursor_next(in->c, in->buf, BUF, &in->n, err))
		return -1;
	in->done = in->n == 0;
	return 0;
}

static void relabel(struct rp_event *ev, int i, int64_t base)
{
	ev->ts_ns += base;
	if (i == 0)
		return;
	if (ev->present & RP_HAS(RP_COL_TASK))
		ev->task += (int64_t)i * RP_MERGE_TASK_STRIDE;
	if (ev->present & RP_HAS(RP_COL_OBJ))
		ev->obj ^= (int64_t)((uint64_t)i << 56);
	if (ev->present & RP_HAS(RP_COL_FILE))
		ev->file ^= (int64_t)((uint64_t)i << 56);
}

/* Index of the input with the earliest next event, -1 when all are done. */
static int earliest(struct input *in, int n)
{
	int best = -1;
	for (int i = 0; i < n; i++) {
		if (in[i].done)
			continue;
		int64_t t = in[i].buf[in[i].pos].ts_ns + in[i].base;
		if (best < 0 ||
		    t < in[best].buf[in[best].pos].ts_ns + in[best].base)
			best = i;
	}
	return best;
}

static int copy_events(struct rp_trace_writer *w, struct input *in, int n,
		       struct rp_error *err)
{
	for (;;) {
		for (int i = 0; i < n; i++)
			if (refill(&in[i], err))
				return -1;
		int i = earliest(in, n);
		if (i < 0)
			return 0;
		struct rp_event ev = in[i].buf[in[i].pos++];
		relabel(&ev, i, in[i].base);
		if (rp_trace_append(w, &ev, 1, err))
			return -1;
	}
}

int rp_merge(struct rp_store *store, struct rp_store *reader,
	     const struct rp_merge_input *inputs, int n, const char *name,
	     int absolute, struct rp_error *err)
{
	struct input *in = calloc((size_t)n, sizeof *in);
	struct rp_trace_meta meta = {.name = name, .source = "merge"};
	struct rp_trace_writer *w = NULL;
	char origin[1024] = "";
	int64_t t0 = 0;
	int ret = -1;

	if (!in)
		return rp_error_set(err, "out of memory");
	for (int i = 0; i < n; i++) {
		struct rp_trace_row row;
		if (rp_store_trace_find(reader, inputs[i].trace, &row, err) ||
		    rp_event_cursor_open(reader, row.id, &in[i].c, err))
			goto out;
		if (i == 0)
			t0 = row.first_ns;
		in[i].base = inputs[i].shift_ns;
		if (!absolute)
			in[i].base += t0 - row.first_ns;
		size_t o = strlen(origin);
		snprintf(origin + o, sizeof origin - o, "%s%s", i ? "+" : "",
			 inputs[i].trace);
	}
	meta.origin = origin;
	if (rp_trace_begin(store, &meta, &w, err))
		goto out;
	if (copy_events(w, in, n, err)) {
		rp_trace_abort(w);
		goto out;
	}
	ret = rp_trace_finish(w, err);
out:
	for (int i = 0; i < n; i++)
		rp_event_cursor_close(in[i].c);
	free(in);
	return ret;
}
