/*
 * kernel-2.1.91pre1.c — kernel "2.1.91pre1": Linus's pre-91 (P7): graded
 * fma(nr) drives swap_tick; its fma bug optional. Graded fma(nr) (§3.10); §13
 * P7 is "without its fma bug", so fma_bug defaults to 0.  Allocator as 2.1.88
 * (§3.7, unchanged to 2.1.91pre2). Reclaim: §5.2 formula D, >= 32 tries then
 * fma(0), §5.3 2.1.91pre1, §6.4 6/20/90 %.
 */
#include "vm98-internal.h"

static const struct vm98_param params[] = {
    VM98_PARAMS_BOOT(800, 48),
    VM98_PARAMS_NET(152, 0),
    VM98_PARAM_SLAB_MGMT,
    VM98_PARAM_UPDATE,
    VM98_PARAMS_RECLAIM,
    VM98_PARAM_IGNORE_RESULT,
    VM98_PARAM_SWAPOUT_NOIO,
    VM98_PARAM(
	"fma_bug", VP_FMA_BUG, 0, 0, 1, "bool", 0,
	"reproduce the pre-91-1 fma bug: an empty list looks like plenty"),
};

static const struct vm98_ops ops = {
    .gfp_family = VM98_GFP_21,
    .wm_family = VM98_WM_21,
    .fma_kind = VM98_FMA_GRADED,
    .maxorder = true,
    .slab_kind = VM98_SLAB_21,
    .reap_all = true,
    .get_free_pages = get_free_pages_2_1_88,
    .try_to_free_page = vm98_try_to_free_page,
    .do_try_to_free_pages = vm98_reclaim_none,
    .wakeup_kswapd = vm98_wakeup_kswapd,
    .swap_tick = vm98_swap_tick,
    .kswapd_kind = KSWAPD_D,
    .tick_kind = TICK_91PRE1,
    .quota_kind = QUOTA_90,
    .shrink_kind = SHRINK_AGE,
    .swapout_kind = SWAPOUT_89,
};

const struct vm98_kernel vm98_kernel_2_1_91pre1 = {
    .name = "2.1.91pre1",
    .desc = "Linus's pre-91 (P7): graded fma(nr) drives swap_tick; its fma bug "
	    "optional",
    .params = params,
    .nparams = (int)(sizeof(params) / sizeof(params[0])),
    .ops = &ops,
};
