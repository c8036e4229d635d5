/*
 * vm98-internal.h — structures shared by the files of the 1998 model.
 * Spec references (§N) are to docs/vm1998-model.md.  Not for the engine:
 * it uses vm98.h only.
 */
#ifndef VM98_INTERNAL_H
#define VM98_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm98.h"

/* ------------------------------------------------------------ constants */

#define NR_MEM_LISTS	 6  /* §3.1: orders 0..5 */
#define PAGE_SHIFT	 12 /* §0 platform: i386 */
#define PAGE_SIZE	 4096
#define HZ		 100 /* §0 */
#define VM98_TICK_NS	 (1000000000LL / HZ)
#define MAX_DMA_PFN	 ((16u << 20) >> PAGE_SHIFT) /* §3.3 MAX_DMA_ADDRESS */
#define SWAP_CLUSTER_MAX 32			     /* §5.10 */
/* Guard against the unbounded retry loops of §3.7 once reclaim exists:
 * a simulator must terminate.  Counted in metric alloc_retry_capped. */
#define VM98_RETRY_LIMIT 100000

/* Page flags (§2; only the ones the allocator side needs). */
#define PG_DMA	     0x01
#define PG_reserved  0x02
#define PG_slab	     0x04
#define PG_leaked    0x08 /* lost by the 2.0.33 kmalloc quirk (§7.4) */
#define PG_untracked 0x10 /* page_alloc event without obj: held forever */

/* ------------------------------------------------------------ GFP (§4) */

/* Version bit values, 2.1.88–2.1.92 (§4.1). */
#define GFP21_WAIT  0x01
#define GFP21_IO    0x02
#define GFP21_LOW   0x00
#define GFP21_MED   0x04
#define GFP21_HIGH  0x08
#define GFP_DMA_BIT 0x80 /* __GFP_DMA / GFP_DMA in every version */
/* 2.2.0 (§4.1). */
#define GFP22_WAIT 0x01
#define GFP22_LOW  0x02
#define GFP22_MED  0x04
#define GFP22_HIGH 0x08
#define GFP22_IO   0x10
#define GFP22_SWAP 0x20
/* 2.0.33 priorities (§4.1). */
#define GFP20_BUFFER   0x00
#define GFP20_ATOMIC   0x01
#define GFP20_USER     0x02
#define GFP20_KERNEL   0x03
#define GFP20_NOBUFFER 0x04
#define GFP20_NFS      0x05
#define GFP20_IO       0x06

enum vm98_gfp_family { VM98_GFP_20, VM98_GFP_21, VM98_GFP_22 };

/* Maps an enum rp_gfp class (with RP_GFP_DMA) to the version's mask. */
int vm98_gfp_mask(int family, int rp_gfp);
/* Flag tests on a version mask (0 for 2.0.33, which has no flags). */
bool vm98_gfp_wait(int family, int mask);
bool vm98_gfp_med(int family, int mask);
bool vm98_gfp_high(int family, int mask);

/* ----------------------------------------------------------- structures */

/* struct page (§2): the allocator-side fields.  The reclaim issue adds
 * its fields here (age, inode/offset, buffers...). */
struct page {
	int32_t next, prev; /* free-list links; list heads at index P+order */
	uint8_t flags;	    /* PG_* */
	int8_t free_order;  /* order if this page heads a free block, else -1 */
	uint8_t count;	    /* reference count (1 when allocated) */
	uint8_t age;	    /* PAGE_INITIAL_AGE at allocation (§3.5) */
};

/* free_area[order] (§3.1): the list (head = mem_map[P + order]) and the
 * pair bitmap (§3.2).  nr_blocks is the model's count of the list, used
 * by free_memory_available and the samples (the kernel walks the list). */
struct free_area_struct {
	uint64_t *map;
	int32_t nr_blocks;
};

/* What an object id (or a pending net_rx free) holds. */
enum { H_NONE = 0, H_PAGES, H_SLAB, H_KM20 };
struct vm98_handle {
	uint8_t type;  /* H_* */
	uint8_t order; /* H_PAGES: block order */
	uint16_t aux;  /* H_SLAB: cache index */
	int32_t idx;   /* H_PAGES: pfn; H_SLAB: slab; H_KM20: area */
};

/* Open-addressing hash map obj (int64) → handle, linear probing,
 * backward-shift deletion; owned by the instance. */
struct objmap_slot {
	int64_t key;
	struct vm98_handle h; /* h.type == H_NONE: empty */
};
struct objmap {
	struct objmap_slot *slot;
	uint32_t mask; /* capacity - 1 */
	uint32_t used;
};
int objmap_init(struct objmap *om, uint32_t cap);
void objmap_destroy(struct objmap *om);
struct vm98_handle *objmap_get(struct objmap *om, int64_t key);
/* Inserts or replaces; returns -1 on out of memory.  *old gets the
 * previous value (type H_NONE if none). */
int objmap_put(struct objmap *om, int64_t key, struct vm98_handle h,
	       struct vm98_handle *old);
bool objmap_del(struct objmap *om, int64_t key, struct vm98_handle *out);

/* Slab general caches (§7).  Slabs of a cache are on one circular list
 * (sentinel = slab index of the cache): full slabs, then partial, then
 * completely free ones at the tail; firstnotfull = first non-full. */
struct vm98_slab {
	int32_t next, prev;
	int32_t pfn;
	uint16_t inuse;
	uint8_t cache;
	uint8_t dma;
	struct vm98_handle mgmt;   /* off-slab slab descriptor (§7.2) */
	struct vm98_handle bufctl; /* off-slab index array (§7.2) */
};

#define VM98_NR_GENERAL 13 /* size-32 ... size-131072 (§7.1) */
enum {
	VM98_CACHE_SLAB = VM98_NR_GENERAL, /* slab descriptors (off-slab) */
	VM98_CACHE_SKBUFF,		   /* 2.2.0 skbuff_head_cache §7.5 */
	VM98_NR_CACHES
};
struct kmem_cache {
	const char *name;
	int32_t objsize;
	uint8_t order;	     /* pages per slab = 1 << order */
	uint16_t num;	     /* objects per slab */
	int8_t mgmt_cache;   /* cache of the off-slab descriptor, or -1 */
	int8_t bufctl_cache; /* cache of the off-slab index array, or -1 */
	int32_t firstnotfull;
	int32_t nr_slabs, nr_free_slabs;
	int32_t failures; /* §7.2 grow retry counter */
	bool grown;	  /* §7.3 "grew since the last reap scan" */
	uint64_t objs_inuse;
};

/* 2.0.33 kmalloc (§7.4). */
#define KM20_NR_BUCKETS 13
struct km20_area {
	int32_t next, prev; /* bucket list of areas with free blocks */
	int32_t pfn;
	uint8_t order;	    /* pages allocated (1 << order) */
	uint8_t free_order; /* order it will be freed with (§7.4 quirk) */
	uint8_t bucket;
	uint8_t dma;
	uint16_t nfree, nblocks;
};

/* A net_rx datagram waiting to be consumed (§9.1 step 4). */
struct netq_entry {
	int64_t due;
	struct vm98_handle h[2];
};

struct vm98_stats {
	uint64_t events[RP_KIND_COUNT];
	uint64_t alloc[NR_MEM_LISTS], alloc_fail[NR_MEM_LISTS];
	uint64_t atomic_fail[NR_MEM_LISTS];
	uint64_t fail_class[RP_GFP_CLASS_MASK + 1];
	uint64_t dma_fail;
	uint64_t free_calls;
	uint64_t unknown_free, dup_alloc, untracked_alloc, bad_order;
	uint64_t kmalloc, kmalloc_fail, kmalloc_too_big, kfree;
	uint64_t slab_grow, slab_grow_fail, slab_destroy;
	uint64_t net_rx, net_rx_drop, net_rx_frags, net_rx_bytes;
	uint64_t net_rx_tcp_frames, net_rx_too_big;
	uint64_t reclaim_calls, kswapd_wakeups, ticks, alloc_retry_capped;
	uint64_t km20_parked_leak_pages;
};

struct vm98_ops;

struct vm98 {
	const struct vm98_kernel *kernel;
	const struct vm98_ops *ops;
	struct vm98_params par;
	int64_t P;	      /* num_physpages (§2) */
	struct page *mem_map; /* P + NR_MEM_LISTS entries */
	struct free_area_struct free_area[NR_MEM_LISTS];
	int64_t nr_free_pages; /* §2 */
	struct {
		int64_t min, low, high;
	} freepages;			    /* §3.9 */
	int low_on_memory;		    /* 2.2.0 §3.7 */
	int last_fail_order, last_fail_gfp; /* vm98_last_failure */
	int64_t start_mem_pfn, reserved_pages;

	/* time */
	bool started;
	int64_t now, t0, next_tick;
	uint64_t jiffies;
	double free_integral; /* ∫ nr_free_pages dt, page·ns */
	int64_t free_min;

	uint64_t rng; /* splitmix64 state */

	struct objmap objs;

	/* slab (§7) */
	struct kmem_cache cache[VM98_NR_CACHES];
	struct vm98_slab *slabs; /* [0, VM98_NR_CACHES) are list sentinels */
	int32_t nslabs, slabs_cap, slab_free_list;
	int32_t reap_clock;

	/* 2.0.33 kmalloc (§7.4) */
	struct km20_area *areas; /* [0, 2*KM20_NR_BUCKETS) are sentinels */
	int32_t nareas, areas_cap, area_free_list;
	int32_t parked[3]; /* one-slot-per-order cache (pfn or -1) */

	/* pending net_rx frees: a FIFO (due times are monotonic) */
	struct netq_entry *netq;
	uint32_t netq_head, netq_len, netq_cap;

	struct vm98_stats st;
};

/* ------------------------------------------------------ kernels (ops) */

enum vm98_wm_family { VM98_WM_20, VM98_WM_21, VM98_WM_22 };
enum vm98_fma_kind {
	VM98_FMA_NONE,	   /* 2.0.33, 2.1.88, 2.2.0 */
	VM98_FMA_ORIG,	   /* 2.1.89pre1: c5 >= 2 */
	VM98_FMA_3LEVEL,   /* 2.1.89 – 2.1.90 */
	VM98_FMA_GRADED,   /* 2.1.91pre1 (bug if param fma_bug), 2.1.91 */
	VM98_FMA_GRADED92, /* 2.1.92: + free > P/16 shortcut */
};
enum vm98_slab_kind {
	VM98_KMALLOC_20, /* 2.0.33 buckets §7.4 */
	VM98_SLAB_21,	 /* 2.1.88 – 2.1.92 §7.1 */
	VM98_SLAB_22,	 /* 2.2.0: break order 1 at <= 32 MB §7.1 */
};

struct vm98_ops {
	int gfp_family; /* enum vm98_gfp_family */
	int wm_family;	/* enum vm98_wm_family */
	int fma_kind;	/* enum vm98_fma_kind */
	bool maxorder;	/* §3.6 rule (2.1.88 – 2.1.97) */
	int slab_kind;	/* enum vm98_slab_kind */
	bool reap_all;	/* §7.3: all free slabs (2.1.90pre1+) or one */
	/* __get_free_pages control flow (§3.7); returns pfn or -1. */
	int32_t (*get_free_pages)(struct vm98 *m, int mask, int order);

	/* Reclaim hooks.  Until the reclaim issue all of them are no-ops
	 * (vm98_reclaim_none & co. in reclaim-stub.c): try_to_free_page
	 * frees nothing and reports failure, so a non-atomic request whose
	 * buddy search fails fails at once. */
	/* One try_to_free_page(mask) (2.0.33–2.1.92; for sct the
	 * "wait for kswapd" step).  Returns 1 if it freed something. */
	int (*try_to_free_page)(struct vm98 *m, int mask);
	/* 2.2.0 do_try_to_free_pages(mask): goal 32 pages; 1 on success. */
	int (*do_try_to_free_pages)(struct vm98 *m, int mask);
	void (*wakeup_kswapd)(struct vm98 *m);
	/* Called on every clock tick (HZ=100) from vm98_advance. */
	void (*swap_tick)(struct vm98 *m);
};

struct vm98_kernel {
	const char *name;
	const char *desc;
	const struct vm98_param *params;
	int nparams;
	const struct vm98_ops *ops;
};

/* The registry's members (kernel-*.c). */
extern const struct vm98_kernel vm98_kernel_2_0_33;
extern const struct vm98_kernel vm98_kernel_2_1_88;
extern const struct vm98_kernel vm98_kernel_2_1_89pre1;
extern const struct vm98_kernel vm98_kernel_2_1_89;
extern const struct vm98_kernel vm98_kernel_2_1_90;
extern const struct vm98_kernel vm98_kernel_rik;
extern const struct vm98_kernel vm98_kernel_linus;
extern const struct vm98_kernel vm98_kernel_linus_origfma;
extern const struct vm98_kernel vm98_kernel_2_1_91pre1;
extern const struct vm98_kernel vm98_kernel_2_1_91;
extern const struct vm98_kernel vm98_kernel_2_1_92;
extern const struct vm98_kernel vm98_kernel_2_2_0;
extern const struct vm98_kernel vm98_kernel_sct;
extern const struct vm98_kernel vm98_kernel_sct_kswiod;

/* Parameter ids: every kernel reads them through m->par.v[id].  Kernels
 * list the ones that apply to them (kernel-*.c). */
enum vm98_param_id {
	VP_KERNEL_KB,	    /* kernel image size, loaded at 1 MB (§3.3) */
	VP_INITMEM_KB,	    /* __init pages at the end of the image (§3.3) */
	VP_BOOT_EXTRA_KB,   /* console, kmem_cache_init etc. (§3.3) */
	VP_MEM_MAP_BYTES,   /* sizeof(struct page) (§3.3) */
	VP_START_MEM_KB,    /* override of start_mem; 0 = computed */
	VP_FREEPAGES_MIN,   /* override of §3.9; 0 = formula */
	VP_FREEPAGES_LOW,   /* override; 0 = formula */
	VP_FREEPAGES_HIGH,  /* override; 0 = formula */
	VP_FMA_BUG,	    /* 2.1.91pre1 fma bug (§3.10) */
	VP_NET_HOLD_NS,	    /* lifetime of a received datagram (§9.1) */
	VP_RX_SKB_BYTES,    /* driver rx buffer; 0 = frame length + 2 */
	VP_MTU,		    /* link MTU for fragment counts (§9.2) */
	VP_SKB_HEAD_BYTES,  /* sizeof(struct sk_buff) (§7.5) */
	VP_IPFRAG_BYTES,    /* per-fragment descriptor kmalloc (§9.1) */
	VP_IPQ_BYTES,	    /* per-datagram queue header kmalloc (§9.1) */
	VP_SLAB_MGMT_BYTES, /* off-slab slab descriptor size (§7.2) */
	VP_KM20_PARK_QUIRK, /* 2.0.33 parked-area order quirk (§7.4) */
	VP_TRIES,	    /* linus: kswapd tries (§13 P6, reclaim) */
	VP_WAKE_PERIOD,	    /* linus/sct: wake-up period, ticks (reclaim) */
	VP_WAKE_EVERY_TICK, /* linus: every tick when fma(3)=0 (reclaim) */
	VP_SCT_BATCH,	    /* sct: pages kswapd frees per wake (reclaim) */
	VP_UPDATE_PERIOD_S, /* update daemon period (§8.4, reclaim) */
	VP_COUNT
};

/* Defaults shared by most kernels; kernel files start from these. */
#define VM98_PARAM(nm, id, def, mn, mx, unit, guess, desc)                     \
	{                                                                      \
		(nm), (def), (mn), (mx), (unit), (desc), (guess), (id)         \
	}

#define VM98_PARAMS_BOOT(kernel_kb, mem_map_bytes)                             \
	VM98_PARAM("kernel_kb", VP_KERNEL_KB, kernel_kb, 64, 65536, "KB", 1,   \
		   "kernel image size (text+data+bss), loaded at 1 MB"),       \
	    VM98_PARAM("initmem_kb", VP_INITMEM_KB, 48, 0, 65536, "KB", 1,     \
		       "__init pages at the end of the image, freed at boot"), \
	    VM98_PARAM("boot_extra_kb", VP_BOOT_EXTRA_KB, 32, 0, 1 << 20,      \
		       "KB", 1, "other boot-time allocations after mem_map"),  \
	    VM98_PARAM("mem_map_bytes", VP_MEM_MAP_BYTES, mem_map_bytes, 0,    \
		       4096, "bytes", 0, "sizeof(struct page) in mem_map"),    \
	    VM98_PARAM("start_mem_kb", VP_START_MEM_KB, 0, 0, 1 << 30, "KB",   \
		       0, "first free page after the kernel; 0 = computed"),   \
	    VM98_PARAM("freepages_min", VP_FREEPAGES_MIN, 0, 0, 1 << 30,       \
		       "pages", 0, "water mark min; 0 = version formula"),     \
	    VM98_PARAM("freepages_low", VP_FREEPAGES_LOW, 0, 0, 1 << 30,       \
		       "pages", 0, "water mark low; 0 = version formula"),     \
	    VM98_PARAM("freepages_high", VP_FREEPAGES_HIGH, 0, 0, 1 << 30,     \
		       "pages", 0, "water mark high; 0 = version formula")

#define VM98_PARAMS_NET(skb_head, skb_guess)                                   \
	VM98_PARAM("net_hold_ns", VP_NET_HOLD_NS, 200000, 0,                   \
		   INT64_C(3600000000000), "ns", 1,                            \
		   "time a received datagram is held before it is consumed"),  \
	    VM98_PARAM("rx_skb_bytes", VP_RX_SKB_BYTES, 1538, 0, 65535,        \
		       "bytes", 0,                                             \
		       "driver rx buffer (3c59x/tulip 1536+2); 0 = frame+2"),  \
	    VM98_PARAM("mtu", VP_MTU, 1500, 68, 65535, "bytes", 0,             \
		       "link MTU (fragments when count is absent)"),           \
	    VM98_PARAM("skb_head_bytes", VP_SKB_HEAD_BYTES, skb_head, 0, 4096, \
		       "bytes", skb_guess, "sizeof(struct sk_buff)"),          \
	    VM98_PARAM("ipfrag_bytes", VP_IPFRAG_BYTES, 28, 0, 4096, "bytes",  \
		       1, "kmalloc per IP fragment descriptor"),               \
	    VM98_PARAM("ipq_bytes", VP_IPQ_BYTES, 96, 0, 4096, "bytes", 1,     \
		       "kmalloc per reassembly queue header")

#define VM98_PARAM_SLAB_MGMT                                                   \
	VM98_PARAM("slab_mgmt_bytes", VP_SLAB_MGMT_BYTES, 32, 8, 4096,         \
		   "bytes", 0, "sizeof(kmem_slab_t), the slab descriptor")

#define VM98_PARAM_UPDATE                                                      \
	VM98_PARAM("update_period_s", VP_UPDATE_PERIOD_S, 5, 1, 3600, "s", 1,  \
		   "period of the user-space update daemon (reclaim issue)")

/* --------------------------------------------------- page_alloc.c (§3) */

int vm98_mem_init(struct vm98 *m, char *err, size_t errlen);
void vm98_mem_destroy(struct vm98 *m);
/* RMQUEUE + EXPAND (§3.5); returns pfn or -1. */
int32_t rmqueue(struct vm98 *m, int order, int maxorder, bool dma);
void free_pages_ok(struct vm98 *m, int32_t pfn, int order); /* §3.4 */
void free_pages(struct vm98 *m, int32_t pfn, int order);
int vm98_maxorder(const struct vm98 *m, int mask, int order); /* §3.6 */
int32_t get_free_pages_2_0_33(struct vm98 *m, int mask, int order);
int32_t get_free_pages_2_1_88(struct vm98 *m, int mask, int order);
int32_t get_free_pages_2_1_91(struct vm98 *m, int mask, int order);
int32_t get_free_pages_2_2_0(struct vm98 *m, int mask, int order);
int32_t get_free_pages_sct(struct vm98 *m, int mask, int order);
/* The model's entry: maps the class, calls the version's
 * __get_free_pages, counts the outcome by order and class. */
int32_t vm98_get_free_pages(struct vm98 *m, int rp_gfp, int order);
void vm98_watermarks(int family, int64_t P, int64_t *min, int64_t *low,
		     int64_t *high); /* §3.9 */
/* free_memory_available per version (§3.10); -1 if the version has none.
 * nr is ignored by the ungraded versions. */
int free_memory_available(const struct vm98 *m, int nr);
/* The value shown as series "fma": fma(3) graded, fma() otherwise. */
int vm98_fma_sample(const struct vm98 *m);

/* ---------------------------------------------------------- slab.c (§7) */

void vm98_slab_init(struct vm98 *m);
void vm98_slab_destroy(struct vm98 *m);
/* kmalloc(size, gfp) in the version's size classes; handle type H_NONE
 * on failure.  kmalloc_class: the cache index, or -1 if too big. */
struct vm98_handle vm98_kmalloc(struct vm98 *m, int64_t size, int rp_gfp);
void vm98_kfree(struct vm98 *m, struct vm98_handle h);
int kmalloc_cache_index(const struct vm98 *m, int64_t size);
struct vm98_handle kmem_cache_alloc(struct vm98 *m, int cache, int rp_gfp);
void kmem_cache_free(struct vm98 *m, struct vm98_handle h);
/* §7.3: frees completely free slabs of one cache (one slab or all, per
 * version); returns the number of pages given back. */
int kmem_cache_reap(struct vm98 *m, int rp_gfp);
/* 2.0.33 (§7.4), in kmalloc-2.0.c */
void vm98_km20_init(struct vm98 *m);
struct vm98_handle km20_kmalloc(struct vm98 *m, int64_t size, int rp_gfp);
void km20_kfree(struct vm98 *m, struct vm98_handle h);
int km20_bucket(int64_t size);

/* ------------------------------------------------------------ net.c (§9) */

/* Allocations for a received datagram; returns VM98_OK or VM98_DROPPED. */
/* transport: the event's flags & 3 (0 UDP, RP_FLAG_TCP, other). */
int vm98_net_rx(struct vm98 *m, int64_t bytes, int64_t frags, int transport);
void vm98_netq_run(struct vm98 *m, int64_t now);
int64_t vm98_netq_next_due(const struct vm98 *m);
void vm98_netq_destroy(struct vm98 *m);
/* kmalloc size of alloc_skb(size) for the version (§7.5). */
int64_t vm98_skb_kmalloc_size(const struct vm98 *m, int64_t size);

/* ------------------------------------------------ reclaim-stub.c (hooks) */

int vm98_reclaim_none(struct vm98 *m, int mask);
void vm98_wakeup_none(struct vm98 *m);
void vm98_tick_none(struct vm98 *m);

/* splitmix64 on the instance's seed: the only randomness (vm98.c). */
uint64_t vm98_rand(struct vm98 *m);

/* ------------------------------------------------------------- params */

void vm98_params_defaults(int64_t v[VP_COUNT]);

/* ---------------------------------------------------------- accounting */

/* Accrues ∫nr_free dt up to t; call before any change at time t. */
static inline void vm98_account_to(struct vm98 *m, int64_t t)
{
	if (t > m->now) {
		m->free_integral +=
		    (double)m->nr_free_pages * (double)(t - m->now);
		m->now = t;
	}
}

#endif /* VM98_INTERNAL_H */
