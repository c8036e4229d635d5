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
/* Deferred events kept per task (vm98.h "Time"): a task further behind
 * has its oldest event applied early (metric events.forced), so memory
 * stays bounded whatever the trace length. */
#define VM98_MAX_DEFERRED 8192
/* Direct-mapped lookup hints in front of the page-cache and buffer hash
 * maps, checked against the page or buffer head (filemap.c, buffer.c). */
#define VM98_HINTS 1024

/* Page flags (§2). */
#define PG_DMA	      0x01
#define PG_reserved   0x02
#define PG_slab	      0x04
#define PG_leaked     0x08 /* lost by the 2.0.33 kmalloc quirk (§7.4) */
#define PG_untracked  0x10 /* page_alloc event without obj: held forever */
#define PG_referenced 0x20 /* §6.2 */
#define PG_locked     0x40 /* I/O in flight (§10.1) */

/* What a page is used for (struct page.kind), the reclaim side (§2). */
enum {
	PK_NONE = 0,  /* free, reserved, or held by an obj/slab/area */
	PK_CACHE,     /* page cache (file, offset) §6 */
	PK_BUFFER,    /* buffer-cache page §8 */
	PK_ANON,      /* anonymous page mapped by one pte §5.7 */
	PK_SWAPCACHE, /* in the swap cache (maybe mapped) §10.2 */
	PK_SWAPIO,    /* async swap write in flight, freed at completion */
	PK_COUNT
};

/* Page ageing (§5.8). */
#define MAX_PAGE_AGE	 20
#define PAGE_ADVANCE	 3
#define PAGE_DECLINE	 1
#define PAGE_AGE_VALUE	 16 /* 2.0.33: 6 */
#define SWAPOUT_INTERVAL 25 /* ticks, §5.10 */
#define NR_REQUEST	 64 /* §10.3 */
#define NR_WRITE_REQUEST 42 /* writes may use 2/3 of the slots */

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
bool vm98_gfp_io(int family, int mask);

/* ----------------------------------------------------------- structures */

/* struct page (§2): the allocator-side fields.  The reclaim issue adds
 * its fields here (age, inode/offset, buffers...). */
struct page {
	int32_t next, prev; /* free-list links; list heads at index P+order */
	uint8_t flags;	    /* PG_* */
	int8_t free_order;  /* order if this page heads a free block, else -1 */
	uint8_t count;	    /* reference count (1 when allocated) */
	uint8_t age;	    /* PAGE_INITIAL_AGE at allocation (§3.5) */
	uint8_t kind;	    /* PK_* */
	uint8_t pad[3];
	int32_t owner; /* PK_ANON/SWAPCACHE mapped: task; PK_BUFFER: 1st bh */
	int32_t pte;   /* PK_ANON/SWAPCACHE mapped: pte index (else -1) */
	int32_t slot;  /* PK_SWAPCACHE/SWAPIO: swap entry */
	int64_t file, off; /* PK_CACHE: the page-cache key */
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

/* The engine's dense slot numbers (vm98_apply_slot) → handle: a plain
 * array, grown to the highest slot seen; type H_NONE: nothing held. */
struct slotmap {
	struct vm98_handle *h;
	uint32_t cap;
};
int slotmap_reserve(struct slotmap *sm, uint32_t slot);
void slotmap_destroy(struct slotmap *sm);

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

/* Open-addressing map (a, b) → int32 (page cache, buffer hash, ptes,
 * task ids); linear probing, backward-shift deletion; in objmap.c. */
struct pairmap_slot {
	int64_t a, b;
	int32_t v; /* -1: empty */
};
struct pairmap {
	struct pairmap_slot *slot;
	uint32_t mask, used;
};
int pairmap_init(struct pairmap *pm, uint32_t cap);
void pairmap_destroy(struct pairmap *pm);
int32_t pairmap_get(const struct pairmap *pm, int64_t a, int64_t b); /* -1 */
int pairmap_put(struct pairmap *pm, int64_t a, int64_t b, int32_t v);
bool pairmap_del(struct pairmap *pm, int64_t a, int64_t b);

/* A pte of a replayed task (§5.6): ptes are kept in first-touch order,
 * which is the order swap_out_process walks them (the model has no VMA
 * layout). */
enum { PTE_NONE = 0, PTE_PRESENT, PTE_SWAP, PTE_ZERO };
#define PTE_YOUNG 1
#define PTE_DIRTY 2
struct vm98_pte {
	int64_t vpage;
	int32_t val; /* PTE_PRESENT: pfn; PTE_SWAP: swap entry */
	uint8_t state, bits;
};

/* A deferred closed-loop event (file, blk, anon_touch, task_exit): the
 * fields apply_one reads, 40 bytes instead of 96 (task.c).  a: file or
 * dev; b: offset or block; flags: the low byte (bit 0 is all they use). */
struct vm98_devent {
	int64_t ts_ns, a, b, count;
	uint32_t present;
	uint8_t kind, gfp, flags;
};

/* A replayed task: its ptes, the swap_out state (§5.5) and the
 * closed-loop time offset with the events it has not replayed yet. */
struct vm98_task {
	int64_t id;
	int64_t delay; /* model time = trace time + delay (vm98.h) */
	int64_t rss, swap_cnt, nswap;
	int32_t swap_address; /* index into pte[] (§5.6 resume point) */
	struct vm98_pte *pte;
	int32_t npte, cap_pte;
	struct vm98_devent *q; /* deferred events, a ring */
	int64_t next_ts;       /* q[qhead].ts_ns, if qlen */
	uint32_t qhead, qlen, qcap;
	int32_t waitpos; /* index in m->waiting, or -1 */
	bool live;
};

/* A disk request (§10.3) and what its completion does. */
enum { IO_NONE = 0, IO_SWAP_WRITE_ASYNC, IO_BUF_WRITE, IO_SWAP_UNLOCK };
struct vm98_req {
	int64_t sector, done;
	int32_t nsect, arg;
	uint32_t seq; /* submission order */
	uint8_t write, action;
};
struct vm98_ring { /* requests (ll_rw_blk.c) */
	struct vm98_req *r;
	uint32_t head, len, cap;
};

/* A buffer head (§8.1).  Buffers of one page have consecutive indices;
 * indices 0..3 are the list sentinels BUF_CLEAN, BUF_LOCKED, BUF_DIRTY,
 * BUF_FREE. */
enum { BUF_CLEAN = 0, BUF_LOCKED, BUF_DIRTY, BUF_FREE, BUF_NLISTS };
#define BH_dirty    1
#define BH_locked   2
#define BH_touched  4
#define BH_meta	    8
#define BH_hashed   16
#define BH_FILE_DEV (INT64_C(1) << 62) /* dev tag of file data buffers */
struct vm98_bh {
	int64_t dev, blk;
	int64_t sector;
	int64_t flushtime;
	int32_t next, prev;
	int32_t pfn;
	uint8_t state, list;
};

/* Latency histogram: 32 sub-buckets per power of two (±3 %). */
#define HIST_SUB 32
#define HIST_N	 (64 * HIST_SUB)
struct vm98_hist {
	uint64_t n;
	int64_t max;
	uint32_t b[HIST_N];
};
void hist_add(struct vm98_hist *h, int64_t v);
int64_t hist_quantile(const struct vm98_hist *h, double q);

/* The time and work of the reclaim in progress (kswapd's pass or an
 * allocating task's direct reclaim): elapsed = CPU + waits. */
struct vm98_rc {
	int64_t t0;	 /* when it started (model ns) */
	int64_t elapsed; /* ns so far */
	int64_t cpu;	 /* ns of CPU so far */
	int64_t freed;	 /* pages given back to the buddy lists */
	bool blocked;	 /* waited for the disk (2.1.89 sleep quirk) */
	bool kswapd;	 /* true: kswapd's pass */
	int calls;	 /* try_to_free_page calls */
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
	/* reclaim */
	uint64_t kswapd_passes, kswapd_tries, ctxsw;
	int64_t kswapd_cpu;
	uint64_t scanned, ptes, reclaimed, shrink_freed, swapout_freed;
	uint64_t swap_out, swap_in, swap_in_fail, swap_full;
	uint64_t pages_written, buf_written, reap_pages;
	uint64_t o5_regained;
	uint64_t pc_hit, pc_miss, pc_fail, pc_read_pages;
	uint64_t bh_hit[2], bh_miss[2], bh_fail, bh_grow, bh_recycle;
	uint64_t bh_free_pages, bdflush_rounds, update_rounds;
	uint64_t anon_fault, anon_fail, zero_map, task_exit;
	uint64_t deferred, forced, stalls, stalls_dropped, ignored;
	uint64_t direct_calls, sync_writes;
	int64_t direct_ns, io_wait_ns;
};

/* A stall, queued for vm98_next_stall. */
struct vm98_stall_q {
	struct vm98_stall *s;
	uint32_t head, len, cap;
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

	struct objmap objs;   /* vm98_apply: obj id → handle */
	struct slotmap slots; /* vm98_apply_slot: slot → handle */
	bool slot_mode;	      /* driven by vm98_apply_slot */
	uint32_t cur_slot;    /* slot of the event being applied */

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

	/* ---- reclaim (§5, §6, §8, §10) ---- */
	struct pairmap pcache;	   /* (file, offset) → pfn */
	int64_t nr_kind[PK_COUNT]; /* pages per PK_* (PK_NONE unused) */
	uint64_t *scanmap;	   /* bit per page: PK_CACHE/BUFFER/SWAPCACHE */
	uint64_t *bufmap;	   /* bit per page: PK_BUFFER */
	uint64_t *quietmap;	   /* cache pages a SHRINK_91 visit left idle */
	int32_t clock;		   /* shrink_mmap hand (§6.1) */
	int dtfp_state;		   /* do_try_to_free_page method (§5.4) */
	/* find_page: last pfn + 1 per hash */
	int32_t pc_hint[VM98_HINTS];
	/* tasks */
	struct vm98_task *tasks;
	int32_t ntasks, cap_tasks;
	struct pairmap taskmap; /* (id, 0) → task */
	struct vm98_taskid {
		int64_t id;
		int32_t t1;    /* task + 1; 0: empty */
	} taskid_cache[64];    /* task_get: id & 63 → task */
	struct pairmap ptemap; /* (task, vpage) → pte index */
	int32_t *waiting;      /* tasks with deferred events */
	int64_t *wait_when;    /* their next_ts + delay, same index */
	int32_t nwaiting, cap_waiting;
	/* the earliest deferred event (task_next_event), kept by
	 * tev_changed (task.c); dropped when cpu_busy_until changes */
	bool tev_valid;
	int32_t tev_task;
	int64_t tev_when;
	int32_t cur_task;     /* task of the event being applied, or -1 */
	int32_t nr_rss_tasks; /* tasks with rss > 0 (task_rss_add) */
	int32_t swap_task;    /* 2.0.33 swap_out's round-robin index (§5.5) */
	int64_t cpu_busy_until; /* kswapd (SCHED_FIFO) holds the CPU */
	/* swap (§10) */
	int32_t nr_swap_slots;
	uint8_t *swap_map;
	int32_t *swap_cache; /* entry → pfn or -1 */
	int64_t nr_swap_pages;
	int32_t lowest_bit, highest_bit, cluster_next, cluster_nr;
	int64_t nr_async_pages;
	/* disk (§10.3) */
	struct vm98_ring plugged; /* queued requests, sector order */
	struct vm98_req disk_cur; /* in service if disk_busy */
	bool disk_busy, disk_plugged;
	int64_t disk_busy_until, disk_last_end;
	int32_t writes_outstanding;
	uint32_t req_seq;
	/* buffer cache (§8) */
	struct vm98_bh *bh;
	int32_t nbh, cap_bh, bh_free_groups; /* freed groups: a stack */
	int32_t *bh_group_stack;
	int32_t bpp, bsize;   /* buffers per page, block size */
	struct pairmap bhash; /* (dev, blk) → bh */
	/* getblk: last bh + 1 per hash */
	int32_t bh_hint[VM98_HINTS];
	int64_t nr_buffers, nr_dirty, nlist[BUF_NLISTS];
	int64_t next_update;
	bool bdflush_wanted, update_pending;
	/* kswapd (§5.1–§5.3) */
	int64_t kswapd_awake_until;
	uint64_t next_swap_jiffies;
	int last_wakeup_low;
	bool kswapd_pending;   /* woken by an allocation: runs at next tick */
	bool kswapd_rerun;     /* 2.1.89 sleep quirk */
	uint64_t kswapd_timer; /* 2.2.0: jiffies of the 1-s timeout */
	struct vm98_rc rc;     /* the reclaim in progress */
	int64_t last_pass_elapsed;
	int rc_depth;
	bool event_stall_recorded;
	/* results */
	struct vm98_hist hist[RP_GFP_CLASS_MASK + 1]; /* [0] = all */
	struct vm98_stall_q stallq;

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

/* Reclaim variants (§5, §6, §8, §12, §13), selected per kernel. */
enum vm98_kswapd_kind {
	KSWAPD_20,     /* 4 + deficit calls (§5.2 2.0.33) */
	KSWAPD_88,     /* stop at high / 3 failures */
	KSWAPD_89PRE1, /* until fma, async then sync */
	KSWAPD_A,      /* 2.1.89: formula A, stop on fma */
	KSWAPD_C,      /* 2.1.90: formula C, stop on fma */
	KSWAPD_RIK,    /* formula C, Rik's early exit */
	KSWAPD_LINUS,  /* tries param, stop on fma or failure */
	KSWAPD_D,      /* 2.1.91pre1: formula D, >= 32 then fma(0) */
	KSWAPD_91,     /* 200 >> fma(3), >= 32 then fma(0) */
	KSWAPD_22,     /* until high / failure / need_resched */
	KSWAPD_SCT,    /* until sct_batch pages freed */
};
enum vm98_tick_kind {
	TICK_20,     /* §5.3 2.0.33 */
	TICK_88,     /* free+async < low: every tick; < high: 25 ticks */
	TICK_90,     /* + BUFFER_MEM > max (2.1.90pre3) */
	TICK_91PRE1, /* fma(3) 0: every tick, 1..2 / BUFFER_MEM > 90 %: 25 */
	TICK_91,     /* fma(3) 0: every tick, 1..3 / buffers > 30 %: 25 */
	TICK_LINUS,  /* !fma(): every tick or every wake_period */
	TICK_22,     /* no swap_tick: 1-s timer */
	TICK_SCT,    /* periodic (GUESS) */
};
enum vm98_quota_kind { QUOTA_NONE, QUOTA_90, QUOTA_91, QUOTA_22 };
enum vm98_shrink_kind {
	SHRINK_NOAGE, /* 2.0.33 – 2.1.89pre5: no page-cache ageing */
	SHRINK_AGE,   /* 2.1.89 – 2.1.91pre1 */
	SHRINK_91,    /* 2.1.91 – 2.1.92: + min quotas */
	SHRINK_22,    /* 2.2.0 */
};
enum vm98_swapout_kind { SWAPOUT_20, SWAPOUT_89, SWAPOUT_22 };

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
	/* Reclaim policy (vmscan.c, filemap.c, buffer.c). */
	int kswapd_kind;  /* enum vm98_kswapd_kind */
	int tick_kind;	  /* enum vm98_tick_kind */
	int quota_kind;	  /* enum vm98_quota_kind */
	int shrink_kind;  /* enum vm98_shrink_kind */
	int swapout_kind; /* enum vm98_swapout_kind */
	bool swapout_rr;  /* 2.0.33: swap_out takes tasks round robin (§5.5) */
	bool kswiod;	  /* sct-kswiod: kswapd never waits for the disk */
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
	VP_KERNEL_KB,	     /* kernel image size, loaded at 1 MB (§3.3) */
	VP_INITMEM_KB,	     /* __init pages at the end of the image (§3.3) */
	VP_BOOT_EXTRA_KB,    /* console, kmem_cache_init etc. (§3.3) */
	VP_MEM_MAP_BYTES,    /* sizeof(struct page) (§3.3) */
	VP_START_MEM_KB,     /* override of start_mem; 0 = computed */
	VP_FREEPAGES_MIN,    /* override of §3.9; 0 = formula */
	VP_FREEPAGES_LOW,    /* override; 0 = formula */
	VP_FREEPAGES_HIGH,   /* override; 0 = formula */
	VP_FMA_BUG,	     /* 2.1.91pre1 fma bug (§3.10) */
	VP_NET_HOLD_NS,	     /* lifetime of a received datagram (§9.1) */
	VP_RX_SKB_BYTES,     /* driver rx buffer; 0 = frame length + 2 */
	VP_MTU,		     /* link MTU for fragment counts (§9.2) */
	VP_SKB_HEAD_BYTES,   /* sizeof(struct sk_buff) (§7.5) */
	VP_IPFRAG_BYTES,     /* per-fragment descriptor kmalloc (§9.1) */
	VP_IPQ_BYTES,	     /* per-datagram queue header kmalloc (§9.1) */
	VP_SLAB_MGMT_BYTES,  /* off-slab slab descriptor size (§7.2) */
	VP_KM20_PARK_QUIRK,  /* 2.0.33 parked-area order quirk (§7.4) */
	VP_TRIES,	     /* linus: kswapd tries (§13 P6, reclaim) */
	VP_WAKE_PERIOD,	     /* linus/sct: wake-up period, ticks (reclaim) */
	VP_WAKE_EVERY_TICK,  /* linus: every tick when fma(3)=0 (reclaim) */
	VP_SCT_BATCH,	     /* sct: pages kswapd frees per wake (reclaim) */
	VP_UPDATE_PERIOD_S,  /* update daemon period (§8.4, reclaim) */
	VP_SWAP_MB,	     /* swap partition size */
	VP_CPU_SCAN_NS,	     /* CPU per page scanned by shrink_mmap (§14) */
	VP_CPU_PTE_NS,	     /* CPU per pte visited by swap_out (§14) */
	VP_CPU_TRY_NS,	     /* CPU per try_to_free_page call */
	VP_CTXSW_NS,	     /* CPU per context switch */
	VP_DISK_ACCESS_US,   /* average seek + rotation (§14) */
	VP_DISK_KBS,	     /* transfer rate */
	VP_BLOCK_SIZE,	     /* buffer-cache block size (§8.1) */
	VP_NFRACT,	     /* bdflush nfract % (§8.4) */
	VP_NDIRTY,	     /* bdflush ndirty */
	VP_NREFILL,	     /* refill_freelist nrefill (§8.2) */
	VP_AGE_BUFFER,	     /* data buffer flush delay, ticks */
	VP_AGE_SUPER,	     /* metadata buffer flush delay, ticks */
	VP_SLEEP_QUIRK,	     /* 2.1.89 kswapd sleep-state bug (§5.1, §15) */
	VP_IGNORE_RESULT,    /* kswapd ignores try_to_free_page's result */
	VP_SWAPOUT_NOIO,     /* try_to_swap_out ignores __GFP_IO (§15) */
	VP_PGCACHE_TICK_BUG, /* swap_tick page-cache test without x100 */
	VP_NEED_RESCHED_NS,  /* 2.2.0 kswapd: need_resched after this CPU */
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
		   "period of the user-space update daemon (§8.4)")

/* Reclaim parameters every kernel has (§8.4, §10, §14). */
#define VM98_PARAMS_RECLAIM                                                    \
	VM98_PARAM("swap_mb", VP_SWAP_MB, 64, 0, 1 << 20, "MB", 1,             \
		   "swap partition size"),                                     \
	    VM98_PARAM("cpu_scan_ns", VP_CPU_SCAN_NS, 200, 0, 1000000, "ns",   \
		       1, "CPU per page visited by shrink_mmap (§14)"),        \
	    VM98_PARAM("cpu_pte_ns", VP_CPU_PTE_NS, 100, 0, 1000000, "ns", 1,  \
		       "CPU per pte visited by swap_out (§14)"),               \
	    VM98_PARAM("cpu_try_ns", VP_CPU_TRY_NS, 2000, 0, 100000000, "ns",  \
		       1, "CPU per try_to_free_page call (reap, setup)"),      \
	    VM98_PARAM("ctxsw_ns", VP_CTXSW_NS, 5000, 0, 100000000, "ns", 1,   \
		       "CPU per context switch"),                              \
	    VM98_PARAM("disk_access_us", VP_DISK_ACCESS_US, 9000, 0, 1000000,  \
		       "us", 1, "average seek + rotation of a disk request"),  \
	    VM98_PARAM("disk_kbs", VP_DISK_KBS, 8192, 1, 10000000, "KB/s", 1,  \
		       "disk transfer rate"),                                  \
	    VM98_PARAM("block_size", VP_BLOCK_SIZE, 1024, 512, 4096, "bytes",  \
		       0, "buffer-cache block size (ext2 1 KB)"),              \
	    VM98_PARAM("nfract", VP_NFRACT, 40, 0, 100, "%", 0,                \
		       "bdflush: wake when dirty buffers exceed this share"),  \
	    VM98_PARAM("ndirty", VP_NDIRTY, 500, 10, 5000, "buffers", 0,       \
		       "bdflush: buffers written per round"),                  \
	    VM98_PARAM("nrefill", VP_NREFILL, 64, 5, 2000, "buffers", 0,       \
		       "refill_freelist goal"),                                \
	    VM98_PARAM("age_buffer", VP_AGE_BUFFER, 3000, 100, 60000, "ticks", \
		       0, "flush delay of a dirty data buffer"),               \
	    VM98_PARAM("age_super", VP_AGE_SUPER, 500, 100, 60000, "ticks", 0, \
		       "flush delay of a dirty metadata buffer")

/* The §15 quirks that change behaviour, one switch each. */
#define VM98_PARAM_SLEEP_QUIRK                                                 \
	VM98_PARAM("sleep_quirk", VP_SLEEP_QUIRK, 1, 0, 1, "bool", 0,          \
		   "kswapd sleep-state bug: after a pass that blocked, pass "  \
		   "again without sleeping (§5.1, §15)")
#define VM98_PARAM_IGNORE_RESULT                                                \
	VM98_PARAM("ignore_result", VP_IGNORE_RESULT, 1, 0, 1, "bool", 0,       \
		   "kswapd ignores try_to_free_page's result (§15); 0 = stop " \
		   "at the first failure")
#define VM98_PARAM_SWAPOUT_NOIO                                                \
	VM98_PARAM("swapout_noio", VP_SWAPOUT_NOIO, 1, 0, 1, "bool", 0,        \
		   "try_to_swap_out writes swap without __GFP_IO (§15)")
#define VM98_PARAM_PGCACHE_TICK_BUG                                            \
	VM98_PARAM("pgcache_tick_bug", VP_PGCACHE_TICK_BUG, 1, 0, 1, "bool",   \
		   0,                                                          \
		   "swap_tick page-cache max test lacks x100, never fires "    \
		   "(§15)")
#define VM98_PARAM_NEED_RESCHED                                                \
	VM98_PARAM("need_resched_ns", VP_NEED_RESCHED_NS, 10000000, 1,         \
		   INT64_C(100000000000), "ns", 1,                             \
		   "kswapd CPU in one pass after which need_resched is set")

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

/* ------------------------------------------------- reclaim (§5 – §10) */

/* filemap.c (§6) */
void page_set_kind(struct vm98 *m, int32_t pfn, int kind);
/* A cache page's PG_referenced, age or count changes: shrink_mmap_21
 * must look at it again (quietmap, filemap.c). */
static inline void page_unquiet(struct vm98 *m, int32_t pfn)
{
	m->quietmap[pfn >> 6] &= ~(UINT64_C(1) << (pfn & 63));
}
void page_free_reclaimed(struct vm98 *m, int32_t pfn);
int64_t file_sector(int64_t file, int64_t off);
int32_t find_page(struct vm98 *m, int64_t file, int64_t off);
int add_to_page_cache(struct vm98 *m, int32_t pfn, int64_t file, int64_t off);
void remove_from_page_cache(struct vm98 *m, int32_t pfn);
int shrink_mmap(struct vm98 *m, int prio, int mask);
int vm98_file_read(struct vm98 *m, int64_t file, int64_t off, int64_t count);
int vm98_file_write(struct vm98 *m, int64_t file, int64_t off, int64_t count);
/* buffer.c (§8) */
int vm98_buffer_init(struct vm98 *m);
void vm98_buffer_destroy(struct vm98 *m);
int try_to_free_buffer(struct vm98 *m, int32_t pfn);
void buffer_write_done(struct vm98 *m, int32_t bh);
void bdflush(struct vm98 *m);
void sync_old_buffers(struct vm98 *m);
int buffer_write(struct vm98 *m, int64_t dev, int64_t blk, int64_t sector,
		 bool meta);
int vm98_blk(struct vm98 *m, bool write, int64_t dev, int64_t block,
	     int64_t count, bool meta);
/* swap_state.c, page_io.c (§3.11, §10) */
int vm98_swap_init(struct vm98 *m);
void vm98_swap_destroy(struct vm98 *m);
int32_t get_swap_page(struct vm98 *m);
void swap_duplicate(struct vm98 *m, int32_t e);
void swap_free(struct vm98 *m, int32_t e);
void add_to_swap_cache(struct vm98 *m, int32_t pfn, int32_t e);
void delete_from_swap_cache(struct vm98 *m, int32_t pfn);
int swap_in(struct vm98 *m, int32_t t, int32_t pi, bool write);
void rw_swap_page(struct vm98 *m, int32_t pfn, int32_t e, bool write,
		  bool wait);
void swap_write_done(struct vm98 *m, int32_t pfn);
/* ll_rw_blk.c (§10.3) */
void vm98_disk_destroy(struct vm98 *m);
int disk_submit(struct vm98 *m, int64_t sector, int32_t nsect, bool write,
		int action, int32_t arg);
void run_task_queue(struct vm98 *m, int64_t t);
static inline int64_t disk_next_done(const struct vm98 *m)
{
	return m->disk_busy ? m->disk_cur.done : INT64_MAX;
}
void disk_complete_until(struct vm98 *m, int64_t t);
int64_t disk_wait_last(struct vm98 *m, int64_t t);
int64_t disk_wait_first(struct vm98 *m, int64_t t);
int64_t disk_write_slot(struct vm98 *m, int64_t t);
void disk_io_done(struct vm98 *m, const struct vm98_req *r);
/* vmscan.c (§5) */
int try_to_swap_out(struct vm98 *m, int32_t t, int32_t pi, int mask);
int swap_out(struct vm98 *m, int prio, int mask);
int do_try_to_free_page(struct vm98 *m, int mask);
int vm98_try_to_free_page(struct vm98 *m, int mask);
int vm98_do_try_to_free_pages_22(struct vm98 *m, int mask);
int64_t vm98_kswapd_tries(int kind, int64_t nfree, int64_t min, int64_t low,
			  int64_t high, int fma3);
int64_t kswapd_pass(struct vm98 *m);
void vm98_wakeup_kswapd(struct vm98 *m);
int vm98_sct_wait(struct vm98 *m, int mask);
void vm98_swap_tick(struct vm98 *m);
/* task.c (§5.5 – §5.7, closed loop) */
void vm98_tasks_destroy(struct vm98 *m);
int32_t task_get(struct vm98 *m, int64_t id);
int vm98_anon_touch(struct vm98 *m, int32_t t, int64_t vpage, int64_t count,
		    bool write);
void vm98_task_exit(struct vm98 *m, int32_t t);
int task_defer(struct vm98 *m, int32_t t, const struct rp_event *ev);
void task_add_delay(struct vm98 *m, int32_t t, int64_t ns);
int32_t task_next_event(struct vm98 *m, int64_t *when);
void task_pop(struct vm98 *m, int32_t t, struct rp_event *out);

/* Changes a task's rss by d, keeping m->nr_rss_tasks. */
static inline void task_rss_add(struct vm98 *m, struct vm98_task *T, int64_t d)
{
	int64_t old = T->rss;
	T->rss += d;
	m->nr_rss_tasks += (T->rss > 0) - (old > 0);
}

/* vm98.c: queue a stall record (and count it in the histograms). */
void stall_push(struct vm98 *m, int order, int rp_gfp, int64_t latency,
		int64_t freed, bool failed, const char *path);

/* The current thread's time (reclaim context, vmscan.c header). */
static inline int64_t rc_now(const struct vm98 *m)
{
	return m->now + m->rc.elapsed;
}
static inline void rc_cpu(struct vm98 *m, int64_t ns)
{
	m->rc.cpu += ns;
	m->rc.elapsed += ns;
}
/* Waits (sleeping) until t: a context switch out and back in. */
static inline void rc_wait(struct vm98 *m, int64_t t)
{
	int64_t now = rc_now(m);
	if (t > now) {
		m->rc.elapsed += t - now;
		m->rc.blocked = true;
		m->st.ctxsw += 2;
		m->st.io_wait_ns += t - now;
	}
}

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
