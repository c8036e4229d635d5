/*
 * pcap-trace.h — turns what the packet decoders (net.h) find into one stored
 * trace: packet and nfs_op rows as they come, events buffered and written in
 * time order at the end once the observed host is known, counters as trace
 * stats.  Shared by the file reader and the live recorder (pcap-reader.c);
 * knows nothing about libpcap.
 */
#ifndef RP_PCAP_TRACE_H
#define RP_PCAP_TRACE_H

#include "libreplay-pcap.h"
#include "internal.h"
#include "net.h"

struct pcap_addr_ent;
struct pcap_ev;
struct pcap_rows;
struct pcap_store;

struct pcap_trace {
	struct rp_trace_writer *w; /* NULL: decode only, store nothing */
	/* packet and nfs_op rows go to the store in batches, appended by a
	 * thread of their own (NULL: in the decoding thread) */
	struct pcap_store *store;
	struct pcap_rows *rows; /* the batch being filled */
	struct net *net;
	const char *origin;
	struct rp_pcap_options opt;
	struct net_addr host;
	bool have_host;
	int linktype;
	struct rp_error sink_err; /* why a sink callback failed */
	/* addresses seen, for inferring the host */
	struct net_htab addrs;
	struct pcap_addr_ent **addr_list;
	size_t naddrs, cap_addrs;
	struct pcap_addr_ent *recent[2]; /* the last two looked up */
	/* the addresses of the packet rows, numbered for packet_addr */
	struct rp_addr_ids pkt_addrs;
	/* buffered events; evs[0..ev_streamed) were looked at for the store
	 * thread, ev_sent of them (the host's) sent to it (pcap-trace.c,
	 * stream_events) */
	struct pcap_ev *evs;
	size_t nevs, cap_evs, ev_streamed;
	uint64_t ev_sent;
	uint32_t stream_host;
	int64_t stream_last_ts;
	bool streaming; /* false once the streamed events may not stand */
	/* packet rows of a run not queued yet: one row in the store
	 * (packet-run.c) */
	struct rp_packet_row run[RP_PACKET_RUN_MAX];
	int nrun;
	uint64_t packets, nfs_ops, warnings;
};

int pcap_trace_begin(struct pcap_trace *t, struct rp_store *store,
		     const struct rp_trace_meta *meta, const char *origin,
		     const struct rp_pcap_options *opt, int linktype,
		     struct rp_error *err);
/* Returns -1 with err filled when storing failed. */
int pcap_trace_frame(struct pcap_trace *t, int64_t ts_ns, int64_t frame,
		     const uint8_t *data, uint32_t caplen, uint32_t len,
		     struct rp_error *err);
/* A warning of the reader itself ("FILE: frame N: MSG"). */
void pcap_trace_warn(struct pcap_trace *t, int64_t frame, const char *msg);

struct pcap_capture_stats {
	uint64_t received, dropped, if_dropped;
};
/* Finishes decoding and commits; on failure the trace is rolled back. */
int pcap_trace_end(struct pcap_trace *t, const struct pcap_capture_stats *cap,
		   int file_truncated, int64_t *trace_id,
		   struct rp_pcap_summary *sum, struct rp_error *err);
void pcap_trace_abort(struct pcap_trace *t);

#endif /* RP_PCAP_TRACE_H */
