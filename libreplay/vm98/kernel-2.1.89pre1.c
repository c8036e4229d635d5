/*
 * kernel-2.1.89pre1.c — kernel "2.1.89pre1": Linus's original fma (P2): kswapd
 * runs until two order-5 blocks are free. fma() = c5 >= 2 (§3.10); allocator
 * as 2.1.88 (§3.7). Reclaim: §5.2 2.1.89pre1 (until fma, async then sync), §5.1
 * sleep quirk, §5.3 2.1.88 rule, §6.2 no ageing, §5.7.
 */
#include "vm98-internal.h"

static const struct vm98_param params[] = {
    VM98_PARAMS_BOOT(800, 48), VM98_PARAMS_NET(152, 0), VM98_PARAM_SLAB_MGMT,
    VM98_PARAM_UPDATE,	       VM98_PARAMS_RECLAIM,	VM98_PARAM_SLEEP_QUIRK,
    VM98_PARAM_SWAPOUT_NOIO,
};

static const struct vm98_ops ops = {
    .gfp_family = VM98_GFP_21,
    .wm_family = VM98_WM_21,
    .fma_kind = VM98_FMA_ORIG,
    .maxorder = true,
    .slab_kind = VM98_SLAB_21,
    .reap_all = false,
    .get_free_pages = get_free_pages_2_1_88,
    .try_to_free_page = vm98_try_to_free_page,
    .do_try_to_free_pages = vm98_reclaim_none,
    .wakeup_kswapd = vm98_wakeup_kswapd,
    .swap_tick = vm98_swap_tick,
    .kswapd_kind = KSWAPD_89PRE1,
    .tick_kind = TICK_88,
    .quota_kind = QUOTA_NONE,
    .shrink_kind = SHRINK_NOAGE,
    .swapout_kind = SWAPOUT_89,
};

const struct vm98_kernel vm98_kernel_2_1_89pre1 = {
    .name = "2.1.89pre1",
    .desc = "Linus's original fma (P2): kswapd runs until two order-5 blocks "
	    "are free",
    .params = params,
    .nparams = (int)(sizeof(params) / sizeof(params[0])),
    .ops = &ops,
};
