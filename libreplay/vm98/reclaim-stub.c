/*
 * reclaim-stub.c — the reclaim hooks of the kernel ops tables (spec §5,
 * §6, §8) until the reclaim issue implements them.  They do nothing:
 * try_to_free_page frees no page and reports failure, so a non-atomic
 * allocation whose buddy search fails fails at once (no retry); waking
 * kswapd and the clock tick are counted only.
 */
#include "vm98-internal.h"

/* try_to_free_page / do_try_to_free_pages / sct's wait: frees nothing. */
int vm98_reclaim_none(struct vm98 *m, int mask)
{
	(void)m;
	(void)mask;
	return 0;
}

/* wake_up(&kswapd_wait): counted; kswapd does not exist yet. */
void vm98_wakeup_none(struct vm98 *m)
{
	m->st.kswapd_wakeups++;
}

/* swap_tick (§5.3), called every tick; 2.2.0 has none. */
void vm98_tick_none(struct vm98 *m)
{
	(void)m;
}
