/*
 * kernel-2.2.0.c — kernel "2.2.0": 2.2.0 (P10): nr_free_pages min/high
 * hysteresis, no fma, no maxorder. §3.7 2.2.0 allocator, §3.9 2.2.0 water
 * marks, §4.1 2.2.0 GFP values, §7.1 slab break order 1 at <= 32 MB, §7.5 skb
 * head from its own cache (skb_head_bytes is that object's size, GUESS).  No
 * swap_tick (§5.3). Reclaim: §5.1/§5.2 2.2.0 kswapd (until high, failure or
 * need_resched; 1-s timer), §5.4 do_try_to_free_pages, §5.7 2.2.0 (no ageing,
 * async writes), §6.3 2.2.0 shrink_mmap, §6.4 mins 2 %, §8.2 2.2.0
 * refill_freelist, §10.1.
 */
#include "vm98-internal.h"

static const struct vm98_param params[] = {
    VM98_PARAMS_BOOT(1000, 48), VM98_PARAMS_NET(160, 1),
    VM98_PARAM_SLAB_MGMT,	VM98_PARAM_UPDATE,
    VM98_PARAMS_RECLAIM,	VM98_PARAM_NEED_RESCHED,
};

static const struct vm98_ops ops = {
    .gfp_family = VM98_GFP_22,
    .wm_family = VM98_WM_22,
    .fma_kind = VM98_FMA_NONE,
    .maxorder = false,
    .slab_kind = VM98_SLAB_22,
    .reap_all = true,
    .get_free_pages = get_free_pages_2_2_0,
    .try_to_free_page = vm98_try_to_free_page,
    .do_try_to_free_pages = vm98_do_try_to_free_pages_22,
    .wakeup_kswapd = vm98_wakeup_kswapd,
    .swap_tick = vm98_swap_tick,
    .kswapd_kind = KSWAPD_22,
    .tick_kind = TICK_22,
    .quota_kind = QUOTA_22,
    .shrink_kind = SHRINK_22,
    .swapout_kind = SWAPOUT_22,
};

const struct vm98_kernel vm98_kernel_2_2_0 = {
    .name = "2.2.0",
    .desc =
	"2.2.0 (P10): nr_free_pages min/high hysteresis, no fma, no maxorder",
    .params = params,
    .nparams = (int)(sizeof(params) / sizeof(params[0])),
    .ops = &ops,
};
