/*
 * pcap-reader.c — the libpcap side of the packet recorder: reads pcap and
 * pcapng files (rp_import_pcap) and captures live from an interface
 * (rp_record_pcap: pcap_create, immediate mode, a large buffer, optional
 * BPF filter, privilege drop), feeding every frame to pcap-trace.c.  The
 * only file of libreplay that includes <pcap.h>.
 */
#include "pcap-file.h"
#include "pcap-trace.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pcap.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READ_BUFFER (1 << 20)

/* Closes a file opened by rp_import_pcap and frees its stdio buffer. */
static void close_file(pcap_t *p, char *iobuf)
{
	pcap_close(p);
	free(iobuf);
}

static int check_linktype(pcap_t *p, const char *origin, int *lt,
			  struct rp_error *err)
{
	*lt = pcap_datalink(p);
	if (!net_linktype_supported(*lt)) {
		const char *name = pcap_datalink_val_to_name(*lt);
		return rp_error_set(err,
				    "%s: link type %d (%s) is not supported "
				    "(Ethernet, Linux cooked v1/v2, raw IP and "
				    "loopback are)",
				    origin, *lt, name ? name : "unknown");
	}
	return 0;
}

static int64_t ts_ns(const struct pcap_pkthdr *h, int nano)
{
	return (int64_t)h->ts.tv_sec * 1000000000ll +
	       (int64_t)h->ts.tv_usec * (nano ? 1 : 1000);
}

/* Reads the records of a mapped classic pcap file (pcap-file.c). */
static int read_mapped(struct pcap_trace *t, struct pcap_file *pf,
		       const struct rp_pcap_options *opt, int64_t *frame,
		       int *truncated, struct rp_error *err)
{
	struct pcap_file_rec r;
	char msg[PCAP_ERRBUF_SIZE + 64];
	int rc;
	while ((rc = pcap_file_next(pf, &r, msg, sizeof msg)) == 1) {
		++*frame;
		if (pcap_trace_frame(t, r.ts_ns, *frame, r.data, r.caplen,
				     r.len, err) < 0)
			return -1;
		if (opt && opt->progress && (*frame & 0xffff) == 0)
			opt->progress(pf->off, pf->size, opt->progress_arg);
	}
	if (rc < 0) {
		/* a file cut off inside a record: keep what came before */
		char line[sizeof msg + 32];
		snprintf(line, sizeof line, "capture file ends early: %s", msg);
		pcap_trace_warn(t, *frame + 1, line);
		*truncated = 1;
	}
	return 0;
}

/* Reads the records through libpcap (pcapng, old pcap formats, pipes). */
static int read_libpcap(struct pcap_trace *t, pcap_t *p,
			const struct rp_pcap_options *opt, uint64_t total,
			int64_t *frame, int *truncated, struct rp_error *err)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;
	int nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
	FILE *f = pcap_file(p);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		++*frame;
		if (pcap_trace_frame(t, ts_ns(h, nano), *frame, data, h->caplen,
				     h->len, err) < 0)
			return -1;
		if (opt && opt->progress && (*frame & 0xffff) == 0 && f)
			opt->progress((uint64_t)ftello(f), total,
				      opt->progress_arg);
	}
	if (rc == PCAP_ERROR) {
		/* a file cut off inside a record: keep what came before */
		char msg[PCAP_ERRBUF_SIZE + 64];
		snprintf(msg, sizeof msg, "capture file ends early: %s",
			 pcap_geterr(p));
		pcap_trace_warn(t, *frame + 1, msg);
		*truncated = 1;
	}
	return 0;
}

int rp_import_pcap(struct rp_store *store, const char *path,
		   const struct rp_trace_meta *meta,
		   const struct rp_pcap_options *opt, int64_t *trace_id,
		   struct rp_pcap_summary *sum, struct rp_error *err)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_trace t;
	struct pcap_file pf;
	char *iobuf = NULL;
	int lt, rc, truncated = 0;
	int64_t frame = 0;
	uint64_t total = 0;
	struct stat sb;

	errbuf[0] = 0;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return rp_error_set(err, "%s: %s", path, strerror(errno));
	/* a classic pcap file is read in place from a mapping; else libpcap
	 * reads it through stdio, a record at a time, and a large buffer
	 * saves a read() per 4 KiB (docs/PERFORMANCE.md) */
	int mapped = pcap_file_map(&pf, fileno(fp));
	if (!mapped && (iobuf = malloc(READ_BUFFER)) != NULL)
		setvbuf(fp, iobuf, _IOFBF, READ_BUFFER);
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(
	    fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p) {
		fclose(fp);
		free(iobuf);
		if (mapped)
			pcap_file_unmap(&pf);
		return rp_error_set(err, "%s: %s", path, errbuf);
	}
	if (mapped)
		pf.snapshot = (uint32_t)pcap_snapshot(p);
	if (check_linktype(p, path, &lt, err) < 0 ||
	    pcap_trace_begin(&t, store, meta, path, opt, lt, err) < 0) {
		rc = -1;
		goto out;
	}
	if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode))
		total = (uint64_t)sb.st_size;
	if (mapped) {
		/* unmapped after pcap_trace_end has freed the decoders, so
		 * that they may keep fragments by reference */
		net_set_frames_stay(t.net, true);
		rc = read_mapped(&t, &pf, opt, &frame, &truncated, err);
	} else
		rc = read_libpcap(&t, p, opt, total, &frame, &truncated, err);
	if (rc < 0) {
		pcap_trace_abort(&t);
		goto out;
	}
	if (opt && opt->progress)
		opt->progress(total, total, opt->progress_arg);
	rc = pcap_trace_end(&t, NULL, truncated, trace_id, sum, err);
out:
	if (mapped)
		pcap_file_unmap(&pf);
	close_file(p, iobuf);
	return rc;
}

/* ------------------------------------------------------------------ live */

struct live {
	struct pcap_trace *t;
	int64_t frame;
	int nano;
	int failed;
	struct rp_error *err;
	uint64_t limit;
};

static void live_cb(u_char *arg, const struct pcap_pkthdr *h,
		    const u_char *data)
{
	struct live *l = (struct live *)arg;
	if (l->failed || (l->limit && (uint64_t)l->frame >= l->limit))
		return;
	l->frame++;
	if (pcap_trace_frame(l->t, ts_ns(h, l->nano), l->frame, data, h->caplen,
			     h->len, l->err) < 0)
		l->failed = 1;
}

static int drop_privileges(const char *user, struct rp_error *err)
{
	struct passwd *pw = getpwnam(user);
	if (!pw)
		return rp_error_set(err, "-Z: no user '%s'", user);
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0)
		return rp_error_set(err, "-Z %s: cannot drop privileges: %s",
				    user, strerror(errno));
	if (pw->pw_uid != 0 && setuid(0) == 0)
		return rp_error_set(err, "-Z %s: root privileges remain", user);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static pcap_t *live_open(const char *iface, const struct rp_pcap_options *opt,
			 struct rp_error *err)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	errbuf[0] = 0;
	pcap_t *p = pcap_create(iface, errbuf);
	if (!p) {
		rp_error_set(err, "%s: %s", iface, errbuf);
		return NULL;
	}
	int snaplen = opt->snaplen > 0 ? opt->snaplen : 262144;
	int buf_kb = opt->buffer_kb > 0 ? opt->buffer_kb : 65536;
	pcap_set_snaplen(p, snaplen);
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, buf_kb * 1024);
	pcap_set_timeout(p, 100);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(p);
	if (rc < 0) {
		rp_error_set(err, "%s: cannot capture: %s", iface,
			     rc == PCAP_ERROR ? pcap_geterr(p)
					      : pcap_statustostr(rc));
		pcap_close(p);
		return NULL;
	}
	if (opt->filter) {
		if (pcap_compile(p, &prog, opt->filter, 1,
				 PCAP_NETMASK_UNKNOWN) < 0) {
			rp_error_set(err, "--filter '%s': %s", opt->filter,
				     pcap_geterr(p));
			pcap_close(p);
			return NULL;
		}
		rc = pcap_setfilter(p, &prog);
		pcap_freecode(&prog);
		if (rc < 0) {
			rp_error_set(err, "--filter: %s", pcap_geterr(p));
			pcap_close(p);
			return NULL;
		}
	}
	return p;
}

int rp_record_pcap(struct rp_store *store, const char *iface,
		   const struct rp_trace_meta *meta,
		   const struct rp_pcap_options *opt, int64_t *trace_id,
		   struct rp_pcap_summary *sum, struct rp_error *err)
{
	struct rp_pcap_options none;
	struct pcap_trace t;
	struct live l;
	struct pcap_stat ps;
	struct pcap_capture_stats cap = {0, 0, 0};
	int lt;

	if (!opt) {
		memset(&none, 0, sizeof none);
		opt = &none;
	}
	pcap_t *p = live_open(iface, opt, err);
	if (!p)
		return -1;
	if (check_linktype(p, iface, &lt, err) < 0 ||
	    pcap_trace_begin(&t, store, meta, iface, opt, lt, err) < 0) {
		pcap_close(p);
		return -1;
	}
	memset(&l, 0, sizeof l);
	l.t = &t;
	l.err = err;
	l.limit = opt->count;
	l.nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
	int fd = pcap_get_selectable_fd(p);
	if (fd < 0 || pcap_setnonblock(p, 1, NULL) < 0) {
		rp_error_set(err, "%s: cannot poll the capture", iface);
		goto fail;
	}
	if (opt->started && opt->started(opt->arg) < 0) {
		rp_error_set(err, "%s: the command could not be started",
			     iface);
		goto fail;
	}
	if (opt->user && drop_privileges(opt->user, err) < 0)
		goto fail;
	double start = now_s();
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int pr = poll(&pfd, 1, 100);
		if (pr < 0 && errno != EINTR) {
			rp_error_set(err, "%s: poll: %s", iface,
				     strerror(errno));
			goto fail;
		}
		if (pcap_dispatch(p, -1, live_cb, (u_char *)&l) < 0) {
			rp_error_set(err, "%s: %s", iface, pcap_geterr(p));
			goto fail;
		}
		if (l.failed)
			goto fail;
		if (opt->count && (uint64_t)l.frame >= opt->count)
			break;
		if (opt->duration_s > 0 && now_s() - start >= opt->duration_s)
			break;
		if (opt->should_stop && opt->should_stop(opt->arg))
			break;
	}
	/* drain what the kernel still holds, then read the counters */
	for (int i = 0; i < 1000; i++) {
		int n = pcap_dispatch(p, -1, live_cb, (u_char *)&l);
		if (n <= 0 || l.failed)
			break;
	}
	if (l.failed)
		goto fail;
	if (pcap_stats(p, &ps) == 0) {
		cap.received = ps.ps_recv;
		cap.dropped = ps.ps_drop;
		cap.if_dropped = ps.ps_ifdrop;
	}
	pcap_close(p);
	return pcap_trace_end(&t, &cap, 0, trace_id, sum, err);
fail:
	pcap_close(p);
	pcap_trace_abort(&t);
	return -1;
}
