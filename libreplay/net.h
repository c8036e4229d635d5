/*
 * net.h — the packet decoders behind `vmreplay import pcap` and
 * `vmreplay record pcap` (internal, not installed).
 *
 * A struct net takes captured frames one at a time (net_frame) and hands
 * what it finds to a struct net_sink: one rp_packet row per frame, one
 * net_datagram per IP datagram once reassembled, one net_nfs per NFS call
 * (when its reply arrives, or unanswered at the end).  The layers live in one
 * file each: net-link.c (link types, the frame entry point), net-ipv4.c,
 * net-ipv6.c, net-frag.c (fragment reassembly for both), net-udp.c,
 * net-tcp.c (stream reassembly, RPC record marking), net-rpc.c (ONC RPC,
 * xid matching) and net-nfs.c (NFSv2/v3/v4 arguments and results).  Nothing
 * here knows about libpcap or SQLite; all input is read through bytes.h.
 */
#ifndef RP_NET_H
#define RP_NET_H

#include "libreplay.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Link types (the DLT_ values libpcap returns; defined here so that the
 * decoders do not need <pcap.h>). */
enum {
	NET_DLT_NULL = 0,
	NET_DLT_EN10MB = 1,
	NET_DLT_RAW = 12, /* DLT_RAW on Linux */
	NET_DLT_RAW_OPENBSD = 14,
	NET_LINKTYPE_RAW = 101, /* LINKTYPE_RAW as stored in files */
	NET_DLT_LOOP = 108,
	NET_DLT_LINUX_SLL = 113,
	NET_DLT_IPV4 = 228,
	NET_DLT_IPV6 = 229,
	NET_DLT_LINUX_SLL2 = 276,
};
bool net_linktype_supported(int linktype);

/* An IPv4 (family 4, in a[0..3]) or IPv6 (family 6) address. */
struct net_addr {
	uint8_t family;
	uint8_t a[16];
};
/* Inline: compared for every fragment and RPC message. */
static inline bool net_addr_eq(const struct net_addr *x,
			       const struct net_addr *y)
{
	if (x->family != y->family)
		return false;
	return x->family == 4 ? memcmp(x->a, y->a, 4) == 0
			      : memcmp(x->a, y->a, 16) == 0;
}
/* "10.0.0.1" / "2001:db8::1"; buf at least 48 bytes. */
const char *net_addr_str(const struct net_addr *x, char *buf, size_t size);
bool net_addr_parse(const char *s, struct net_addr *out);

/* One direction of a transport conversation. */
struct net_flow {
	struct net_addr src, dst;
	uint16_t sport, dport;
	uint8_t proto; /* 6 TCP, 17 UDP */
};

/* An IP datagram as delivered (after reassembly). */
struct net_datagram {
	int64_t ts_ns;
	int64_t frame; /* the frame that completed it */
	struct net_addr src, dst;
	uint32_t len;	  /* IP payload length (UDP: udp.length) */
	uint32_t hdr_len; /* IP header length: len + hdr_len is the datagram */
	uint32_t nfrags;  /* 1 when not fragmented */
	uint8_t proto;	  /* IP protocol */
};

/* An NFS operation: call and reply matched by xid. */
struct net_nfs {
	struct rp_nfs_op op;
	struct net_addr client, server;
	int64_t frame;	    /* frame of the reply, else of the call */
	int64_t data_off;   /* bytes moved by READ/WRITE: offset, */
	int64_t data_bytes; /* and length; -1 when nothing moved */
	int data;	    /* enum net_nfs_data */
};

struct net_sink {
	/* Each returns 0, or -1 to stop decoding (a fatal error). */
	int (*packet)(void *arg, const struct rp_packet *p);
	int (*datagram)(void *arg, const struct net_datagram *d);
	int (*nfs)(void *arg, const struct net_nfs *n);
	/* One line about a malformed frame; decoding goes on. */
	void (*warn)(void *arg, int64_t frame, const char *msg);
	void *arg;
};

struct net_config {
	int64_t frag_timeout_ns; /* default 30 s (Linux ipfrag_time) */
	size_t frag_mem_limit;	 /* default 4 MiB (Linux ipfrag_high_thresh) */
	size_t tcp_mem_limit;	 /* out-of-order bytes per stream, 1 MiB */
	int64_t rpc_timeout_ns;	 /* unanswered calls given up, default 60 s */
	/* the bytes of every frame stay readable until net_free (a file read
	 * in place): fragments are then kept by reference, not copied */
	bool frames_stay;
};

/* Counters of one decoding run. */
#define NET_NFS_PROCS	 32
#define NET_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
struct net_stats {
	uint64_t frames, bytes, truncated, non_ip, malformed, unsupported;
	uint64_t ip4, ip6;
	uint64_t fragments, frag_datagrams, frag_duplicates, frag_overlaps;
	uint64_t frag_timeouts, frag_evicted, frag_bad;
	uint64_t datagrams, datagrams_udp, datagrams_tcp, datagrams_other;
	uint64_t tcp_segments, tcp_out_of_order, tcp_retransmits, tcp_gaps;
	uint64_t tcp_records;
	uint64_t rpc_calls, rpc_replies, rpc_matched, rpc_orphans;
	uint64_t rpc_retransmits, rpc_unanswered, rpc_other_prog;
	uint64_t nfs_calls[5][NET_NFS_PROCS]; /* [version][proc] */
	uint64_t nfs_udp, nfs_tcp;
	int64_t latency_p50_ns, latency_p99_ns, latency_max_ns; /* -1 if none */
	uint64_t latency_n;
};

struct net;
void net_config_default(struct net_config *cfg);
struct net *net_new(const struct net_config *cfg, const struct net_sink *sink);
/* One captured frame: data holds caplen of the len bytes on the wire.
 * Returns -1 only when a sink callback failed. */
int net_frame(struct net *n, int linktype, int64_t ts_ns, int64_t frame,
	      const uint8_t *data, uint32_t caplen, uint32_t len);
/* Flushes what is pending (fragments, unanswered calls) and computes the
 * latency percentiles. */
int net_finish(struct net *n);
const struct net_stats *net_get_stats(const struct net *n);
/* Sets cfg.frames_stay (before the first frame). */
void net_set_frames_stay(struct net *n, bool on);
void net_free(struct net *n);

/* NFS procedure names; NULL when unknown.  v4 has NULL and COMPOUND. */
const char *net_nfs_proc_name(uint32_t vers, uint32_t proc);
const char *net_nfs4_op_name(uint32_t op);

/* 63-bit FNV-1a hash of a file handle (never 0 for a non-empty one). */
int64_t net_fh_hash(const uint8_t *p, size_t len);

/* ------------------------------------------------------------ internals */

/* Intrusive chained hash table. */
struct net_hnode {
	struct net_hnode *next;
	uint64_t hash;
};
struct net_htab {
	struct net_hnode **b;
	size_t nb, n;
};
int net_htab_insert(struct net_htab *t, struct net_hnode *e, uint64_t hash);
void net_htab_remove(struct net_htab *t, struct net_hnode *e);
static inline struct net_hnode *net_htab_chain(const struct net_htab *t,
					       uint64_t hash)
{
	return t->nb ? t->b[hash & (t->nb - 1)] : NULL;
}
void net_htab_free(struct net_htab *t);

static inline uint64_t net_hash_bytes(uint64_t h, const void *p, size_t len)
{
	const uint8_t *q = p;
	for (size_t i = 0; i < len; i++) {
		h ^= q[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
#define NET_HASH_INIT 0xcbf29ce484222325ull

/* Hash of a table key: two addresses and a word of the rest.  A word at a
 * time, as it is taken for every frame (net_fh_hash is what is stored). */
static inline uint64_t net_hash_key(const struct net_addr *x,
				    const struct net_addr *y, uint64_t rest)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t w[4], h = rest * k;
	memcpy(w, x->a, 16);
	memcpy(w + 2, y->a, 16);
	for (int i = 0; i < 4; i++) {
		h = (h ^ w[i]) * k;
		h ^= h >> 32;
	}
	return h;
}

/* A frame on its way up the stack. */
struct net_pkt {
	int64_t ts_ns, frame;
	struct rp_packet row; /* the packet row of this frame */
	bool truncated;	      /* caplen < len */
};

/* A reassembled (or unfragmented) IP datagram's payload. */
struct frag_q;
struct net_ip {
	struct net_addr src, dst;
	uint8_t proto, version;
	const uint8_t *data; /* the captured prefix of the payload */
	uint32_t caplen;     /* bytes of it captured */
	/* Captured bytes of the whole payload: more than caplen only when
	 * data is the first of the fragments it is still in (`frag`), which
	 * net_frag_whole() copies together. */
	uint32_t wholecap;
	const struct frag_q *frag;
	uint32_t len;	  /* payload length per the headers */
	uint32_t hdr_len; /* IP header bytes before the payload */
	uint32_t nfrags;
};

/* Decoder state shared by the layers. */
struct net_frag_state;
struct net_tcp_state;
struct net_rpc_state;
struct net {
	struct net_config cfg;
	struct net_sink sink;
	struct net_stats st;
	struct net_frag_state *frag;
	struct net_tcp_state *tcp;
	struct net_rpc_state *rpc;
	int64_t now_ns; /* latest capture time seen */
	int64_t next_sweep_ns;
	int failed; /* a sink callback returned -1 */
};

void net_warn(struct net *n, int64_t frame, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int net_emit_packet(struct net *n, const struct rp_packet *row);

int net_ipv4(struct net *n, struct net_pkt *pk, const uint8_t *p,
	     uint32_t caplen);
int net_ipv6(struct net *n, struct net_pkt *pk, const uint8_t *p,
	     uint32_t caplen);
/* Called by the IP layers with a complete datagram: fills the ports of
 * `row` (may be NULL), emits the datagram and goes on to UDP/TCP. */
int net_deliver(struct net *n, struct net_pkt *pk, struct rp_packet *row,
		const struct net_ip *ip);

/* net-frag.c: key is (version, src, dst, id, proto). */
int net_frag_init(struct net *n);
void net_frag_free(struct net *n);
/* Adds a fragment (payload bytes [off, off+len), `more` = MF set) whose
 * packet row is pk->row; delivers the datagram when it is complete. */
int net_frag_add(struct net *n, struct net_pkt *pk, const struct net_ip *hdr,
		 uint32_t id, uint32_t off, uint32_t len, const uint8_t *data,
		 uint32_t caplen, bool more);
int net_frag_sweep(struct net *n, bool all);
/* The whole captured payload of ip (wholecap bytes): ip->data, or the
 * fragments copied into a buffer of n's, valid until the next call; NULL
 * when out of memory. */
const uint8_t *net_frag_whole(struct net *n, const struct net_ip *ip);

int net_udp(struct net *n, struct net_pkt *pk, const struct net_ip *ip);
int net_tcp(struct net *n, struct net_pkt *pk, const struct net_ip *ip);
int net_tcp_init(struct net *n);
void net_tcp_free(struct net *n);
int net_tcp_sweep(struct net *n, bool all);
/* Ports of a TCP or UDP header at the start of an IP payload. */
void net_ports(const struct net_ip *ip, int32_t *sport, int32_t *dport);

/* net-rpc.c: one RPC message (UDP payload or TCP record); `caplen` of its
 * `len` bytes are present.  `stream` tells that the message came from a
 * synchronised TCP record stream (less guessing).  `more` tells that more
 * of it was captured than `caplen` (a datagram still in fragments).
 * Returns 1 if it was an RPC message, 0 if not, -1 on a sink error, and
 * NET_RPC_AGAIN when `more` was set and the bytes given did not settle it:
 * then nothing was done, and it is to be called again with them all. */
#define NET_RPC_AGAIN 2
struct net_rpc_in {
	const struct net_flow *fl;
	int64_t ts_ns, frame;
	uint32_t len;
	bool stream, more;
};
int net_rpc_msg(struct net *n, const struct net_rpc_in *in, const uint8_t *msg,
		uint32_t caplen);
/* Does this look like the start of an RPC message?  (TCP resync.) */
bool net_rpc_plausible(const uint8_t *msg, size_t caplen);
int net_rpc_init(struct net *n);
void net_rpc_free(struct net *n);
int net_rpc_sweep(struct net *n, bool all);
void net_rpc_finish_stats(struct net *n);

/* net-nfs.c */
enum net_nfs_data { NET_NFS_NONE = 0, NET_NFS_READ = 1, NET_NFS_WRITE = 2 };
struct net_nfs_call {
	int64_t fh_hash, offset, count;
	int data;  /* enum net_nfs_data: does it move file data */
	char *ops; /* v4 COMPOUND op list (malloc'ed) or NULL */
	bool cut; /* the bytes ended first: more of them may decode otherwise */
};
struct net_nfs_reply {
	int32_t status;
	int64_t count;	 /* READ/WRITE count in the reply, -1 if none */
	int64_t fh_hash; /* file handle returned (LOOKUP, CREATE), 0 if none */
	bool cut;	 /* as in net_nfs_call */
};
/* Decode arguments/results; return false when malformed (what was decoded
 * before is kept).  The outcome depends on the bytes past `len` only when
 * out->cut is set. */
bool net_nfs_call_decode(uint32_t vers, uint32_t proc, const uint8_t *p,
			 size_t len, struct net_nfs_call *out);
bool net_nfs_reply_decode(uint32_t vers, uint32_t proc, const uint8_t *p,
			  size_t len, struct net_nfs_reply *out);

#endif /* RP_NET_H */
