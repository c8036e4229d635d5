/*
 * kernel-2.1.90.c — kernel "2.1.90": "Linus pre3" (P4): tries formula C,
 * buffer+cache quotas 6/20/90 %. 2.1.90pre3 = 2.1.90 for vmscan.c (§0); 3-level
 * fma; reaps all free slabs of the chosen cache (§7.3). Reclaim: §5.2 formula
 * C, stop on fma, §5.3 2.1.90 (+ BUFFER_MEM > max), §5.4 with the BUFFER_MEM
 * quota lines, §6.2, §6.4 6/20/90 %, §8.2.
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
    .kswapd_kind = KSWAPD_C,
    .tick_kind = TICK_90,
    .quota_kind = QUOTA_90,
    .shrink_kind = SHRINK_AGE,
    .swapout_kind = SWAPOUT_89,
};

const struct vm98_kernel vm98_kernel_2_1_90 = {
    .name = "2.1.90",
    .desc =
	"\"Linus pre3\" (P4): tries formula C, buffer+cache quotas 6/20/90 %",
    .params = params,
    .nparams = (int)(sizeof(params) / sizeof(params[0])),
    .ops = &ops,
};
