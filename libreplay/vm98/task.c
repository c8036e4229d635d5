/*
 * task.c — replayed tasks (§5.5 – §5.7, §14): their anonymous pages
 * (anon_touch: do_anonymous_page, do_wp_page, swap_in), task_exit, and
 * the closed-loop time model: an event of task T at trace time t happens
 * at model time t + delay[T]; a stall (reclaim, disk wait, kswapd holding
 * the CPU) adds to delay[T].  Events of a task whose model time is ahead
 * of the trace wait in that task's FIFO (vm98.c runs them in time order).
 */
#include "vm98-internal.h"

#include <stdlib.h>
#include <string.h>

void vm98_tasks_destroy(struct vm98 *m)
{
	for (int32_t t = 0; t < m->ntasks; t++) {
		free(m->tasks[t].pte);
		free(m->tasks[t].q);
	}
	free(m->tasks);
	free(m->waiting);
	free(m->wait_when);
	pairmap_destroy(&m->taskmap);
	pairmap_destroy(&m->ptemap);
}

/* The task of a trace id, created on first sight; -1 on out of memory.
 * Tasks are never removed: a direct-mapped cache of ids is exact. */
int32_t task_get(struct vm98 *m, int64_t id)
{
	struct vm98_taskid *c = &m->taskid_cache[(uint64_t)id & 63];
	if (c->t1 && c->id == id)
		return c->t1 - 1;
	int32_t t = pairmap_get(&m->taskmap, id, 0);
	if (t >= 0) {
		*c = (struct vm98_taskid){id, t + 1};
		return t;
	}
	if (m->ntasks == m->cap_tasks) {
		int32_t cap = m->cap_tasks ? m->cap_tasks * 2 : 16;
		struct vm98_task *n =
		    realloc(m->tasks, (size_t)cap * sizeof(*n));
		if (!n)
			return -1;
		m->tasks = n;
		m->cap_tasks = cap;
	}
	if (pairmap_put(&m->taskmap, id, 0, m->ntasks) < 0)
		return -1;
	t = m->ntasks++;
	struct vm98_task *T = &m->tasks[t];
	memset(T, 0, sizeof(*T));
	T->id = id;
	T->waitpos = -1;
	T->live = true;
	return t;
}

static int32_t pte_get(struct vm98 *m, int32_t t, int64_t vpage)
{
	int32_t pi = pairmap_get(&m->ptemap, t, vpage);
	if (pi >= 0)
		return pi;
	struct vm98_task *T = &m->tasks[t];
	if (T->npte == T->cap_pte) {
		int32_t cap = T->cap_pte ? T->cap_pte * 2 : 64;
		struct vm98_pte *n = realloc(T->pte, (size_t)cap * sizeof(*n));
		if (!n)
			return -1;
		T->pte = n;
		T->cap_pte = cap;
	}
	if (pairmap_put(&m->ptemap, t, vpage, T->npte) < 0)
		return -1;
	pi = T->npte++;
	T->pte[pi] = (struct vm98_pte){vpage, -1, PTE_NONE, 0};
	T->live = true;
	return pi;
}

/* A write to a page the task does not own a private copy of. */
static int anon_new_page(struct vm98 *m, int32_t t, int32_t pi)
{
	int32_t pfn = vm98_get_free_pages(m, RP_GFP_USER, 0);
	if (pfn < 0) {
		m->st.anon_fail++;
		return -1;
	}
	struct vm98_pte *pte = &m->tasks[t].pte[pi]; /* after reclaim */
	struct page *pg = &m->mem_map[pfn];
	page_set_kind(m, pfn, PK_ANON);
	pg->owner = t;
	pg->pte = pi;
	pte->state = PTE_PRESENT;
	pte->val = pfn;
	pte->bits = PTE_YOUNG | PTE_DIRTY; /* §5.8: ptes start young */
	task_rss_add(m, &m->tasks[t], 1);
	m->st.anon_fault++;
	return 0;
}

/* anon_touch event: `count` pages from virtual page `vpage`, flags bit 0
 * = write.  A read of an untouched page maps the zero page (no memory);
 * a write allocates (GFP_USER); a touch of a swapped-out page swaps it
 * in; a write to a swap-cached page takes it out of the swap cache
 * (do_wp_page).  Every touch sets the pte's accessed bit. */
int vm98_anon_touch(struct vm98 *m, int32_t t, int64_t vpage, int64_t count,
		    bool write)
{
	int res = VM98_OK;
	if (count < 1)
		count = 1;
	int32_t pi = -1;
	for (int64_t i = 0; i < count; i++) {
		/* ptes are in first-touch order: a range is often in a row */
		const struct vm98_task *T = &m->tasks[t];
		if (i == 0 || pi + 1 >= T->npte ||
		    T->pte[pi + 1].vpage != vpage + i)
			pi = pte_get(m, t, vpage + i);
		else
			pi++;
		if (pi < 0)
			return VM98_FAILED;
		struct vm98_pte *pte = &m->tasks[t].pte[pi];
		switch (pte->state) {
		case PTE_NONE:
		case PTE_ZERO:
			if (!write) {
				pte->state = PTE_ZERO;
				m->st.zero_map++;
			} else if (anon_new_page(m, t, pi) < 0) {
				res = VM98_FAILED;
			}
			break;
		case PTE_SWAP:
			if (swap_in(m, t, pi, write) < 0)
				res = VM98_FAILED;
			break;
		default: {
			struct page *pg = &m->mem_map[pte->val];
			pte->bits |= PTE_YOUNG;
			if (write && pg->kind == PK_SWAPCACHE) {
				delete_from_swap_cache(m, pte->val);
				pg->count--;
				page_set_kind(m, pte->val, PK_ANON);
			}
			if (write)
				pte->bits |= PTE_DIRTY;
		}
		}
	}
	return res;
}

/* task_exit event: frees every page and swap slot of the task. */
void vm98_task_exit(struct vm98 *m, int32_t t)
{
	struct vm98_task *T = &m->tasks[t];
	for (int32_t i = 0; i < T->npte; i++) {
		struct vm98_pte *pte = &T->pte[i];
		if (pte->state == PTE_PRESENT) {
			int32_t pfn = pte->val;
			struct page *pg = &m->mem_map[pfn];
			if (pg->kind == PK_SWAPCACHE) {
				delete_from_swap_cache(m, pfn);
				pg->count = 1;
			} else {
				page_set_kind(m, pfn, PK_NONE);
			}
			pg->owner = pg->pte = -1;
			pg->flags &= (uint8_t)~PG_referenced;
			free_pages(m, pfn, 0);
		} else if (pte->state == PTE_SWAP) {
			swap_free(m, pte->val);
		}
		pairmap_del(&m->ptemap, t, pte->vpage);
	}
	T->npte = 0;
	task_rss_add(m, T, -T->rss);
	T->swap_cnt = 0;
	T->swap_address = 0;
	T->live = false;
	m->st.task_exit++;
}

/* ------------------------------------------------- deferred events */

/* Waiting task t's next event time became w (INT64_MAX: t stopped
 * waiting).  The cached earliest event (task_next_event) stays right
 * unless t was it or t must be pushed back behind kswapd: a rescan
 * would push no task back and find the old answer, or t. */
static void tev_changed(struct vm98 *m, int32_t t, int64_t w)
{
	if (!m->tev_valid)
		return;
	if (t == m->tev_task || w < m->cpu_busy_until) {
		m->tev_valid = false;
		return;
	}
	if (m->tev_task < 0 || w < m->tev_when ||
	    (w == m->tev_when && t < m->tev_task)) {
		m->tev_task = t;
		m->tev_when = w;
	}
}

static struct vm98_devent devent_pack(const struct rp_event *ev)
{
	bool file = ev->kind == RP_FILE_READ || ev->kind == RP_FILE_WRITE;
	return (struct vm98_devent){
	    .ts_ns = ev->ts_ns,
	    .a = file ? ev->file : ev->dev,
	    .b = file || ev->kind == RP_ANON_TOUCH ? ev->offset : ev->block,
	    .count = ev->count,
	    .present = ev->present,
	    .kind = ev->kind,
	    .gfp = ev->gfp,
	    .flags = (uint8_t)ev->flags,
	};
}

static void devent_unpack(const struct vm98_devent *d, int64_t task,
			  struct rp_event *ev)
{
	*ev = (struct rp_event){
	    .ts_ns = d->ts_ns,
	    .present = d->present,
	    .kind = d->kind,
	    .gfp = d->gfp,
	    .task = task,
	    .file = d->a,
	    .dev = d->a,
	    .offset = d->b,
	    .block = d->b,
	    .count = d->count,
	    .flags = d->flags,
	};
}

static int task_queue_grow(struct vm98_task *T)
{
	uint32_t cap = T->qcap ? T->qcap * 2 : 16;
	struct vm98_devent *n = malloc((size_t)cap * sizeof(*n));
	if (!n)
		return -1;
	for (uint32_t i = 0; i < T->qlen; i++)
		n[i] = T->q[(T->qhead + i) & (T->qcap - 1)];
	free(T->q);
	T->q = n;
	T->qhead = 0;
	T->qcap = cap;
	return 0;
}

/* Puts task t on the waiting list; -1 on out of memory. */
static int task_wait(struct vm98 *m, int32_t t)
{
	if (m->nwaiting == m->cap_waiting) {
		int32_t cap = m->cap_waiting ? m->cap_waiting * 2 : 16;
		int32_t *n = realloc(m->waiting, (size_t)cap * sizeof(*n));
		if (n)
			m->waiting = n;
		int64_t *w = realloc(m->wait_when, (size_t)cap * sizeof(*w));
		if (w)
			m->wait_when = w;
		if (!n || !w)
			return -1;
		m->cap_waiting = cap;
	}
	struct vm98_task *T = &m->tasks[t];
	T->waitpos = m->nwaiting;
	m->waiting[m->nwaiting] = t;
	m->wait_when[m->nwaiting++] = T->next_ts + T->delay;
	tev_changed(m, t, T->next_ts + T->delay);
	return 0;
}

/* Queues a closed-loop event (is_closed_loop kinds only). */
int task_defer(struct vm98 *m, int32_t t, const struct rp_event *ev)
{
	struct vm98_task *T = &m->tasks[t];
	if (T->qlen == T->qcap && task_queue_grow(T) < 0)
		return -1;
	T->q[(T->qhead + T->qlen++) & (T->qcap - 1)] = devent_pack(ev);
	if (T->qlen == 1)
		T->next_ts = ev->ts_ns;
	if (T->waitpos < 0 && task_wait(m, t) < 0) {
		T->qlen--;
		return -1;
	}
	m->st.deferred++;
	return 0;
}

/* A stall of task t (apply_one): its later events happen later. */
void task_add_delay(struct vm98 *m, int32_t t, int64_t ns)
{
	struct vm98_task *T = &m->tasks[t];
	T->delay += ns;
	if (T->waitpos >= 0)
		tev_changed(m, t, m->wait_when[T->waitpos] += ns);
}

/* The earliest deferred task event: its task (-1: none), and its time
 * in *when.  A task waiting behind kswapd's CPU is pushed back to when
 * the CPU is free.  Cached: a recomputation with nothing changed would
 * find the same event and push no task back. */
int32_t task_next_event(struct vm98 *m, int64_t *when)
{
	if (!m->tev_valid) {
		int32_t best = -1;
		int64_t w_best = INT64_MAX, busy = m->cpu_busy_until;
		for (int32_t i = 0; i < m->nwaiting; i++) {
			int32_t t = m->waiting[i];
			int64_t w = m->wait_when[i]; /* next_ts + delay */
			if (w < busy) {
				m->tasks[t].delay += busy - w;
				m->wait_when[i] = w = busy;
			}
			if (w < w_best || (w == w_best && t < best)) {
				w_best = w;
				best = t;
			}
		}
		m->tev_task = best;
		m->tev_when = w_best;
		m->tev_valid = true;
	}
	*when = m->tev_when;
	return m->tev_task;
}

/* Takes task t's next deferred event off its FIFO. */
void task_pop(struct vm98 *m, int32_t t, struct rp_event *out)
{
	struct vm98_task *T = &m->tasks[t];
	devent_unpack(&T->q[T->qhead], T->id, out);
	T->qhead = (T->qhead + 1) & (T->qcap - 1);
	/* the ring is cold (written VM98_MAX_DEFERRED events ago) */
	__builtin_prefetch(&T->q[(T->qhead + 4) & (T->qcap - 1)]);
	if (--T->qlen) {
		T->next_ts = T->q[T->qhead].ts_ns;
		m->wait_when[T->waitpos] = T->next_ts + T->delay;
		tev_changed(m, t, T->next_ts + T->delay);
		return;
	}
	tev_changed(m, t, INT64_MAX);
	int32_t last = m->waiting[--m->nwaiting];
	m->waiting[T->waitpos] = last;
	m->wait_when[T->waitpos] = m->wait_when[m->nwaiting];
	m->tasks[last].waitpos = T->waitpos;
	T->waitpos = -1;
}
