/*
 * kernel-2.1.89.c — kernel "2.1.89": 2.1.89 (P3): 3-level fma, kswapd tries
 * formula A, one slab reaped per call. 3-level fma (§3.10); allocator as 2.1.88
 * (§3.7). Reclaim: §5.2 formula A, stop on fma, §5.1 sleep quirk, §5.3 2.1.88
 * rule, §5.4, §6.2 with ageing, §5.7.
 */
#include "vm98-internal.h"

static const struct vm98_param params[] = {
    VM98_PARAMS_BOOT(800, 48), VM98_PARAMS_NET(152, 0), VM98_PARAM_SLAB_MGMT,
    VM98_PARAM_UPDATE,	       VM98_PARAMS_RECLAIM,	VM98_PARAM_SLEEP_QUIRK,
    VM98_PARAM_IGNORE_RESULT,  VM98_PARAM_SWAPOUT_NOIO,
};

static const struct vm98_ops ops = {
    .gfp_family = VM98_GFP_21,
    .wm_family = VM98_WM_21,
    .fma_kind = VM98_FMA_3LEVEL,
    .maxorder = true,
    .slab_kind = VM98_SLAB_21,
    .reap_all = false,
    .get_free_pages = get_free_pages_2_1_88,
    .try_to_free_page = vm98_try_to_free_page,
    .do_try_to_free_pages = vm98_reclaim_none,
    .wakeup_kswapd = vm98_wakeup_kswapd,
    .swap_tick = vm98_swap_tick,
    .kswapd_kind = KSWAPD_A,
    .tick_kind = TICK_88,
    .quota_kind = QUOTA_NONE,
    .shrink_kind = SHRINK_AGE,
    .swapout_kind = SWAPOUT_89,
};

const struct vm98_kernel vm98_kernel_2_1_89 = {
    .name = "2.1.89",
    .desc = "2.1.89 (P3): 3-level fma, kswapd tries formula A, one slab reaped "
	    "per call",
    .params = params,
    .nparams = (int)(sizeof(params) / sizeof(params[0])),
    .ops = &ops,
};
