/*
 * kernel-2.1.92.c — kernel "2.1.92": 2.1.92 (P9): 2.1.91 plus the fma shortcut
 * free > P/16. As 2.1.91 with the P/16 fma shortcut (§3.10). Reclaim: §5.2
 * as 2.1.91 with the fma P/16 shortcut, §5.3, §5.4, §6.3, §6.4.
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
    .fma_kind = VM98_FMA_GRADED92,
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

const struct vm98_kernel vm98_kernel_2_1_92 = {
    .name = "2.1.92",
    .desc = "2.1.92 (P9): 2.1.91 plus the fma shortcut free > P/16",
    .params = params,
    .nparams = (int)(sizeof(params) / sizeof(params[0])),
    .ops = &ops,
};
