/*
 * vmscan.c — page reclaim (§5), mm/vmscan.c: swap_out and
 * try_to_swap_out (§5.5 – §5.7), do_try_to_free_page's state machine
 * (§5.4), try_to_free_page, 2.2.0's do_try_to_free_pages, kswapd's loop
 * per version (§5.2) and swap_tick's wake rule per version (§5.3),
 * Stephen's kswapd with a free-memory wait (§13 P11).
 *
 * Time: reclaim runs at the moment it is called.  Its CPU (pages
 * scanned, ptes visited, calls) and its waits for the disk accumulate in
 * m->rc; a direct reclaim's total is the allocating task's stall, a
 * kswapd pass's CPU holds the CPU (SCHED_FIFO, §5.1) so user tasks'
 * later events wait for it (vm98.c).
 */
#include "vm98-internal.h"

#define NOWAIT20       0x100 /* model bit: 2.0.33 try_to_free_page(wait = 0) */
#define PAGEOUT_WEIGHT 8192  /* swap_out counter weight (§5.8) */

static bool reclaim_wait(const struct vm98 *m, int mask)
{
	if (m->ops->gfp_family == VM98_GFP_20)
		return !(mask & NOWAIT20);
	return vm98_gfp_wait(m->ops->gfp_family, mask);
}

static int kswapd_mask(const struct vm98 *m)
{
	switch (m->ops->gfp_family) {
	case VM98_GFP_20: return GFP20_KERNEL | NOWAIT20;
	case VM98_GFP_21: return GFP21_IO;
	default: return GFP22_IO | GFP22_SWAP; /* GFP_KSWAPD */
	}
}

/* BUFFER_MEM (§2): buffer pages + page_cache_size. */
static int64_t buffer_mem(const struct vm98 *m)
{
	return m->nr_kind[PK_BUFFER] + m->nr_kind[PK_CACHE] +
	       m->nr_kind[PK_SWAPCACHE];
}

/* ------------------------------------------------------------ swap_out */

/* try_to_swap_out (§5.7): one pte.  Returns 1 if a page was freed or a
 * swap write queued, 0 otherwise. */
int try_to_swap_out(struct vm98 *m, int32_t t, int32_t pi, int mask)
{
	struct vm98_task *T = &m->tasks[t];
	struct vm98_pte *pte = &T->pte[pi];
	const int kind = m->ops->swapout_kind;
	if (pte->state != PTE_PRESENT)
		return 0;
	int32_t pfn = pte->val;
	struct page *pg = &m->mem_map[pfn];
	if ((pg->flags & PG_locked) ||
	    ((mask & GFP_DMA_BIT) && !(pg->flags & PG_DMA)))
		return 0;
	page_unquiet(m, pfn);	     /* mapped: never quiet, but be sure */
	if (pte->bits & PTE_YOUNG) { /* referenced since the last visit */
		pte->bits &= (uint8_t)~PTE_YOUNG;
		if (kind == SWAPOUT_22)
			pg->flags |= PG_referenced;
		else /* touch_page */
			pg->age = pg->age + PAGE_ADVANCE > MAX_PAGE_AGE
				      ? MAX_PAGE_AGE
				      : pg->age + PAGE_ADVANCE;
		return 0;
	}
	if (kind != SWAPOUT_22) { /* age_page */
		if (pg->age > 0)
			pg->age -= PAGE_DECLINE;
		if (pg->age > 0)
			return 0;
	}
	if (pg->kind == PK_SWAPCACHE) { /* clean: the swap copy is valid */
		int32_t e = pg->slot;
		task_rss_add(m, T, -1);
		pte->state = PTE_SWAP;
		pte->val = e;
		pte->bits = 0;
		swap_duplicate(m, e);
		pg->count--;
		pg->owner = pg->pte = -1;
		if (kind == SWAPOUT_22)
			return 0; /* stays cached for shrink_mmap */
		delete_from_swap_cache(m, pfn); /* free_page_and_swap_cache */
		m->st.swapout_freed++;
		page_free_reclaimed(m, pfn);
		return 1;
	}
	/* dirty anonymous page: write it to swap */
	bool io = vm98_gfp_io(m->ops->gfp_family, mask & ~NOWAIT20);
	if (!io && (kind != SWAPOUT_89 || !m->par.v[VP_SWAPOUT_NOIO]))
		return 0; /* 2.1.89–2.1.92 do not test __GFP_IO (§15) */
	int32_t e = get_swap_page(m);
	if (!e) {
		m->st.swap_full++;
		return 0;
	}
	task_rss_add(m, T, -1);
	T->nswap++;
	pte->state = PTE_SWAP;
	pte->val = e;
	pte->bits = 0;
	pg->owner = pg->pte = -1;
	page_set_kind(m, pfn, PK_NONE);
	add_to_swap_cache(m, pfn, e);
	m->st.swap_out++;
	bool wait = kind != SWAPOUT_22 && reclaim_wait(m, mask);
	rw_swap_page(m, pfn, e, true, wait);
	if (kind == SWAPOUT_22) /* stays in the swap cache (count 1) */
		return 1;
	delete_from_swap_cache(m, pfn);
	if (m->mem_map[pfn].flags & PG_locked) { /* async: freed at the end */
		page_set_kind(m, pfn, PK_SWAPIO);
		m->mem_map[pfn].slot = e;
	} else {
		m->st.swapout_freed++;
		page_free_reclaimed(m, pfn);
	}
	return 1;
}

/* swap_out_process (§5.6): walks the ptes from the resume point. */
static int swap_out_process(struct vm98 *m, int32_t t, int mask)
{
	int64_t visited = 0;
	int r = 0;
	for (int32_t i = m->tasks[t].swap_address; i < m->tasks[t].npte; i++) {
		m->tasks[t].swap_address = i + 1;
		visited++;
		if ((r = try_to_swap_out(m, t, i, mask)))
			break;
	}
	if (!r)
		m->tasks[t].swap_address = 0;
	m->st.ptes += (uint64_t)visited;
	rc_cpu(m, visited * m->par.v[VP_CPU_PTE_NS]);
	return r;
}

static int32_t pick_victim(struct vm98 *m)
{
	int32_t best = -1;
	for (int32_t t = 0; t < m->ntasks; t++) {
		const struct vm98_task *T = &m->tasks[t];
		if (T->live && T->rss > 0 && T->swap_cnt > 0 &&
		    (best < 0 || T->swap_cnt > m->tasks[best].swap_cnt))
			best = t;
	}
	return best;
}

/* AGE_CLUSTER_SIZE(rss) = max(rss·32/1024, AGE_CLUSTER_MIN) (§5.5, §5.8) */
static int64_t age_cluster_size(int64_t rss)
{
	return rss / 32 > 4 ? rss / 32 : 4;
}

/* The next task from m->swap_task on with resident pages, wrapping once
 * (2.0.33's `task[swap_task]` walk); -1 if there is none. */
static int32_t next_rr_task(struct vm98 *m)
{
	for (bool wrapped = false;; m->swap_task++) {
		if (m->swap_task >= m->ntasks) {
			m->swap_task = 0;
			if (wrapped)
				return -1;
			wrapped = true;
		}
		const struct vm98_task *T = &m->tasks[m->swap_task];
		if (T->live && T->rss > 0)
			return m->swap_task;
	}
}

/* 2.0.33 swap_out (§5.5): tasks round robin from a static index, each
 * given AGE_CLUSTER_SIZE(rss) tries before the index moves on (at once
 * when its walk finds nothing); scan weight shift 10 at priorities 6–4 or
 * while kswapd is awake, 9 at 3–1, 8 at 0. */
static int swap_out_20(struct vm98 *m, int prio, int mask, int64_t nr)
{
	bool awake = m->rc.kswapd || m->now < m->kswapd_awake_until;
	int shift = prio >= 4 || awake ? 10 : prio >= 1 ? 9 : 8;
	int64_t counter = ((PAGEOUT_WEIGHT * nr) >> shift) >> prio;
	for (; counter >= 0; counter--) {
		int32_t t = next_rr_task(m);
		if (t < 0)
			return 0; /* all unswappable or swapped out */
		struct vm98_task *T = &m->tasks[t];
		if (!T->swap_cnt)
			T->swap_cnt = age_cluster_size(T->rss);
		if (!--T->swap_cnt)
			m->swap_task++;
		int r = swap_out_process(m, t, mask);
		if (r == 1)
			return 1;
		if (r == 0 && T->swap_cnt)
			m->swap_task++;
	}
	return 0;
}

/* swap_out (§5.5): the task with the largest swap_cnt; 2.2.0 re-assigns
 * swap_cnt = rss and does not decrement it; 2.0.33: swap_out_20. */
int swap_out(struct vm98 *m, int prio, int mask)
{
	if (!m->nr_rss_tasks) /* pick_victim finds none, even after */
		return 0;     /* re-assigning swap_cnt: nothing to do */
	int64_t nr = 0;
	for (int32_t t = 0; t < m->ntasks; t++)
		nr += m->tasks[t].live;
	if (m->ops->swapout_rr)
		return swap_out_20(m, prio, mask, nr);
	const bool v22 = m->ops->swapout_kind == SWAPOUT_22;
	int64_t counter =
	    v22 ? nr / (prio + 1) : ((PAGEOUT_WEIGHT * nr) >> 10) >> prio;
	if (v22)
		counter = counter < 1 ? 1 : counter > nr ? nr : counter;
	for (int64_t i = 0; i <= counter; i++) {
		int32_t best = pick_victim(m);
		if (best < 0) {
			for (int32_t t = 0; t < m->ntasks; t++) {
				struct vm98_task *T = &m->tasks[t];
				if (T->live && T->rss > 0)
					T->swap_cnt =
					    v22 ? T->rss
						: age_cluster_size(T->rss);
			}
			if ((best = pick_victim(m)) < 0)
				return 0;
		}
		if (!v22)
			m->tasks[best].swap_cnt--;
		int r = swap_out_process(m, best, mask);
		if (r == 1)
			return 1;
		m->tasks[best].swap_cnt = 0;
	}
	return 0;
}

/* ------------------------------------------------- try_to_free_page */

/* kmem_cache_reap at the start of every call (§7.3); its pages are not
 * in the return value. */
static void reap(struct vm98 *m, int mask)
{
	if (m->ops->slab_kind == VM98_KMALLOC_20)
		return;
	int n = kmem_cache_reap(m, RP_GFP_KERNEL |
				       ((mask & GFP_DMA_BIT) ? RP_GFP_DMA : 0));
	m->st.reap_pages += (uint64_t)n;
	m->st.reclaimed += (uint64_t)n;
	m->rc.freed += n;
}

/* do_try_to_free_page (§5.4): methods 0 shrink_mmap, 1 shm_swap (no
 * SysV shm in the model: always 0), 2 swap_out; the state survives calls;
 * priorities 6..0 with __GFP_WAIT, 6..3 without; the quota lines of
 * 2.1.90pre3+. */
int do_try_to_free_page(struct vm98 *m, int mask)
{
	const int64_t P = m->P;
	reap(m, mask);
	int stop = reclaim_wait(m, mask) ? 0 : 3;
	switch (m->ops->quota_kind) {
	case QUOTA_90:
		if (buffer_mem(m) > 20 * P / 100)
			m->dtfp_state = 0;
		break;
	case QUOTA_91:
		if (m->nr_kind[PK_BUFFER] * 100 > 10 * P ||
		    (m->nr_kind[PK_CACHE] + m->nr_kind[PK_SWAPCACHE]) * 100 >
			30 * P)
			m->dtfp_state = 0;
		break;
	default: break;
	}
	for (int i = 6; i >= stop; i--) {
		switch (m->dtfp_state) {
		case 0:
			if (m->ops->quota_kind != QUOTA_90 ||
			    buffer_mem(m) > 6 * P / 100)
				if (shrink_mmap(m, i, mask & ~NOWAIT20))
					return 1;
			m->dtfp_state = 1;
			/* fall through */
		case 1:
			m->dtfp_state = 2; /* shm_swap: nothing */
					   /* fall through */
		default:
			if (swap_out(m, i, mask))
				return 1;
			m->dtfp_state = 0;
		}
	}
	return 0;
}

/* try_to_free_page(mask): the hook of the 2.0.33 – 2.1.92 allocators
 * (and kswapd's step). */
int vm98_try_to_free_page(struct vm98 *m, int mask)
{
	m->rc.calls++;
	if (!m->rc.kswapd)
		m->st.direct_calls++;
	else
		m->st.kswapd_tries++;
	rc_cpu(m, m->par.v[VP_CPU_TRY_NS]);
	return do_try_to_free_page(m, mask);
}

/* 2.2.0 do_try_to_free_pages (§5.4): goal 32 pages. */
int vm98_do_try_to_free_pages_22(struct vm98 *m, int mask)
{
	int count = SWAP_CLUSTER_MAX;
	m->rc.calls++;
	if (!m->rc.kswapd)
		m->st.direct_calls++;
	else
		m->st.kswapd_tries++;
	rc_cpu(m, m->par.v[VP_CPU_TRY_NS]);
	reap(m, mask);
	for (int prio = 6; prio >= 0; prio--) {
		while (shrink_mmap(m, prio, mask))
			if (--count == 0)
				return 1;
		while (swap_out(m, prio, mask))
			if (--count == 0)
				return 1;
	}
	return 0;
}

/* ------------------------------------------------------------- kswapd */

/* kswapd "tries" per wake-up (§5.2, §11.3): formulas A (2.1.89), C
 * (2.1.90), D (2.1.91pre1) and 200 >> fma(3) (2.1.91/2.1.92). */
int64_t vm98_kswapd_tries(int kind, int64_t nfree, int64_t min, int64_t low,
			  int64_t high, int fma3)
{
	int64_t tries = high - nfree;
	switch (kind) {
	case KSWAPD_A:
		if (tries < min) {
			tries = min;
		} else if (nfree < (high + low) / 2) {
			tries *= 2;
			if (nfree < low) {
				tries *= 2;
				if (nfree <= min)
					tries *= 2;
			}
		}
		return tries;
	case KSWAPD_C:
	case KSWAPD_RIK:
		if (tries < min)
			tries = min;
		if (nfree < high + low) /* practically always (§15) */
			tries *= 2;
		return tries;
	case KSWAPD_D:
		if (tries < min)
			tries = min;
		if (nfree < low)
			tries *= 2;
		return tries;
	case KSWAPD_91: return 200 >> (fma3 < 0 ? 0 : fma3 > 7 ? 7 : fma3);
	default: return 0;
	}
}

#define KSWAPD_LOOP_CAP 200000 /* unbounded loops of §5.2 must end */

static void tries_loop(struct vm98 *m)
{
	const int kind = m->ops->kswapd_kind;
	const int mask = kswapd_mask(m);
	const bool ignore = m->par.v[VP_IGNORE_RESULT] != 0;
	int64_t tries;
	if (kind == KSWAPD_LINUS)
		tries = m->par.v[VP_TRIES];
	else
		tries = vm98_kswapd_tries(
		    kind, m->nr_free_pages, m->freepages.min, m->freepages.low,
		    m->freepages.high, free_memory_available(m, 3));
	int64_t tried = 0;
	while (tries-- > 0) {
		switch (kind) { /* the early exit */
		case KSWAPD_A:
		case KSWAPD_C:
		case KSWAPD_LINUS:
			if (free_memory_available(m, 0) > 0)
				return;
			break;
		case KSWAPD_RIK:
			if (buffer_mem(m) < 90 * m->P / 100) {
				if (free_memory_available(m, 0) > 0 &&
				    m->nr_free_pages + m->nr_async_pages >
					m->freepages.high)
					return;
				if (m->nr_free_pages > 4 * m->freepages.high)
					return;
			}
			break;
		default: /* D, 91 */
			if (++tried > 32 && free_memory_available(m, 0) > 0)
				return;
		}
		int r = vm98_try_to_free_page(m, mask);
		if (kind == KSWAPD_LINUS) {
			if (!r)
				return;
			run_task_queue(m, rc_now(m));
			continue;
		}
		if (!r && !ignore)
			return;
		if (m->nr_async_pages >= SWAP_CLUSTER_MAX)
			run_task_queue(m, rc_now(m));
	}
}

static void kswapd_loop(struct vm98 *m)
{
	const int64_t nfree = m->nr_free_pages;
	switch (m->ops->kswapd_kind) {
	case KSWAPD_20: { /* §5.2 2.0.33 */
		int64_t reserved = m->freepages.min;
		if (reserved >= 48)
			reserved -= 12 + reserved / 8;
		int64_t n = 4 + (nfree <= reserved ? reserved + 1 - nfree : 0);
		for (int64_t i = 0; i < n; i++)
			vm98_try_to_free_page(
			    m,
			    GFP20_KERNEL | (m->nr_free_pages <= m->freepages.min
						? 0
						: NOWAIT20));
		break;
	}
	case KSWAPD_88: {
		int fails = 0;
		for (int i = 0; i < KSWAPD_LOOP_CAP && fails < 3; i++) {
			int64_t pages = m->nr_free_pages;
			if (pages >= m->freepages.min)
				pages += m->nr_async_pages;
			if (pages >= m->freepages.high)
				break;
			int mask = GFP21_IO |
				   (pages < m->freepages.low ? GFP21_WAIT : 0);
			fails = vm98_try_to_free_page(m, mask) ? 0 : fails + 1;
		}
		break;
	}
	case KSWAPD_89PRE1: {
		bool wait = false;
		for (int i = 0; i < KSWAPD_LOOP_CAP; i++) {
			if (free_memory_available(m, 0) > 0)
				break;
			int r = vm98_try_to_free_page(
			    m, GFP21_IO | (wait ? GFP21_WAIT : 0));
			if (r)
				wait = false;
			else if (wait)
				break; /* "kswapd: failed to free page" */
			else
				wait = true;
		}
		break;
	}
	case KSWAPD_22:
		for (int i = 0; i < KSWAPD_LOOP_CAP; i++) {
			if (m->nr_free_pages >= m->freepages.high)
				break;
			if (!vm98_do_try_to_free_pages_22(m, kswapd_mask(m)))
				break;
			if (m->rc.cpu >= m->par.v[VP_NEED_RESCHED_NS])
				break; /* need_resched */
		}
		break;
	case KSWAPD_SCT: {
		int64_t done = 0;
		for (int i = 0;
		     i < KSWAPD_LOOP_CAP && done < m->par.v[VP_SCT_BATCH];
		     i++) {
			if (!vm98_try_to_free_page(m, kswapd_mask(m)))
				break;
			done++;
			if (m->nr_async_pages >= SWAP_CLUSTER_MAX)
				run_task_queue(m, rc_now(m));
		}
		break;
	}
	default: tries_loop(m);
	}
}

/* One kswapd wake-up: the loop, tq_disk before sleeping (§5.1).  Runs in
 * its own reclaim context; returns the pages it gave back. */
int64_t kswapd_pass(struct vm98 *m)
{
	struct vm98_rc saved = m->rc;
	m->rc = (struct vm98_rc){.t0 = m->now, .kswapd = true};
	m->st.kswapd_passes++;
	m->st.ctxsw += 2;
	rc_cpu(m, 2 * m->par.v[VP_CTXSW_NS]);
	kswapd_loop(m);
	run_task_queue(m, rc_now(m));
	int64_t freed = m->rc.freed;
	m->st.kswapd_cpu += m->rc.cpu;
	int64_t start = m->cpu_busy_until > m->now ? m->cpu_busy_until : m->now;
	m->cpu_busy_until = start + m->rc.cpu;
	m->tev_valid = false; /* task_next_event pushes tasks back */
	m->kswapd_awake_until = m->now + m->rc.elapsed;
	uint64_t ticks = (uint64_t)(m->rc.elapsed / VM98_TICK_NS);
	if (m->rc.blocked && m->par.v[VP_SLEEP_QUIRK])
		m->kswapd_rerun = true;	  /* §5.1: 2.1.89 passes again */
	if (m->ops->tick_kind == TICK_20) /* kswapd sets it going to sleep */
		m->next_swap_jiffies =
		    m->jiffies + ticks +
		    (m->last_wakeup_low ? SWAPOUT_INTERVAL / 2
					: SWAPOUT_INTERVAL);
	if (m->ops->tick_kind == TICK_22)
		m->kswapd_timer = m->jiffies + ticks + HZ;
	m->last_pass_elapsed = m->rc.elapsed;
	m->rc = saved;
	return freed;
}

/* wake_up(&kswapd_wait) from an allocation (2.2.0 try_to_free_pages,
 * sct): kswapd runs at the next tick. */
void vm98_wakeup_kswapd(struct vm98 *m)
{
	m->st.kswapd_wakeups++; /* wake_up calls (metric kswapd_wakeups) */
	m->kswapd_pending = true;
}

/* Stephen (§13 P11): a failing __GFP_WAIT allocation wakes kswapd and
 * sleeps on the free-memory queue until kswapd has freed something (a
 * page freed by an async write completing counts: the wait ends at the
 * first completion).  The try_to_free_page hook of sct. */
int vm98_sct_wait(struct vm98 *m, int mask)
{
	(void)mask;
	m->rc.calls++;
	m->kswapd_pending = false;
	int64_t before = m->nr_free_pages;
	int64_t t = rc_now(m);
	int64_t freed = kswapd_pass(m);
	rc_wait(m, t + m->last_pass_elapsed);
	if (m->nr_free_pages <= before && (m->disk_busy || m->plugged.len))
		rc_wait(m, disk_wait_first(m, rc_now(m)));
	return freed > 0 || m->nr_free_pages > before;
}

/* ---------------------------------------------------------- swap_tick */

static void wake(struct vm98 *m)
{
	if (m->now >= m->kswapd_awake_until) { /* kswapd_awake gate */
		m->st.kswapd_wakeups++;
		kswapd_pass(m);
	}
}

/* A wake-up an allocation asked for (already counted). */
static void wake_pending(struct vm98 *m)
{
	m->kswapd_pending = false;
	if (m->now >= m->kswapd_awake_until)
		kswapd_pass(m);
}

/* swap_tick (§5.3), every tick; 2.2.0 has none (its 1-s timer and the
 * allocators' wake-ups are served here).  Also runs bdflush when it was
 * woken (§8.4). */
void vm98_swap_tick(struct vm98 *m)
{
	if (m->bdflush_wanted)
		bdflush(m);
	if (m->update_pending)
		sync_old_buffers(m);
	if (m->kswapd_rerun && m->now >= m->kswapd_awake_until) {
		m->kswapd_rerun = false; /* 2.1.89: no sleep after blocking */
		kswapd_pass(m);
		return;
	}
	const int64_t pages = m->nr_free_pages + m->nr_async_pages;
	const uint64_t j = m->jiffies;
	const int64_t P = m->P;
	switch (m->ops->tick_kind) {
	case TICK_20: {
		bool want = false;
		if (pages < m->freepages.low) {
			if (m->last_wakeup_low) {
				want = j >= m->next_swap_jiffies;
			} else {
				m->last_wakeup_low = 1;
				want = true;
			}
		} else if (pages < m->freepages.high &&
			   j >= m->next_swap_jiffies) {
			m->last_wakeup_low = 0;
			want = true;
		}
		if (want)
			wake(m);
		break;
	}
	case TICK_88:
	case TICK_90: {
		bool low = pages < m->freepages.low;
		bool periodic = pages < m->freepages.high ||
				(m->ops->tick_kind == TICK_90 &&
				 buffer_mem(m) > 90 * P / 100);
		if (low || (periodic && j >= m->next_swap_jiffies)) {
			wake(m);
			m->next_swap_jiffies = j + (low ? 0 : SWAPOUT_INTERVAL);
		}
		break;
	}
	case TICK_91PRE1:
	case TICK_91: {
		int r = free_memory_available(m, 3);
		bool due = j >= m->next_swap_jiffies, want = false;
		int top = m->ops->tick_kind == TICK_91 ? 3 : 2;
		if (r == 0)
			due = want = true;
		else if (r >= 1 && r <= top)
			want = true;
		bool extra;
		if (m->ops->tick_kind == TICK_91PRE1) {
			extra = buffer_mem(m) * 100 > 90 * P;
		} else {
			int64_t pc =
			    m->nr_kind[PK_CACHE] + m->nr_kind[PK_SWAPCACHE];
			extra = m->nr_kind[PK_BUFFER] * 100 > 30 * P ||
				(m->par.v[VP_PGCACHE_TICK_BUG]
				     ? pc > 75 * P /* §15: the missing ×100 */
				     : pc * 100 > 75 * P);
		}
		if (due && (want || extra)) {
			m->next_swap_jiffies = j + SWAPOUT_INTERVAL;
			wake(m);
		}
		break;
	}
	case TICK_LINUS:
		if (free_memory_available(m, 0) <= 0 &&
		    (m->par.v[VP_WAKE_EVERY_TICK] ||
		     j >= m->next_swap_jiffies)) {
			m->next_swap_jiffies =
			    j + (uint64_t)m->par.v[VP_WAKE_PERIOD];
			wake(m);
		}
		break;
	case TICK_22:
		if (m->kswapd_pending) {
			m->kswapd_timer = j + HZ;
			wake_pending(m);
		} else if (j >= m->kswapd_timer) {
			m->kswapd_timer = j + HZ;
			wake(m);
		}
		break;
	case TICK_SCT:
		if (m->kswapd_pending) {
			wake_pending(m);
		} else if (j >= m->next_swap_jiffies &&
			   (pages < m->freepages.high ||
			    free_memory_available(m, 3) == 0)) {
			m->next_swap_jiffies =
			    j + (uint64_t)m->par.v[VP_WAKE_PERIOD];
			wake(m);
		}
		break;
	default: break;
	}
}
