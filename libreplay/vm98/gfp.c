/*
 * gfp.c — GFP classes (enum rp_gfp) to each version's mask bits (§4.1).
 */
#include "vm98-internal.h"

/* Index: enum rp_gfp class (NONE = GFP_KERNEL, ATOMIC, KERNEL, USER,
 * BUFFER, NFS).  §4.1 table, one row per version family. */
static const uint8_t gfp_class_bits[3][RP_GFP_NFS + 1] = {
    /* 2.0.33: priorities, not flags */
    [VM98_GFP_20] = {GFP20_KERNEL, GFP20_ATOMIC, GFP20_KERNEL, GFP20_USER,
		     GFP20_BUFFER, GFP20_NFS},
    /* 2.1.88 – 2.1.92 */
    [VM98_GFP_21] = {GFP21_LOW | GFP21_WAIT | GFP21_IO, GFP21_HIGH,
		     GFP21_LOW | GFP21_WAIT | GFP21_IO,
		     GFP21_LOW | GFP21_WAIT | GFP21_IO, GFP21_LOW | GFP21_WAIT,
		     GFP21_MED | GFP21_WAIT | GFP21_IO},
    /* 2.2.0: GFP_KERNEL is MED, GFP_NFS is HIGH */
    [VM98_GFP_22] = {GFP22_MED | GFP22_WAIT | GFP22_IO, GFP22_HIGH,
		     GFP22_MED | GFP22_WAIT | GFP22_IO,
		     GFP22_LOW | GFP22_WAIT | GFP22_IO, GFP22_LOW | GFP22_WAIT,
		     GFP22_HIGH | GFP22_WAIT | GFP22_IO},
};

/* §4.1: class + __GFP_DMA (0x80 in every version) → version mask. */
int vm98_gfp_mask(int family, int rp_gfp)
{
	int cls = rp_gfp & RP_GFP_CLASS_MASK;
	if (cls > RP_GFP_NFS)
		cls = RP_GFP_KERNEL;
	int mask = gfp_class_bits[family][cls];
	if (rp_gfp & RP_GFP_DMA)
		mask |= GFP_DMA_BIT;
	return mask;
}

bool vm98_gfp_wait(int family, int mask)
{
	return family != VM98_GFP_20 && (mask & GFP21_WAIT); /* same bit */
}

bool vm98_gfp_med(int family, int mask)
{
	return family != VM98_GFP_20 && (mask & GFP21_MED); /* same bit */
}

bool vm98_gfp_high(int family, int mask)
{
	return family != VM98_GFP_20 && (mask & GFP21_HIGH); /* same bit */
}

/* __GFP_IO: reclaim may start I/O (§4.2).  2.0.33: every priority but
 * GFP_IO ("no IO") may (can_do_io, §5.4). */
bool vm98_gfp_io(int family, int mask)
{
	switch (family) {
	case VM98_GFP_20: return (mask & 0x7F) != GFP20_IO;
	case VM98_GFP_21: return (mask & GFP21_IO) != 0;
	default: return (mask & GFP22_IO) != 0;
	}
}
