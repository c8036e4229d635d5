/*
 * record-ftrace.c — `vmreplay record ftrace`: live capture of kernel
 * tracepoints with libtracefs and libtraceevent (the only file that
 * includes tracefs.h).
 *
 * How (live-capture-findings.md §3):
 *  - a private instance "vmreplay-PID" (its own buffers, set_event,
 *    tracing_on), trace clock "mono" so times match CLOCK_MONOTONIC (and the
 *    /proc sampler); stale instances of dead recorders are removed first;
 *  - our own pid in set_event_notrace_pid; --pid / a followed command in
 *    set_event_pid with options/event-fork so children are traced too;
 *  - per-CPU trace_pipe_raw opened O_NONBLOCK and drained in batches every
 *    drain_ms: whole pages until EAGAIN or the first partial page (reading
 *    continuously hands out nearly empty pages and feeds back on itself);
 *    the raw pages go to an unlinked spool file per CPU, so the capture
 *    itself costs almost nothing;
 *  - at the end: tracing off, a final drain, per-CPU stats (overrun,
 *    dropped, commit overrun) and the missed-events flags of the pages are
 *    stored as trace_stat rows; the instance is removed on every path;
 *  - then the spools are merged by time (k-way), decoded with kbuffer and
 *    libtraceevent and stored in one transaction through the event sink
 *    (kernel-events.c), and a 'captured' run is built from the reclaim.
 */
#include "kernel-internal.h"

#include <tracefs/tracefs.h>
#include <traceevent/event-parse.h>
#include <traceevent/kbuffer.h>
#include <traceevent/trace-seq.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define INSTANCE_PREFIX "vmreplay-"

struct cpu_spool {
	struct tracefs_cpu *tcpu;
	int fd;	       /* spool file */
	int64_t pages; /* pages spooled */
	int64_t round; /* pages in the last drain round */
	int64_t missed_pages;
	int64_t missed;
	/* decode state */
	struct kbuffer *kbuf;
	char *page;
	off_t off;
	void *cur;
	unsigned long long ts;
	int done;
};

struct rec {
	const struct rp_ftrace_options *opt;
	struct tracefs_instance *inst;
	char name[64];
	int ncpus, subbuf;
	struct cpu_spool *cpu;
	char *page;
	int enabled[RP_TP_COUNT];
	char missing[512];
	pid_t child;
	int child_status;
	int go_pipe[2];
};

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* ------------------------------------------------------- event sets */

static int select_sets(const char *events, int *on, struct rp_error *err)
{
	const char *s = events ? events : RP_FTRACE_DEFAULT_EVENTS;
	int any = 0;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		int found = 0;
		for (int i = 0; i < RP_TP_COUNT; i++) {
			const char *set = rp_tp_table[i].set;
			if ((n == 3 && memcmp(s, "all", 3) == 0) ||
			    (strlen(set) == n && memcmp(set, s, n) == 0)) {
				on[i] = 1;
				found = any = 1;
			}
		}
		if (!found)
			return rp_error_set(err,
					    "unknown event set '%.*s' (kmem, "
					    "vmscan, filemap, block, net, "
					    "all)",
					    (int)n, s);
		s += n + (e ? 1 : 0);
	}
	if (!any)
		return rp_error_set(err, "no event set given");
	return 0;
}

/* ------------------------------------------------------- the instance */

static int stale_cb(const char *name, void *ctx)
{
	(void)ctx;
	if (strncmp(name, INSTANCE_PREFIX, strlen(INSTANCE_PREFIX)) != 0)
		return 0;
	const char *p = name + strlen(INSTANCE_PREFIX);
	int64_t pid;
	if (!rp_parse_i64(p, strlen(p), &pid) || pid <= 0 || pid > INT32_MAX)
		return 0;
	if (pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return 0;
	/* its recorder is gone: disable and remove */
	struct tracefs_instance *in = tracefs_instance_alloc(NULL, name);
	if (in) {
		tracefs_trace_off(in);
		tracefs_instance_file_write(in, "set_event", "");
		tracefs_instance_destroy(in);
		tracefs_instance_free(in);
	}
	return 0;
}

static void instance_remove(struct rec *r)
{
	if (r->cpu)
		for (int c = 0; c < r->ncpus; c++) {
			if (r->cpu[c].tcpu)
				tracefs_cpu_close(r->cpu[c].tcpu);
			r->cpu[c].tcpu = NULL;
		}
	if (!r->inst)
		return;
	tracefs_trace_off(r->inst);
	tracefs_instance_file_write(r->inst, "set_event", "");
	for (int i = 0; i < 50; i++) {
		if (tracefs_instance_destroy(r->inst) == 0 ||
		    !tracefs_instance_exists(r->name))
			break;
		usleep(20000);
	}
	tracefs_instance_free(r->inst);
	r->inst = NULL;
}

static int write_file(struct rec *r, const char *file, const char *val,
		      struct rp_error *err)
{
	if (tracefs_instance_file_write(r->inst, file, val) < 0)
		return rp_error_set(err, "tracefs: cannot write '%s' to %s: %s",
				    val, file, strerror(errno));
	return 0;
}

static int setup_instance(struct rec *r, struct rp_error *err)
{
	const char *dir = NULL;
	char buf[64];

	/* mounts tracefs when needed; the path it could return is a copy we
	 * would leak, so ask tracefs_tracing_dir() (cached) instead */
	if (tracefs_tracing_dir_is_mounted(true, NULL) < 0 ||
	    !(dir = tracefs_tracing_dir()))
		return rp_error_set(err,
				    "tracefs is not mounted and could not be "
				    "mounted (are you root?)");
	tracefs_instances_walk(stale_cb, NULL);
	snprintf(r->name, sizeof r->name, INSTANCE_PREFIX "%d", (int)getpid());
	r->inst = tracefs_instance_create(r->name);
	if (!r->inst)
		return rp_error_set(err,
				    "tracefs: cannot create instance %s: %s",
				    r->name, strerror(errno));
	tracefs_trace_off(r->inst);
	if (write_file(r, "set_event", "", err))
		return -1;
	/* times comparable with CLOCK_MONOTONIC and the /proc sampler */
	if (tracefs_instance_file_write(r->inst, "trace_clock", "mono") < 0)
		tracefs_instance_file_write(r->inst, "trace_clock", "global");
	int kb = r->opt->buffer_kb > 0 ? r->opt->buffer_kb : 8192;
	if (tracefs_instance_set_buffer_size(r->inst, (size_t)kb, -1) < 0)
		return rp_error_set(err,
				    "tracefs: cannot set buffer_size_kb "
				    "%d: %s",
				    kb, strerror(errno));
	snprintf(buf, sizeof buf, "%d", (int)getpid());
	if (tracefs_file_exists(r->inst, "set_event_notrace_pid") &&
	    write_file(r, "set_event_notrace_pid", buf, err))
		return -1;
	if (r->opt->pid > 0) {
		snprintf(buf, sizeof buf, "%d", r->opt->pid);
		if (write_file(r, "set_event_pid", buf, err) ||
		    write_file(r, "options/event-fork", "1", err))
			return -1;
	}
	size_t ml = 0;
	for (int i = 0; i < RP_TP_COUNT; i++) {
		const struct rp_tp_info *tp = &rp_tp_table[i];
		if (!r->enabled[i])
			continue;
		if (!tracefs_event_file_exists(r->inst, tp->system, tp->name,
					       "enable")) {
			r->enabled[i] = 0; /* older/newer kernel */
			if (ml + strlen(tp->name) + 2 < sizeof r->missing)
				ml += (size_t)snprintf(
				    r->missing + ml, sizeof r->missing - ml,
				    "%s%s", ml ? "," : "", tp->name);
			continue;
		}
		if (tracefs_event_enable(r->inst, tp->system, tp->name) < 0)
			return rp_error_set(err,
					    "tracefs: cannot enable %s:%s: "
					    "%s",
					    tp->system, tp->name,
					    strerror(errno));
	}
	return 0;
}

static int open_cpus(struct rec *r, struct rp_error *err)
{
	const char *tmp = r->opt->tmpdir ? r->opt->tmpdir : getenv("TMPDIR");
	char path[4096];

	if (!tmp || !*tmp)
		tmp = "/tmp";
	r->ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (r->ncpus < 1)
		r->ncpus = 1;
	r->cpu = calloc((size_t)r->ncpus, sizeof *r->cpu);
	if (!r->cpu)
		return rp_error_set(err, "out of memory");
	for (int c = 0; c < r->ncpus; c++)
		r->cpu[c].fd = -1;
	for (int c = 0; c < r->ncpus; c++) {
		struct cpu_spool *cs = &r->cpu[c];
		cs->tcpu = tracefs_cpu_open(r->inst, c, true);
		if (!cs->tcpu)
			continue; /* offline CPU */
		int sz = tracefs_cpu_read_size(cs->tcpu);
		if (sz > r->subbuf)
			r->subbuf = sz;
		snprintf(path, sizeof path, "%s/vmreplay-spool-XXXXXX", tmp);
		cs->fd = mkostemp(path, O_CLOEXEC);
		if (cs->fd < 0)
			return rp_error_set(err, "%s: %s", path,
					    strerror(errno));
		unlink(path);
	}
	if (r->subbuf <= 0)
		return rp_error_set(err, "tracefs: no per-CPU buffer could be "
					 "opened");
	r->page = malloc((size_t)r->subbuf);
	if (!r->page)
		return rp_error_set(err, "out of memory");
	return 0;
}

/* Data bytes of a raw sub-buffer: the commit word after the u64 time. */
static size_t page_data(const char *page, int *missed)
{
	uint64_t commit;
	memcpy(&commit, page + 8, sizeof commit);
	*missed = (commit & (1u << 31)) != 0;
	return (size_t)(commit & 0x0fffffffu);
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Drains one CPU: whole pages until EAGAIN or the first partial page
 * (final: until EAGAIN). */
static int drain_cpu(struct rec *r, struct cpu_spool *cs, int final,
		     struct rp_error *err)
{
	size_t full = (size_t)r->subbuf - 16 - 256;
	cs->round = 0;
	for (int i = 0; i < 1 << 20; i++) {
		int n = tracefs_cpu_read(cs->tcpu, r->page, true);
		if (n <= 0)
			return 0; /* EAGAIN: empty */
		int missed;
		size_t data = page_data(r->page, &missed);
		if (data == 0)
			return 0;
		if (n < r->subbuf)
			memset(r->page + n, 0, (size_t)(r->subbuf - n));
		if (write_all(cs->fd, r->page, (size_t)r->subbuf))
			return rp_error_set(err, "spool: %s", strerror(errno));
		cs->pages++;
		cs->round++;
		if (!final && data < full)
			return 0;
	}
	return 0;
}

static int drain(struct rec *r, int final, struct rp_error *err)
{
	for (int c = 0; c < r->ncpus; c++)
		if (r->cpu[c].tcpu && drain_cpu(r, &r->cpu[c], final, err))
			return -1;
	return 0;
}

/* ------------------------------------------------------- the command */

static int start_command(struct rec *r, struct rp_error *err)
{
	if (pipe2(r->go_pipe, O_CLOEXEC))
		return rp_error_set(err, "pipe: %s", strerror(errno));
	r->child = fork();
	if (r->child < 0)
		return rp_error_set(err, "fork: %s", strerror(errno));
	if (r->child == 0) {
		char c;
		close(r->go_pipe[1]);
		/* wait until tracing is on; EOF means the recorder failed */
		if (read(r->go_pipe[0], &c, 1) != 1)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execvp(r->opt->command[0], r->opt->command);
		fprintf(stderr, "vmreplay: %s: %s\n", r->opt->command[0],
			strerror(errno));
		_exit(127);
	}
	close(r->go_pipe[0]);
	r->go_pipe[0] = -1;
	return 0;
}

static void release_command(struct rec *r)
{
	if (r->go_pipe[1] >= 0) {
		if (write(r->go_pipe[1], "g", 1) != 1) {
			/* the child sees EOF and exits 127 */
		}
		close(r->go_pipe[1]);
		r->go_pipe[1] = -1;
	}
}

/* Stops the command if it still runs: SIGTERM, 5 s, SIGKILL; reaps it. */
static void stop_command(struct rec *r)
{
	if (r->go_pipe[1] >= 0) {
		close(r->go_pipe[1]); /* never released: it exits 127 */
		r->go_pipe[1] = -1;
	}
	if (r->child <= 0)
		return;
	int st;
	pid_t p = waitpid(r->child, &st, WNOHANG);
	if (p == 0) {
		kill(r->child, SIGTERM);
		for (int i = 0; i < 100; i++) {
			usleep(50000);
			if ((p = waitpid(r->child, &st, WNOHANG)) != 0)
				break;
		}
		if (p == 0) {
			kill(r->child, SIGKILL);
			p = waitpid(r->child, &st, 0);
		}
	}
	if (p == r->child)
		r->child_status = st;
	r->child = 0;
}

/* --------------------------------------------------------- decoding */

struct handler {
	int tp; /* -1: not mapped */
	struct tep_event *event;
	struct tep_format_field *pfn, *order, *gfp, *ptr, *bytes, *reclaimed,
	    *scanned, *ino, *index, *sdev, *dev, *sector, *nr_sector, *rwbs,
	    *skb, *len;
};

struct gfp_cache {
	unsigned long long value;
	int cls, idx, used;
};

#define GFP_CACHE 256

struct decoder {
	struct tep_handle *tep;
	struct handler *h; /* by event id */
	int maxid;
	struct gfp_cache gfp[GFP_CACHE];
	struct trace_seq seq;
	int64_t records, unknown;
	int64_t rt_off; /* CLOCK_REALTIME - CLOCK_MONOTONIC at the start */
};

static int decoder_init(struct decoder *d, struct rec *r, struct rp_error *err)
{
	const char *systems[RP_TP_COUNT + 1];
	int ns = 0;

	for (int i = 0; i < RP_TP_COUNT; i++) {
		if (!r->enabled[i])
			continue;
		int dup = 0;
		for (int j = 0; j < ns; j++)
			dup |= !strcmp(systems[j], rp_tp_table[i].system);
		if (!dup)
			systems[ns++] = rp_tp_table[i].system;
	}
	systems[ns] = NULL;
	d->tep = tracefs_local_events_system(NULL, systems);
	if (!d->tep)
		return rp_error_set(err, "libtraceevent: cannot parse the "
					 "event formats");
	trace_seq_init(&d->seq);
	d->maxid = 0;
	for (int i = 0; i < RP_TP_COUNT; i++) {
		if (!r->enabled[i])
			continue;
		struct tep_event *e = tep_find_event_by_name(
		    d->tep, rp_tp_table[i].system, rp_tp_table[i].name);
		if (e && e->id > d->maxid)
			d->maxid = e->id;
	}
	d->h = calloc((size_t)d->maxid + 1, sizeof *d->h);
	if (!d->h)
		return rp_error_set(err, "out of memory");
	for (int id = 0; id <= d->maxid; id++)
		d->h[id].tp = -1;
	for (int i = 0; i < RP_TP_COUNT; i++) {
		if (!r->enabled[i])
			continue;
		struct tep_event *e = tep_find_event_by_name(
		    d->tep, rp_tp_table[i].system, rp_tp_table[i].name);
		if (!e || e->id < 0 || e->id > d->maxid)
			continue;
		struct handler *h = &d->h[e->id];
		h->tp = i;
		h->event = e;
		h->pfn = tep_find_field(e, "pfn");
		h->order = tep_find_field(e, "order");
		h->gfp = tep_find_field(e, "gfp_flags");
		h->ptr = tep_find_field(e, "ptr");
		h->bytes = tep_find_field(e, "bytes_req");
		h->reclaimed = tep_find_field(e, "nr_reclaimed");
		h->scanned = tep_find_field(e, "nr_scanned");
		h->ino = tep_find_field(e, "i_ino");
		h->index = tep_find_field(e, "index");
		h->sdev = tep_find_field(e, "s_dev");
		h->dev = tep_find_field(e, "dev");
		h->sector = tep_find_field(e, "sector");
		h->nr_sector = tep_find_field(e, "nr_sector");
		h->rwbs = tep_find_field(e, "rwbs");
		h->skb = tep_find_field(e, "skbaddr");
		h->len = tep_find_field(e, "len");
	}
	return 0;
}

static void decoder_free(struct decoder *d)
{
	if (d->tep) {
		trace_seq_destroy(&d->seq);
		tep_free(d->tep);
	}
	free(d->h);
}

static bool num(struct tep_format_field *f, struct tep_record *rec,
		unsigned long long *v)
{
	return f && tep_read_number_field(f, rec->data, v) == 0;
}

/* The 1998 class and interned string of a numeric gfp value: rendered
 * once through the event's own print format, then cached. */
static void gfp_of(struct decoder *d, struct rp_ksink *k,
		   struct tep_record *rec, unsigned long long v,
		   struct rp_kfields *f)
{
	struct gfp_cache *c = &d->gfp[(v * 0x9e3779b97f4a7c15ull) >> 56];
	for (int i = 0; i < GFP_CACHE; i++, c++) {
		if (c >= d->gfp + GFP_CACHE)
			c = d->gfp;
		if (!c->used)
			break;
		if (c->value == v) {
			f->gfp_class = c->cls;
			f->gfp_idx = c->idx;
			return;
		}
	}
	trace_seq_reset(&d->seq);
	tep_print_event(d->tep, &d->seq, rec, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&d->seq);
	const char *s =
	    d->seq.buffer ? strstr(d->seq.buffer, "gfp_flags=") : NULL;
	char raw[64];
	const char *g = raw;
	size_t gl;
	if (s) {
		g = s + 10;
		gl = strcspn(g, " ");
	} else {
		gl = (size_t)snprintf(raw, sizeof raw, "%#llx", v);
	}
	f->gfp_idx = rp_ksink_gfp(k, g, gl, &f->gfp_class);
	if (c < d->gfp + GFP_CACHE && !c->used)
		*c = (struct gfp_cache){v, f->gfp_class, f->gfp_idx, 1};
}

static int decode_one(struct decoder *d, struct rp_ksink *k,
		      struct tep_record *rec, struct rp_error *err)
{
	int id = tep_data_type(d->tep, rec);
	struct handler *h = id >= 0 && id <= d->maxid ? &d->h[id] : NULL;
	unsigned long long v;
	struct rp_kfields f;

	d->records++;
	if (!h || h->tp < 0) {
		struct tep_event *e = tep_find_event(d->tep, id);
		const char *n = e && e->name ? e->name : "unknown";
		d->unknown++;
		rp_ksink_unknown(k, n, strlen(n));
		return 0;
	}
	memset(&f, 0, sizeof f);
	f.ts_ns = (int64_t)rec->ts + d->rt_off; /* wall-clock time, as pcap */
	f.pid = tep_data_pid(d->tep, rec);
	if (num(h->pfn, rec, &v)) {
		f.pfn = v == ~0ull ? 0 : v; /* -1: the allocation failed */
		f.has |= RP_KF_PFN;
	}
	if (num(h->order, rec, &v)) {
		f.order = (int)(int32_t)v;
		f.has |= RP_KF_ORDER;
	}
	if (h->tp == RP_TP_PAGE_FREE_BATCHED) {
		f.order = 0;
		f.has |= RP_KF_ORDER;
	}
	if (num(h->gfp, rec, &v)) {
		gfp_of(d, k, rec, v, &f);
		f.has |= RP_KF_GFP;
	}
	if (num(h->ptr, rec, &v) || num(h->skb, rec, &v)) {
		f.ptr = v;
		f.has |= RP_KF_PTR;
	}
	if (num(h->bytes, rec, &v)) {
		f.bytes = (int64_t)v;
		f.has |= RP_KF_BYTES;
	}
	if (num(h->reclaimed, rec, &v)) {
		f.reclaimed = (int64_t)v;
		f.has |= RP_KF_RECLAIMED;
	}
	if (num(h->scanned, rec, &v)) {
		f.scanned = (int64_t)v;
		f.has |= RP_KF_SCANNED;
	}
	if (num(h->sdev, rec, &v) || num(h->dev, rec, &v)) {
		f.dev = v;
		f.has |= RP_KF_DEV;
	}
	if (num(h->ino, rec, &v)) {
		f.ino = v;
		f.has |= RP_KF_FILE;
	}
	if (num(h->index, rec, &v)) {
		f.index = (int64_t)v;
		f.has |= RP_KF_INDEX;
	}
	if (num(h->sector, rec, &v)) {
		f.sector = (int64_t)v;
		f.has |= RP_KF_SECTOR;
	}
	if (num(h->nr_sector, rec, &v))
		f.nr_sector = (int64_t)v;
	if (num(h->len, rec, &v)) {
		f.len = (int64_t)v;
		f.has |= RP_KF_LEN;
	}
	if (h->rwbs && h->rwbs->offset >= 0 && h->rwbs->size > 0 &&
	    h->rwbs->offset + h->rwbs->size <= rec->size) {
		size_t n = (size_t)h->rwbs->size;
		if (n >= sizeof f.rwbs)
			n = sizeof f.rwbs - 1;
		memcpy(f.rwbs, (const char *)rec->data + h->rwbs->offset, n);
		f.rwbs[n] = '\0';
	}
	return rp_ksink_add(k, h->tp, &f, err);
}

/* Loads the next spooled page of a CPU with at least one event. */
static int next_page(struct rec *r, struct cpu_spool *cs)
{
	for (;;) {
		ssize_t n = pread(cs->fd, cs->page, (size_t)r->subbuf, cs->off);
		if (n != r->subbuf) {
			cs->done = 1;
			return 0;
		}
		cs->off += n;
		if (kbuffer_load_subbuffer(cs->kbuf, cs->page) < 0)
			continue;
		int m = kbuffer_missed_events(cs->kbuf);
		if (m) {
			cs->missed_pages++;
			if (m > 0)
				cs->missed += m;
		}
		cs->cur = kbuffer_read_event(cs->kbuf, &cs->ts);
		if (cs->cur)
			return 0;
	}
}

static int decode_all(struct rec *r, struct decoder *d, struct rp_ksink *k,
		      struct rp_error *err)
{
	for (int c = 0; c < r->ncpus; c++) {
		struct cpu_spool *cs = &r->cpu[c];
		cs->done = 1;
		if (cs->fd < 0)
			continue;
		cs->kbuf = kbuffer_alloc(KBUFFER_LSIZE_SAME_AS_HOST,
					 KBUFFER_ENDIAN_SAME_AS_HOST);
		cs->page = malloc((size_t)r->subbuf);
		if (!cs->kbuf || !cs->page)
			return rp_error_set(err, "out of memory");
		cs->done = 0;
		cs->off = 0;
		next_page(r, cs);
	}
	for (;;) {
		struct cpu_spool *best = NULL;
		int bc = 0;
		for (int c = 0; c < r->ncpus; c++) {
			struct cpu_spool *cs = &r->cpu[c];
			if (!cs->done && (!best || cs->ts < best->ts)) {
				best = cs;
				bc = c;
			}
		}
		if (!best)
			return 0;
		struct tep_record rec;
		memset(&rec, 0, sizeof rec);
		rec.ts = best->ts;
		rec.cpu = bc;
		rec.data = best->cur;
		rec.size = kbuffer_event_size(best->kbuf);
		if (decode_one(d, k, &rec, err))
			return -1;
		best->cur = kbuffer_next_event(best->kbuf, &best->ts);
		if (!best->cur)
			next_page(r, best);
	}
}

/* -------------------------------------------------------- statistics */

static int64_t stat_value(const char *text, const char *key)
{
	const char *p = text;
	size_t kl = strlen(key);
	while ((p = strstr(p, key))) {
		if ((p == text || p[-1] == '\n') && p[kl] == ':') {
			int64_t v = 0;
			const char *q = p + kl + 1;
			while (*q == ' ')
				q++;
			while (*q >= '0' && *q <= '9')
				v = v * 10 + (*q++ - '0');
			return v;
		}
		p += kl;
	}
	return 0;
}

static int set_stat_i64(struct rp_trace_writer *w, const char *key, int64_t v,
			struct rp_error *err)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)v);
	return rp_trace_set_stat(w, key, buf, err);
}

struct cpu_stats {
	int64_t overrun, dropped, commit_overrun, entries;
};

static void read_cpu_stats(struct rec *r, struct cpu_stats *st)
{
	char file[64];
	for (int c = 0; c < r->ncpus; c++) {
		snprintf(file, sizeof file, "per_cpu/cpu%d/stats", c);
		char *t = tracefs_instance_file_read(r->inst, file, NULL);
		memset(&st[c], 0, sizeof st[c]);
		if (!t)
			continue;
		st[c].overrun = stat_value(t, "overrun");
		st[c].dropped = stat_value(t, "dropped events");
		st[c].commit_overrun = stat_value(t, "commit overrun");
		st[c].entries = stat_value(t, "entries");
		free(t);
	}
}

/* ---------------------------------------------------------- recorder */

static void command_line(char *const *argv, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; argv && argv[i] && o + 2 < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? " " : "",
				      argv[i]);
}

static bool stop_requested(const struct rp_ftrace_options *opt)
{
	return opt->stop && *opt->stop;
}

int rp_record_ftrace(struct rp_store *store, const struct rp_trace_meta *meta,
		     const struct rp_ftrace_options *opt,
		     struct rp_ftrace_result *res, struct rp_error *err)
{
	struct rec r;
	struct rp_ftrace_result out;
	struct decoder d;
	struct rp_trace_writer *w = NULL;
	struct rp_ksink *k = NULL;
	struct cpu_stats *cst = NULL;
	struct utsname uts;
	char cmd[2048], host[256];
	int rc = -1;

	memset(&r, 0, sizeof r);
	memset(&out, 0, sizeof out);
	memset(&d, 0, sizeof d);
	r.opt = opt;
	r.go_pipe[0] = r.go_pipe[1] = -1;
	r.child_status = -1;
	out.command_status = -1;
	if (select_sets(opt->events, r.enabled, err))
		goto out;
	if (opt->command && !opt->command[0]) {
		rp_error_set(err, "empty command");
		goto out;
	}
	if (setup_instance(&r, err) || open_cpus(&r, err))
		goto out;
	if (decoder_init(&d, &r, err))
		goto out;
	if (opt->command && start_command(&r, err))
		goto out;
	if (opt->command && opt->follow) {
		char buf[32];
		snprintf(buf, sizeof buf, "%d", (int)r.child);
		if (write_file(&r, "set_event_pid", buf, err) ||
		    write_file(&r, "options/event-fork", "1", err))
			goto out;
	}

	double cpu0 = cpu_seconds();
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	int64_t rt_off = now_ns(CLOCK_REALTIME) - t0;
	if (tracefs_trace_on(r.inst) < 0) {
		rp_error_set(err, "tracefs: cannot turn tracing on: %s",
			     strerror(errno));
		goto out;
	}
	release_command(&r);
	int64_t base = (opt->drain_ms > 0 ? opt->drain_ms : 200) * 1000000ll;
	int64_t period = base;
	int64_t quarter =
	    (int64_t)(opt->buffer_kb > 0 ? opt->buffer_kb : 8192) * 1024 / 4 /
	    r.subbuf;
	for (;;) {
		struct timespec ts = {period / 1000000000, period % 1000000000};
		int64_t now = now_ns(CLOCK_MONOTONIC);
		if (opt->duration_ns > 0 &&
		    now - t0 + period > opt->duration_ns) {
			int64_t left = opt->duration_ns - (now - t0);
			ts.tv_sec = left > 0 ? left / 1000000000 : 0;
			ts.tv_nsec = left > 0 ? left % 1000000000 : 0;
		}
		nanosleep(&ts, NULL); /* EINTR: a signal, checked below */
		if (drain(&r, 0, err))
			goto out;
		/* a busy CPU filled a quarter of its buffer: drain sooner */
		period = base;
		for (int c = 0; c < r.ncpus; c++)
			if (r.cpu[c].round > quarter)
				period =
				    base / 8 > 5000000 ? base / 8 : 5000000;
		if (stop_requested(opt))
			break;
		if (opt->duration_ns > 0 &&
		    now_ns(CLOCK_MONOTONIC) - t0 >= opt->duration_ns)
			break;
		if (r.child > 0) {
			int st;
			if (waitpid(r.child, &st, WNOHANG) == r.child) {
				r.child_status = st;
				r.child = 0;
				break;
			}
		}
	}
	tracefs_trace_off(r.inst);
	out.capture_s = (double)(now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	if (drain(&r, 1, err))
		goto out;
	out.capture_cpu_s = cpu_seconds() - cpu0;
	cst = calloc((size_t)r.ncpus, sizeof *cst);
	if (!cst) {
		rp_error_set(err, "out of memory");
		goto out;
	}
	read_cpu_stats(&r, cst);
	instance_remove(&r);
	stop_command(&r);
	out.command_status = r.child_status;

	/* decode and store, in one transaction */
	int64_t td = now_ns(CLOCK_MONOTONIC);
	struct rp_trace_meta m = *meta;
	if (!m.source)
		m.source = "ftrace";
	if (!m.origin)
		m.origin = "tracefs";
	if (!m.kernel && uname(&uts) == 0)
		m.kernel = uts.release;
	if (!m.host && gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = '\0';
		m.host = host;
	}
	if (!m.command && opt->command) {
		command_line(opt->command, cmd, sizeof cmd);
		m.command = cmd;
	}
	if (rp_trace_begin(store, &m, &w, err))
		goto out;
	d.rt_off = rt_off;
	if (rp_ksink_new(w, &k, err) || decode_all(&r, &d, k, err))
		goto out;
	int64_t lost = 0, missed = 0;
	char key[96];
	for (int c = 0; c < r.ncpus; c++) {
		struct cpu_stats *s = &cst[c];
		lost += s->overrun + s->dropped + s->commit_overrun;
		missed += r.cpu[c].missed;
		out.pages += r.cpu[c].pages;
		static const char *const names[] = {
		    "overrun", "dropped", "commit_overrun", "missed_pages"};
		int64_t vals[] = {s->overrun, s->dropped, s->commit_overrun,
				  r.cpu[c].missed_pages};
		for (int i = 0; i < 4; i++) {
			snprintf(key, sizeof key, "ftrace.cpu%d.%s", c,
				 names[i]);
			if (set_stat_i64(w, key, vals[i], err))
				goto out;
		}
	}
	if (lost == 0)
		lost = missed;
	rp_ksink_lost(k, lost);
	if (rp_ksink_finish(k, err))
		goto out;
	out.lost = lost;
	out.records = d.records;
	out.unknown = d.unknown;
	out.ncpus = r.ncpus;
	out.events = rp_ksink_events(k);
	if (set_stat_i64(w, "ftrace.lost_total", lost, err) ||
	    set_stat_i64(w, "ftrace.records", d.records, err) ||
	    set_stat_i64(w, "ftrace.pages", out.pages, err) ||
	    set_stat_i64(w, "ftrace.cpus", r.ncpus, err) ||
	    set_stat_i64(w, "ftrace.buffer_kb",
			 opt->buffer_kb > 0 ? opt->buffer_kb : 8192, err) ||
	    set_stat_i64(w, "ftrace.capture_ns", (int64_t)(out.capture_s * 1e9),
			 err) ||
	    set_stat_i64(w, "ftrace.capture_cpu_us",
			 (int64_t)(out.capture_cpu_s * 1e6), err) ||
	    set_stat_i64(w, "realtime_offset_ns", rt_off, err) ||
	    rp_trace_set_stat(w, "ftrace.clock", "mono", err) ||
	    rp_trace_set_stat(
		w, "ftrace.events",
		opt->events ? opt->events : RP_FTRACE_DEFAULT_EVENTS, err) ||
	    (r.missing[0] &&
	     rp_trace_set_stat(w, "ftrace.missing_events", r.missing, err)))
		goto out;
	out.trace_id = rp_trace_id(w);
	int reclaims = rp_ksink_reclaims(k) > 0;
	int finish = rp_trace_finish(w, err);
	w = NULL;
	if (finish)
		goto out;
	if (reclaims && !opt->no_run &&
	    rp_captured_run_build(store, out.trace_id, m.kernel, &out.run_id,
				  err))
		goto out;
	out.decode_s = (double)(now_ns(CLOCK_MONOTONIC) - td) / 1e9;
	rc = 0;
out:
	rp_trace_abort(w);
	rp_ksink_free(k);
	instance_remove(&r);
	stop_command(&r);
	if (out.command_status < 0)
		out.command_status = r.child_status;
	decoder_free(&d);
	if (r.cpu) {
		for (int c = 0; c < r.ncpus; c++) {
			if (r.cpu[c].fd >= 0)
				close(r.cpu[c].fd);
			if (r.cpu[c].kbuf)
				kbuffer_free(r.cpu[c].kbuf);
			free(r.cpu[c].page);
		}
		free(r.cpu);
	}
	free(r.page);
	free(cst);
	if (r.go_pipe[0] >= 0)
		close(r.go_pipe[0]);
	if (res)
		*res = out;
	return rc;
}

const char *rp_wait_status_text(int status, char *buf, size_t size)
{
	if (status < 0)
		snprintf(buf, size, "not run");
	else if (WIFEXITED(status))
		snprintf(buf, size, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "status %#x", status);
	return buf;
}
