/*
 * kernel-2.1.91.c — kernel "2.1.91": 2.1.91 (P8): tries 200>>fma(3), 32 reclaim
 * calls per failed allocation. Graded fma (§3.10); allocator reclaims with
 * try_to_free_pages(mask, 32) (§3.7). Reclaim: §5.2 200 >> fma(3), §5.3 2.1.91
 * (page-cache test bug), §5.4, §6.3, §6.4 3/10/30 + 10/30/75 %.
 */
#include "vm98-internal.h"

static const struct vm98_param params[] = {
    VM98_PARAMS_BOOT(800, 48), VM98_PARAMS_NET(152, 0),
    VM98_PARAM_SLAB_MGMT,      VM98_PARAM_UPDATE,
    VM98_PARAMS_RECLAIM,       VM98_PARAM_IGNORE_RESULT,
    VM98_PARAM_SWAPOUT_NOIO,   VM98_PARAM_PGCACHE_TICK_BUG,
};

static const struct vm98_ops ops = {
    .gfp_family = VM98_GFP_21,
    .wm_family = VM98_WM_21,
    .fma_kind = VM98_FMA_GRADED,
    .maxorder = true,
    .slab_kind = VM98_SLAB_21,
    .reap_all = true,
    .get_free_pages = get_free_pages_2_1_91,
    .try_to_free_page = vm98_try_to_free_page,
    .do_try_to_free_pages = vm98_reclaim_none,
    .wakeup_kswapd = vm98_wakeup_kswapd,
    .swap_tick = vm98_swap_tick,
    .kswapd_kind = KSWAPD_91,
    .tick_kind = TICK_91,
    .quota_kind = QUOTA_91,
    .shrink_kind = SHRINK_91,
    .swapout_kind = SWAPOUT_89,
};

const struct vm98_kernel vm98_kernel_2_1_91 = {
    .name = "2.1.91",
    .desc = "2.1.91 (P8): tries 200>>fma(3), 32 reclaim calls per failed "
	    "allocation",
    .params = params,
    .nparams = (int)(sizeof(params) / sizeof(params[0])),
    .ops = &ops,
};
