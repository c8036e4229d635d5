/*
 * gfp-modern.c — the documented table that maps a modern kernel's GFP
 * flags (as the tracepoints print them: "GFP_KERNEL|__GFP_ZERO") to the
 * 1998 GFP classes of the event model (vm1998-model.md §4).
 *
 * Each name is first reduced to what it means for reclaim (may the caller
 * sleep in direct reclaim, start I/O, call into file systems, is it a user
 * page, is it DMA); the class follows from those facts by the rule below,
 * which is also the table in docs/kernel-recorders.md:
 *
 *   no direct reclaim (cannot sleep)         -> GFP_ATOMIC
 *   direct reclaim, no I/O     (GFP_NOIO)    -> GFP_BUFFER  (WAIT, no IO)
 *   direct reclaim + I/O, no FS (GFP_NOFS)   -> GFP_NFS     (WAIT|IO; the
 *                                               RPC/NFS path's mask)
 *   direct reclaim + I/O + FS, hardwall      -> GFP_USER
 *   direct reclaim + I/O + FS                -> GFP_KERNEL
 *   __GFP_DMA (not __GFP_DMA32)              -> | __GFP_DMA
 *
 * The original string is not lost: the sink keeps it per trace (trace_stat
 * "gfp.N", event flags >> 8 = N).
 */
#include "kernel-internal.h"

#include <string.h>

enum {
	S_DIRECT = 1,	 /* may sleep in direct reclaim (__GFP_DIRECT_RECLAIM,
			    old __GFP_WAIT) */
	S_KSWAPD = 2,	 /* may wake kswapd */
	S_IO = 4,	 /* may start I/O */
	S_FS = 8,	 /* may call into file systems */
	S_HARDWALL = 16, /* user allocation (cpuset hardwall) */
	S_HIGH = 32,	 /* may use reserves */
	S_DMA = 64,	 /* ZONE_DMA */
	S_KNOWN = 128,	 /* a recognised name, no effect on the class */
};

struct gfp_name {
	const char *name;
	unsigned sem;
};

#define RECLAIM (S_DIRECT | S_KSWAPD)
#define KERNEL	(RECLAIM | S_IO | S_FS)
#define USER	(KERNEL | S_HARDWALL)

/* Composite masks (include/linux/gfp_types.h, 2.6 .. 6.x) and the single
 * bits that matter; other __GFP_ names are recognised and ignored. */
static const struct gfp_name names[] = {
    {"GFP_ATOMIC", S_HIGH | S_KSWAPD},
    {"GFP_NOWAIT", S_KSWAPD},
    {"GFP_KERNEL", KERNEL},
    {"GFP_KERNEL_ACCOUNT", KERNEL},
    {"GFP_TEMPORARY", KERNEL},
    {"GFP_NOIO", RECLAIM},
    {"GFP_NOFS", RECLAIM | S_IO},
    {"GFP_USER", USER},
    {"GFP_HIGHUSER", USER},
    {"GFP_HIGHUSER_MOVABLE", USER},
    {"GFP_TRANSHUGE_LIGHT", S_IO | S_FS | S_HARDWALL},
    {"GFP_TRANSHUGE", S_DIRECT | S_IO | S_FS | S_HARDWALL},
    {"GFP_IOFS", S_IO | S_FS},
    {"GFP_DMA", S_DMA},
    {"GFP_DMA32", S_KNOWN},
    {"__GFP_DIRECT_RECLAIM", S_DIRECT},
    {"__GFP_WAIT", S_DIRECT},
    {"__GFP_KSWAPD_RECLAIM", S_KSWAPD},
    {"__GFP_RECLAIM", RECLAIM},
    {"__GFP_IO", S_IO},
    {"__GFP_FS", S_FS},
    {"__GFP_HARDWALL", S_HARDWALL},
    {"__GFP_HIGH", S_HIGH},
    {"__GFP_ATOMIC", S_HIGH},
    {"__GFP_MEMALLOC", S_HIGH},
    {"__GFP_DMA", S_DMA},
};

static unsigned token_sem(const char *t, size_t len)
{
	for (size_t i = 0; i < RP_ARRAY_SIZE(names); i++)
		if (strlen(names[i].name) == len &&
		    memcmp(names[i].name, t, len) == 0)
			return names[i].sem | S_KNOWN;
	if (len > 6 && memcmp(t, "__GFP_", 6) == 0)
		return S_KNOWN; /* __GFP_ZERO, __GFP_COMP, __GFP_NOWARN ... */
	return 0;
}

int rp_gfp_modern_class(const char *s, size_t len)
{
	unsigned sem = 0;
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != '|')
			j++;
		const char *t = s + i;
		size_t tl = j - i;
		while (tl && (*t == ' ' || *t == '('))
			t++, tl--;
		while (tl && (t[tl - 1] == ' ' || t[tl - 1] == ')'))
			tl--;
		sem |= token_sem(t, tl);
		i = j + 1;
	}
	if (!(sem & S_KNOWN))
		return RP_GFP_NONE; /* "none", numbers, garbage */
	int cls;
	if (!(sem & S_DIRECT))
		cls = RP_GFP_ATOMIC;
	else if (!(sem & S_IO))
		cls = RP_GFP_BUFFER;
	else if (!(sem & S_FS))
		cls = RP_GFP_NFS;
	else if (sem & S_HARDWALL)
		cls = RP_GFP_USER;
	else
		cls = RP_GFP_KERNEL;
	if (sem & S_DMA)
		cls |= RP_GFP_DMA;
	return cls;
}
