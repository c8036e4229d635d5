/*
 * kernel-2.0.33.c — kernel "2.0.33": stable 2.0.33 (P0): nr_free_pages
 * reserves, no maxorder, bucket kmalloc. Contrast kernel: §3.7 2.0.33 allocator
 * (reserves min, GFP_BUFFER min-(12+min/8), GFP_NFS 5), §3.9 2.0.33 water
 * marks, §7.4 kmalloc; no fma (§3.10). Reclaim: §5.2/§5.3 2.0.33 kswapd and
 * swap_tick, §5.4 2.0.33 try_to_free_page, §6.2 before 2.1.89 (no page-cache
 * ageing), §5.5 round-robin swap_out, §5.7 2.0.33-style try_to_swap_out,
 * §3.11 swap-in age, §8.2
 * refill_freelist.
 */
#include "vm98-internal.h"

static const struct vm98_param params[] = {
    VM98_PARAMS_BOOT(600, 48),
    VM98_PARAMS_NET(152, 1),
    VM98_PARAM_UPDATE,
    VM98_PARAMS_RECLAIM,
    VM98_PARAM("km20_park_quirk", VP_KM20_PARK_QUIRK, 1, 0, 1, "bool", 0,
	       "reproduce the parked-area order quirk of kmalloc (§7.4)"),
};

static const struct vm98_ops ops = {
    .gfp_family = VM98_GFP_20,
    .wm_family = VM98_WM_20,
    .fma_kind = VM98_FMA_NONE,
    .maxorder = false,
    .slab_kind = VM98_KMALLOC_20,
    .reap_all = false,
    .get_free_pages = get_free_pages_2_0_33,
    .try_to_free_page = vm98_try_to_free_page,
    .do_try_to_free_pages = vm98_reclaim_none,
    .wakeup_kswapd = vm98_wakeup_kswapd,
    .swap_tick = vm98_swap_tick,
    .kswapd_kind = KSWAPD_20,
    .tick_kind = TICK_20,
    .quota_kind = QUOTA_NONE,
    .shrink_kind = SHRINK_NOAGE,
    .swapout_kind = SWAPOUT_20,
    .swapout_rr = true,
};

const struct vm98_kernel vm98_kernel_2_0_33 = {
    .name = "2.0.33",
    .desc = "stable 2.0.33 (P0): nr_free_pages reserves, no maxorder, bucket "
	    "kmalloc",
    .params = params,
    .nparams = (int)(sizeof(params) / sizeof(params[0])),
    .ops = &ops,
};
