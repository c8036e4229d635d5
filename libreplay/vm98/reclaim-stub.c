/*
 * reclaim-stub.c — no-op reclaim hooks: the do_try_to_free_pages hook of
 * the kernels other than 2.2.0 (which never call it), and stand-ins for
 * tests.  The real hooks are in vmscan.c.
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
