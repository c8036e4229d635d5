/*
 * libreplay-pcap.h — the packet recorder of libreplay: imports pcap/pcapng
 * files and records live from an interface (libpcap), decodes IPv4/IPv6
 * (with fragment reassembly), UDP, TCP (with RPC record marking), ONC RPC and
 * NFSv2/v3/v4, and stores one trace: packet and nfs_op rows, net_rx events
 * for datagrams delivered to the observed host and file_read/file_write
 * events for the NFS data it moved.  See docs/pcap.md.
 *
 * Conventions are those of libreplay.h: 0 on success, -1 with a filled
 * struct rp_error; everything is stored in one transaction, so on a fatal
 * error nothing is.  Malformed frames are not fatal: each gives one line
 * through the warn callback and decoding goes on.
 */
#ifndef LIBREPLAY_PCAP_H
#define LIBREPLAY_PCAP_H

#include "libreplay.h"

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rp_pcap_options {
	/* The observed host ("us"): an IPv4 or IPv6 address.  NULL: inferred
	 * (the NFS client, else the RPC client, else the busiest receiver). */
	const char *host;
	rp_progress_cb progress; /* import: bytes of the file read */
	void *progress_arg;
	/* One line per malformed frame ("FILE: frame N: ..."); at most
	 * max_warnings lines (0: 20), the rest are only counted. */
	void (*warn)(const char *line, void *arg);
	void *warn_arg;
	unsigned max_warnings;
	/* Which frames get a packet row: every frame (the default), only IP
	 * fragments, or none; rows dominate the ingest time. */
	enum {
		RP_PCAP_ROWS_ALL,
		RP_PCAP_ROWS_FRAGMENTS,
		RP_PCAP_ROWS_NONE
	} packet_rows;

	/* Live recording only. */
	const char *filter; /* BPF expression, or NULL */
	int snaplen;	    /* 0: 262144 */
	int buffer_kb;	    /* kernel capture buffer, 0: 65536 (64 MiB) */
	double duration_s;  /* stop after this long, 0: no limit */
	uint64_t count;	    /* stop after this many frames, 0: no limit */
	const char *user;   /* -Z: drop root to this user after opening */
	/* Called once the capture is running, before privileges are dropped
	 * (start the workload here); returns -1 to give up. */
	int (*started)(void *arg);
	/* Polled at least every 100 ms; returns nonzero to stop. */
	int (*should_stop)(void *arg);
	void *arg;
};

/* What a run decoded and stored (also stored as trace stats). */
struct rp_pcap_summary {
	char host[48];		 /* observed host, "" if none */
	const char *host_source; /* "option", "nfs-client", "rpc-client",
				    "receiver", "none" */
	int linktype;
	uint64_t frames, frames_truncated, malformed, warnings_dropped;
	uint64_t fragments, frag_duplicates, reassembled, reassembly_failures;
	uint64_t datagrams, tcp_segments, tcp_gaps;
	uint64_t rpc_calls, rpc_replies, rpc_unanswered, nfs_ops;
	int64_t latency_p50_ns, latency_p99_ns; /* -1 if no RPC pair */
	uint64_t packets, events, net_rx, file_read, file_write;
	char procs[1024];   /* "NFSv3 READ 512, NFSv3 WRITE 256, ..." */
	int file_truncated; /* the capture file ended inside a record */
	int live;
	uint64_t cap_received, cap_dropped, cap_if_dropped;
};

/* Imports a pcap or pcapng file as a new trace (meta->source defaults to
 * "pcap", meta->origin to the path).  sum may be NULL. */
int rp_import_pcap(struct rp_store *store, const char *path,
		   const struct rp_trace_meta *meta,
		   const struct rp_pcap_options *opt, int64_t *trace_id,
		   struct rp_pcap_summary *sum, struct rp_error *err);

/* Captures live from iface until should_stop, duration or count, then
 * stores the trace as rp_import_pcap does, with the capture counters. */
int rp_record_pcap(struct rp_store *store, const char *iface,
		   const struct rp_trace_meta *meta,
		   const struct rp_pcap_options *opt, int64_t *trace_id,
		   struct rp_pcap_summary *sum, struct rp_error *err);

/* Prints the summary as a few lines ("pcap: ..."). */
void rp_pcap_summary_print(const struct rp_pcap_summary *sum, FILE *out);

#ifdef __cplusplus
}
#endif
#endif /* LIBREPLAY_PCAP_H */
