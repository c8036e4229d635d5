/*
 * kernel-linus-origfma.c — kernel "linus-origfma": Linus's proposal with his
 * original fma, c5 >= 2 (P6b). As linus, with fma() = c5 >= 2 (§13 P6b).
 * Reclaim: §13 P6b: the linus loop with the original fma (c5 >= 2).
 */
#include "vm98-internal.h"

static const struct vm98_param params[] = {
    VM98_PARAMS_BOOT(800, 48),
    VM98_PARAMS_NET(152, 0),
    VM98_PARAM_SLAB_MGMT,
    VM98_PARAM_UPDATE,
    VM98_PARAMS_RECLAIM,
    VM98_PARAM_SWAPOUT_NOIO,
    VM98_PARAM(
	"tries", VP_TRIES, 16, 1, 100000, "", 1,
	"kswapd tries per wake-up (Linus: \"low enough\"; try 8, 16, 32)"),
    VM98_PARAM("wake_period", VP_WAKE_PERIOD, 25, 1, 100000, "ticks", 1,
	       "background wake-up period while !fma()"),
    VM98_PARAM("wake_every_tick", VP_WAKE_EVERY_TICK, 1, 0, 1, "bool", 1,
	       "wake kswapd every tick while fma() = 0"),
};

static const struct vm98_ops ops = {
    .gfp_family = VM98_GFP_21,
    .wm_family = VM98_WM_21,
    .fma_kind = VM98_FMA_ORIG,
    .maxorder = true,
    .slab_kind = VM98_SLAB_21,
    .reap_all = true,
    .get_free_pages = get_free_pages_2_1_88,
    .try_to_free_page = vm98_try_to_free_page,
    .do_try_to_free_pages = vm98_reclaim_none,
    .wakeup_kswapd = vm98_wakeup_kswapd,
    .swap_tick = vm98_swap_tick,
    .kswapd_kind = KSWAPD_LINUS,
    .tick_kind = TICK_LINUS,
    .quota_kind = QUOTA_90,
    .shrink_kind = SHRINK_AGE,
    .swapout_kind = SWAPOUT_89,
};

const struct vm98_kernel vm98_kernel_linus_origfma = {
    .name = "linus-origfma",
    .desc = "Linus's proposal with his original fma, c5 >= 2 (P6b)",
    .params = params,
    .nparams = (int)(sizeof(params) / sizeof(params[0])),
    .ops = &ops,
};
