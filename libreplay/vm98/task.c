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
	pairmap_destroy(&m->taskmap);
	pairmap_destroy(&m->ptemap);
}

/* The task of a trace id, created on first sight; -1 on out of memory. */
int32_t task_get(struct vm98 *m, int64_t id)
{
	int32_t t = pairmap_get(&m->taskmap, id, 0);
	if (t >= 0)
		return t;
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
	m->tasks[t].rss++;
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
	for (int64_t i = 0; i < count; i++) {
		int32_t pi = pte_get(m, t, vpage + i);
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
	T->rss = T->swap_cnt = 0;
	T->swap_address = 0;
	T->live = false;
	m->st.task_exit++;
}

/* ------------------------------------------------- deferred events */

int task_defer(struct vm98 *m, int32_t t, const struct rp_event *ev)
{
	struct vm98_task *T = &m->tasks[t];
	if (T->qlen == T->qcap) {
		uint32_t cap = T->qcap ? T->qcap * 2 : 16;
		struct rp_event *n = malloc((size_t)cap * sizeof(*n));
		if (!n)
			return -1;
		for (uint32_t i = 0; i < T->qlen; i++)
			n[i] = T->q[(T->qhead + i) & (T->qcap - 1)];
		free(T->q);
		T->q = n;
		T->qhead = 0;
		T->qcap = cap;
	}
	T->q[(T->qhead + T->qlen++) & (T->qcap - 1)] = *ev;
	if (T->waitpos < 0) {
		if (m->nwaiting == m->cap_waiting) {
			int32_t cap = m->cap_waiting ? m->cap_waiting * 2 : 16;
			int32_t *n =
			    realloc(m->waiting, (size_t)cap * sizeof(*n));
			if (!n) {
				T->qlen--;
				return -1;
			}
			m->waiting = n;
			m->cap_waiting = cap;
		}
		T->waitpos = m->nwaiting;
		m->waiting[m->nwaiting++] = t;
	}
	m->st.deferred++;
	return 0;
}

/* Model time of task t's next deferred event (a task waiting behind
 * kswapd's CPU is pushed back to when the CPU is free). */
int64_t task_next_time(struct vm98 *m, int32_t t)
{
	struct vm98_task *T = &m->tasks[t];
	int64_t when = T->q[T->qhead].ts_ns + T->delay;
	if (when < m->cpu_busy_until) {
		T->delay += m->cpu_busy_until - when;
		when = m->cpu_busy_until;
	}
	return when;
}

/* Takes task t's next deferred event off its FIFO. */
void task_pop(struct vm98 *m, int32_t t, struct rp_event *out)
{
	struct vm98_task *T = &m->tasks[t];
	*out = T->q[T->qhead];
	T->qhead = (T->qhead + 1) & (T->qcap - 1);
	if (--T->qlen == 0) {
		int32_t last = m->waiting[--m->nwaiting];
		m->waiting[T->waitpos] = last;
		m->tasks[last].waitpos = T->waitpos;
		T->waitpos = -1;
	}
}
