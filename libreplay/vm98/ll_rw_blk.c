/*
 * ll_rw_blk.c — the disk of the model (§10.3, §14): one request queue
 * kept in sector order (1998's add_request inserts with the IN_ORDER
 * elevator) and served one request at a time in C-SCAN order from the
 * head position.  A request arriving at an idle disk plugs it; nothing
 * starts until someone runs tq_disk (run_task_queue).  A request costs an
 * average access (seek + rotation, param disk_access_us) unless it starts
 * where the previous one ended, plus the transfer at disk_kbs.
 * NR_REQUEST = 64 slots, writes may use 42 (§10.3): a writer that finds
 * them taken waits for the request in service to finish.
 *
 * Waiting: the model does the work of an event at the moment it happens;
 * a task that waits for a request (synchronous swap write, a read, a
 * slot) sees the disk run forward until that request is done (the
 * completions on the way are applied at once), and its latency grows by
 * the time it waited (vm98.h, "Time").
 */
#include "vm98-internal.h"

#include <stdlib.h>
#include <string.h>

void vm98_disk_destroy(struct vm98 *m)
{
	free(m->plugged.r);
}

static int64_t service_ns(const struct vm98 *m, const struct vm98_req *r)
{
	int64_t t = 0;
	if (r->sector != m->disk_last_end)
		t += m->par.v[VP_DISK_ACCESS_US] * 1000;
	t += (int64_t)r->nsect * 512 * 1000000 / m->par.v[VP_DISK_KBS];
	return t;
}

static bool req_before(const struct vm98_req *a, const struct vm98_req *b)
{
	return a->sector != b->sector ? a->sector < b->sector : a->seq < b->seq;
}

/* ll_rw_block/make_request (§10.3): insert in sector order; an idle disk
 * with an empty queue gets plugged.  Returns 0, -1 on out of memory (the
 * request is then done at once). */
int disk_submit(struct vm98 *m, int64_t sector, int32_t nsect, bool write,
		int action, int32_t arg)
{
	struct vm98_ring *q = &m->plugged;
	struct vm98_req r = {sector,	   0,	  nsect,	  arg,
			     m->req_seq++, write, (uint8_t)action};
	if (q->len == q->cap) {
		uint32_t cap = q->cap ? q->cap * 2 : 64;
		struct vm98_req *n = realloc(q->r, (size_t)cap * sizeof(*n));
		if (!n) {
			r.done = m->now;
			disk_io_done(m, &r);
			return -1;
		}
		q->r = n;
		q->cap = cap;
	}
	if (!m->disk_busy && !q->len)
		m->disk_plugged = true;
	uint32_t lo = 0, hi = q->len; /* first entry after r */
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (req_before(&q->r[mid], &r))
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(q->r + lo + 1, q->r + lo, (q->len - lo) * sizeof(r));
	q->r[lo] = r;
	q->len++;
	if (write)
		m->writes_outstanding++;
	return 0;
}

/* Starts the next request (C-SCAN from the head) at time t. */
static void start_next(struct vm98 *m, int64_t t)
{
	struct vm98_ring *q = &m->plugged;
	if (m->disk_busy || m->disk_plugged || !q->len)
		return;
	uint32_t lo = 0, hi = q->len;
	while (lo < hi) { /* first request at or after the head */
		uint32_t mid = (lo + hi) / 2;
		if (q->r[mid].sector < m->disk_last_end)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == q->len)
		lo = 0; /* wrap to the lowest sector */
	struct vm98_req r = q->r[lo];
	memmove(q->r + lo, q->r + lo + 1, (q->len - lo - 1) * sizeof(r));
	q->len--;
	int64_t start = m->disk_busy_until > t ? m->disk_busy_until : t;
	r.done = start + service_ns(m, &r);
	m->disk_busy_until = r.done;
	m->disk_last_end = r.sector + r.nsect;
	m->disk_cur = r;
	m->disk_busy = true;
}

/* run_task_queue(&tq_disk) at time t: unplug. */
void run_task_queue(struct vm98 *m, int64_t t)
{
	m->disk_plugged = false;
	start_next(m, t);
}

/* The request in service finishes; the next one starts. */
static void complete_one(struct vm98 *m)
{
	struct vm98_req r = m->disk_cur;
	m->disk_busy = false;
	disk_io_done(m, &r);
	start_next(m, r.done);
}

/* Completes every request done by t. */
void disk_complete_until(struct vm98 *m, int64_t t)
{
	while (m->disk_busy && m->disk_cur.done <= t)
		complete_one(m);
}

/* The submitter of request `seq` waits for it (wait_on_buffer /
 * wait_on_page run tq_disk first).  Returns its completion time. */
static int64_t disk_wait_seq(struct vm98 *m, int64_t t, uint32_t seq)
{
	run_task_queue(m, t);
	for (int64_t guard = 0; m->disk_busy; guard++) {
		bool mine = m->disk_cur.seq == seq;
		int64_t done = m->disk_cur.done;
		complete_one(m);
		if (mine)
			return done > t ? done : t;
		if (guard > (int64_t)m->plugged.len + 1000000)
			break;
	}
	return t;
}

/* Waits for the last request submitted. */
int64_t disk_wait_last(struct vm98 *m, int64_t t)
{
	if (!m->req_seq)
		return t;
	return disk_wait_seq(m, t, m->req_seq - 1);
}

/* Waits until the request in service completes (a free-memory or buffer
 * wait); returns its time, or t if the disk is idle. */
int64_t disk_wait_first(struct vm98 *m, int64_t t)
{
	run_task_queue(m, t);
	if (!m->disk_busy)
		return t;
	int64_t done = m->disk_cur.done;
	complete_one(m);
	return done > t ? done : t;
}

/* __get_request_wait for a write (§10.3): while the 42 write slots are
 * taken, wait for the request in service.  Returns the time it may go
 * on. */
int64_t disk_write_slot(struct vm98 *m, int64_t t)
{
	while (m->writes_outstanding >= NR_WRITE_REQUEST) {
		int64_t d = disk_wait_first(m, t);
		if (d == t && !m->disk_busy)
			break;
		t = d;
	}
	return t;
}

/* A finished request: what its completion does. */
void disk_io_done(struct vm98 *m, const struct vm98_req *r)
{
	if (r->write)
		m->writes_outstanding--;
	switch (r->action) {
	case IO_SWAP_WRITE_ASYNC: swap_write_done(m, r->arg); break;
	case IO_SWAP_UNLOCK: m->mem_map[r->arg].flags &= ~PG_locked; break;
	case IO_BUF_WRITE: buffer_write_done(m, r->arg); break;
	default: break;
	}
}
