/*
 * kernel-2.1.88.c — kernel "2.1.88": 2.1.88 (P1): last kernel before
 * free_memory_available; maxorder allocator. §3.6 maxorder, §3.7 one
 * try_to_free_page per retry, no fma; reaps one slab per call (§7.3). Reclaim:
 * §5.2 2.1.88 (stop at high or 3 failures), §5.3 2.1.88, §6.2 before 2.1.89,
 * §5.7 2.0.33-style try_to_swap_out.
 */
#include "vm98-internal.h"

static const struct vm98_param params[] = {
    VM98_PARAMS_BOOT(800, 48), VM98_PARAMS_NET(152, 0), VM98_PARAM_SLAB_MGMT,
    VM98_PARAM_UPDATE,	       VM98_PARAMS_RECLAIM,
};

static const struct vm98_ops ops = {
    .gfp_family = VM98_GFP_21,
    .wm_family = VM98_WM_21,
    .fma_kind = VM98_FMA_NONE,
    .maxorder = true,
    .slab_kind = VM98_SLAB_21,
    .reap_all = false,
    .get_free_pages = get_free_pages_2_1_88,
    .try_to_free_page = vm98_try_to_free_page,
    .do_try_to_free_pages = vm98_reclaim_none,
    .wakeup_kswapd = vm98_wakeup_kswapd,
    .swap_tick = vm98_swap_tick,
    .kswapd_kind = KSWAPD_88,
    .tick_kind = TICK_88,
    .quota_kind = QUOTA_NONE,
    .shrink_kind = SHRINK_NOAGE,
    .swapout_kind = SWAPOUT_20,
};

const struct vm98_kernel vm98_kernel_2_1_88 = {
    .name = "2.1.88",
    .desc = "2.1.88 (P1): last kernel before free_memory_available; maxorder "
	    "allocator",
    .params = params,
    .nparams = (int)(sizeof(params) / sizeof(params[0])),
    .ops = &ops,
};
