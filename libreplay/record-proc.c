/*
 * record-proc.c — `vmreplay record proc`: samples /proc/buddyinfo, vmstat
 * and meminfo every interval (pagetypeinfo, root only and costly, at most
 * once a second) into `sample` rows of one trace, with the fragmentation
 * indices of every buddyinfo sample (reader-proc.c).  Times are
 * CLOCK_MONOTONIC ns, the clock `record ftrace` uses, so both line up.
 */
#include "kernel-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROC_BUF (1u << 20)

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Reads a whole /proc file into buf; -1 with errno on failure. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	if (fd < 0)
		return -1;
	while (n < size) {
		ssize_t r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	return (ssize_t)n;
}

struct sampler {
	struct rp_trace_writer *w;
	int64_t samples;
	char *buf;
	const char *procdir;
};

static int add(const struct rp_sample *s, void *arg, struct rp_error *err)
{
	struct sampler *sp = arg;
	sp->samples++;
	return rp_trace_add_sample(sp->w, s, err);
}

/* 0 ok, 1 not readable (skipped), -1 error. */
static int sample_file(struct sampler *sp, const char *name,
		       enum rp_proc_kind kind, int64_t ts, struct rp_error *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", sp->procdir, name);
	ssize_t n = slurp(path, sp->buf, PROC_BUF);
	if (n < 0)
		return 1;
	return rp_proc_parse(kind, sp->buf, (size_t)n, ts, path, NULL, NULL,
			     add, sp, err)
		   ? -1
		   : 0;
}

static void set_i64(struct rp_trace_writer *w, const char *key, int64_t v,
		    struct rp_error *err, int *rc)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)v);
	if (*rc == 0 && rp_trace_set_stat(w, key, buf, err))
		*rc = -1;
}

int rp_record_proc(struct rp_store *store, const struct rp_trace_meta *meta,
		   const struct rp_proc_options *opt,
		   struct rp_proc_result *res, struct rp_error *err)
{
	struct rp_proc_result out = {0};
	struct sampler sp = {0};
	struct rp_trace_meta m = *meta;
	struct utsname uts;
	char host[256];
	pid_t child = 0;
	int rc = -1, pt_ok = 0, pt_denied = 0;

	out.command_status = -1;
	sp.procdir = opt->procdir ? opt->procdir : "/proc";
	int64_t interval = opt->interval_ns > 0 ? opt->interval_ns : 100000000;
	if (!m.source)
		m.source = "proc";
	if (!m.origin)
		m.origin = sp.procdir;
	if (!m.kernel && uname(&uts) == 0)
		m.kernel = uts.release;
	if (!m.host && gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = '\0';
		m.host = host;
	}
	sp.buf = malloc(PROC_BUF);
	if (!sp.buf)
		return rp_error_set(err, "out of memory");
	if (rp_trace_begin(store, &m, &sp.w, err))
		goto out;
	if (opt->command) {
		if (!opt->command[0]) {
			rp_error_set(err, "empty command");
			goto out;
		}
		child = fork();
		if (child < 0) {
			rp_error_set(err, "fork: %s", strerror(errno));
			goto out;
		}
		if (child == 0) {
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			execvp(opt->command[0], opt->command);
			fprintf(stderr, "vmreplay: %s: %s\n", opt->command[0],
				strerror(errno));
			_exit(127);
		}
	}
	int64_t t0 = mono_ns(), last_pt = INT64_MIN / 2;
	int64_t rt_off = real_ns() - t0;
	for (int last = 0; !last;) {
		int64_t ts = mono_ns();
		if (opt->stop && *opt->stop)
			last = 1;
		if (opt->duration_ns > 0 && ts - t0 >= opt->duration_ns)
			last = 1;
		if (child > 0) {
			int st;
			if (waitpid(child, &st, WNOHANG) == child) {
				out.command_status = st;
				child = 0;
				last = 1;
			}
		}
		out.rounds++;
		int64_t wall = ts + rt_off; /* samples carry wall-clock time */
		if (sample_file(&sp, "buddyinfo", RP_PROC_BUDDYINFO, wall,
				err) < 0 ||
		    sample_file(&sp, "vmstat", RP_PROC_VMSTAT, wall, err) < 0 ||
		    sample_file(&sp, "meminfo", RP_PROC_MEMINFO, wall, err) < 0)
			goto out;
		if (!pt_denied && ts - last_pt >= 1000000000) {
			int r = sample_file(&sp, "pagetypeinfo",
					    RP_PROC_PAGETYPEINFO, wall, err);
			if (r < 0)
				goto out;
			pt_denied = r == 1;
			pt_ok += r == 0;
			last_pt = ts;
		}
		if (last)
			break;
		int64_t next = t0 + out.rounds * interval;
		if (opt->duration_ns > 0 && next > t0 + opt->duration_ns)
			next = t0 + opt->duration_ns;
		int64_t wait = next - mono_ns();
		if (wait > 0) {
			struct timespec w = {wait / 1000000000,
					     wait % 1000000000};
			nanosleep(&w, NULL);
		}
	}
	int src = 0;
	set_i64(sp.w, "proc.rounds", out.rounds, err, &src);
	set_i64(sp.w, "proc.interval_ns", interval, err, &src);
	set_i64(sp.w, "proc.pagetypeinfo_samples", pt_ok, err, &src);
	set_i64(sp.w, "realtime_offset_ns", rt_off, err, &src);
	if (src || rp_trace_set_stat(sp.w, "proc.clock", "mono", err))
		goto out;
	out.trace_id = rp_trace_id(sp.w);
	out.samples = sp.samples;
	rc = rp_trace_finish(sp.w, err);
	sp.w = NULL;
out:
	if (sp.w)
		rp_trace_abort(sp.w);
	if (child > 0) {
		int st;
		pid_t p = waitpid(child, &st, WNOHANG);
		if (p == 0) {
			kill(child, SIGTERM);
			for (int i = 0; i < 100 && p == 0; i++) {
				usleep(50000);
				p = waitpid(child, &st, WNOHANG);
			}
			if (p == 0) {
				kill(child, SIGKILL);
				p = waitpid(child, &st, 0);
			}
		}
		if (p == child)
			out.command_status = st;
	}
	free(sp.buf);
	if (rc)
		out.trace_id = 0;
	if (res)
		*res = out;
	return rc;
}
