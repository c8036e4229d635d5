/*
 * kernel-rik.c — kernel "rik": Rik's pre3 patch (P5): kswapd stops early only
 * while buffer+cache is under its max. Allocator side identical to 2.1.90; the
 * patch changes kswapd (§5.2). Reclaim: §1 and §5.2 Rik patch (early exit only
 * under the buffer+cache max), otherwise as 2.1.90 (§5.3, §5.4, §6.4).
 */
#include "vm98-internal.h"

static const struct vm98_param params[] = {
    VM98_PARAMS_BOOT(800, 48), VM98_PARAMS_NET(152, 0),
    VM98_PARAM_SLAB_MGMT,      VM98_PARAM_UPDATE,
    VM98_PARAMS_RECLAIM,       VM98_PARAM_IGNORE_RESULT,
    VM98_PARAM_SWAPOUT_NOIO,
};

static const struct vm98_ops ops = {
    .gfp_family = VM98_GFP_21,
    .wm_family = VM98_WM_21,
    .fma_kind = VM98_FMA_3LEVEL,
    .maxorder = true,
    .slab_kind = VM98_SLAB_21,
    .reap_all = true,
    .get_free_pages = get_free_pages_2_1_88,
    .try_to_free_page = vm98_try_to_free_page,
    .do_try_to_free_pages = vm98_reclaim_none,
    .wakeup_kswapd = vm98_wakeup_kswapd,
    .swap_tick = vm98_swap_tick,
    .kswapd_kind = KSWAPD_RIK,
    .tick_kind = TICK_90,
    .quota_kind = QUOTA_90,
    .shrink_kind = SHRINK_AGE,
    .swapout_kind = SWAPOUT_89,
};

const struct vm98_kernel vm98_kernel_rik = {
    .name = "rik",
    .desc = "Rik's pre3 patch (P5): kswapd stops early only while buffer+cache "
	    "is under its max",
    .params = params,
    .nparams = (int)(sizeof(params) / sizeof(params[0])),
    .ops = &ops,
};
