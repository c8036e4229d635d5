/*
 * kernel-sct-kswiod.c — kernel "sct-kswiod": Stephen's design plus a kswiod
 * swap-I/O thread (P11b). As sct; dirty-page writes go to kswiod (§13 P11b).
 * Reclaim: §13 P11b: as sct, swap writes go to kswiod so kswapd never waits for
 * a request slot.
 */
#include "vm98-internal.h"

static const struct vm98_param params[] = {
    VM98_PARAMS_BOOT(800, 48),
    VM98_PARAMS_NET(152, 0),
    VM98_PARAM_SLAB_MGMT,
    VM98_PARAM_UPDATE,
    VM98_PARAMS_RECLAIM,
    VM98_PARAM_SWAPOUT_NOIO,
    VM98_PARAM("sct_batch", VP_SCT_BATCH, 32, 1, 100000, "pages", 1,
	       "pages kswapd frees before leaving its loop"),
    VM98_PARAM("wake_period", VP_WAKE_PERIOD, 25, 1, 100000, "ticks", 1,
	       "periodic kswapd wake-up"),
};

static const struct vm98_ops ops = {
    .gfp_family = VM98_GFP_21,
    .wm_family = VM98_WM_21,
    .fma_kind = VM98_FMA_GRADED,
    .maxorder = true,
    .slab_kind = VM98_SLAB_21,
    .reap_all = true,
    .get_free_pages = get_free_pages_sct,
    .try_to_free_page = vm98_sct_wait,
    .do_try_to_free_pages = vm98_reclaim_none,
    .wakeup_kswapd = vm98_wakeup_kswapd,
    .swap_tick = vm98_swap_tick,
    .kswapd_kind = KSWAPD_SCT,
    .tick_kind = TICK_SCT,
    .quota_kind = QUOTA_91,
    .shrink_kind = SHRINK_91,
    .swapout_kind = SWAPOUT_89,
    .kswiod = true,
};

const struct vm98_kernel vm98_kernel_sct_kswiod = {
    .name = "sct-kswiod",
    .desc = "Stephen's design plus a kswiod swap-I/O thread (P11b)",
    .params = params,
    .nparams = (int)(sizeof(params) / sizeof(params[0])),
    .ops = &ops,
};
