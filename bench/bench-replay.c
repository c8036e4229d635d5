/* bench-replay.c — replay speed and memory.
 *
 *   bench/bench-replay memory N        N generated events from memory
 *                                      through one 2.1.90 instance (32 MB)
 *   bench/bench-replay store N DB      N generated events stored in DB, then
 *                                      replayed from DB through 12 instances
 *                                      (4 kernels x 8M, 32M, 64M)
 *   bench/bench-replay mixed N DB      N generated mixed events (gen.h
 *                                      gen_next_mixed: allocator, network,
 *                                      files, blocks, anonymous memory)
 *                                      stored in DB, then replayed from DB
 *                                      through all 14 kernels at 32 MB with
 *                                      reclaim, in one pass
 *   bench/bench-replay replay DB       replays DB's trace "bench" (left by
 *                                      BENCH_KEEP_DB=1 ... store N DB) as
 *                                      `store` does, without storing it
 *   bench/bench-replay read DB         reads trace 1 of DB with the event
 *                                      cursor the replay engine uses, and
 *                                      nothing else (the reading cost)
 *   bench/bench-replay mixed-memory N KERNEL [MB]
 *                                      N mixed events from memory through
 *                                      one instance (profiling)
 *
 * Prints events/s, instance-events/s and the process's peak RSS.  Run each
 * mode in its own process (bench/run-replay.sh does) so that peak RSS is
 * the mode's own. */
#include "gen.h"
#include "vm98/vm98.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double peak_rss_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

static int from_memory(long long n)
{
	struct rp_event *evs = malloc((size_t)n * sizeof *evs);
	struct gen *g = malloc(sizeof *g);
	char err[200];
	if (!evs || !g)
		return 1;
	gen_init(g, 0);
	for (long long i = 0; i < n; i++)
		gen_next(g, &evs[i]);
	const struct vm98_kernel *k = vm98_kernel_find("2.1.90");
	struct vm98 *m = vm98_new(k, 32 << 20, NULL, 0, err, sizeof err);
	if (!m) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	double t0 = now();
	for (long long i = 0; i < n; i++)
		vm98_apply(m, &evs[i]);
	double s = now() - t0;
	printf("memory  events %lld  1 instance  %.2f s  %.2f M events/s  "
	       "peak RSS %.0f MB (trace in memory: %.0f MB)\n",
	       n, s, (double)n / s / 1e6, peak_rss_mb(),
	       (double)n * sizeof *evs / 1e6);
	vm98_free(m);
	free(evs);
	free(g);
	return 0;
}

static int store_trace(const char *db, long long n, bool mixed)
{
	struct rp_store *s;
	struct rp_error err;
	struct rp_trace_writer *w;
	struct rp_trace_meta meta = {.name = "bench", .source = "bench"};
	struct gen *g = malloc(sizeof *g);
	struct rp_event buf[1024];
	unlink(db);
	if (!g || rp_store_open(db, RP_STORE_CREATE, &s, &err) ||
	    rp_trace_begin(s, &meta, &w, &err))
		return -1;
	gen_init(g, 0);
	for (long long i = 0; i < n; i += 1024) {
		int k = n - i < 1024 ? (int)(n - i) : 1024;
		for (int j = 0; j < k; j++) {
			if (mixed)
				gen_next_mixed(g, &buf[j]);
			else
				gen_next(g, &buf[j]);
		}
		if (rp_trace_append(w, buf, (size_t)k, &err))
			return -1;
	}
	int rc = rp_trace_finish(w, &err);
	rp_store_close(s);
	free(g);
	return rc;
}

/* Replays trace "bench" of db with opt and prints one line: label, the
 * pass (wall and CPU), the rates, the whole call with storing the results,
 * peak RSS.  before: printed after the event count (e.g. the store time). */
static int timed_replay(const char *db, const struct rp_replay_options *opt,
			const char *label, const char *before)
{
	struct rp_store *s;
	struct rp_error err = {{0}};
	struct rp_replay_result res;
	if (rp_store_open(db, RP_STORE_BULK, &s, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	double t0 = now();
	int rc = rp_replay(s, opt, &res, &err);
	double total = now() - t0;
	rp_store_close(s);
	if (rc) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	printf("%-7s events %lld  %d instances%s  pass %.2f s (CPU %.2f s)  "
	       "%.2f M trace events/s  %.2f M instance-events/s  (with "
	       "storing results %.2f s)  peak RSS %.0f MB\n",
	       label, (long long)res.events_replayed, res.nruns, before,
	       res.seconds, res.cpu_seconds,
	       (double)res.events_replayed / res.seconds / 1e6,
	       (double)res.events_replayed * res.nruns / res.seconds / 1e6,
	       total, peak_rss_mb());
	return 0;
}

/* Replays trace "bench" of db through the 12 instances. */
static int replay_12(const char *db)
{
	struct rp_replay_options opt = {
	    .trace = "bench",
	    .kernels = "2.0.33,2.1.90,rik,2.2.0",
	    .mems = "8M,32M,64M",
	    .sample_ns = 1000000000, /* one sample a second */
	};
	return timed_replay(db, &opt, "store", "");
}

static int from_store(long long n, const char *db)
{
	if (store_trace(db, n, false)) {
		fprintf(stderr, "cannot store the trace\n");
		return 1;
	}
	int rc = replay_12(db);
	if (!getenv("BENCH_KEEP_DB"))
		unlink(db);
	return rc;
}

static int mixed_from_store(long long n, const char *db)
{
	char kernels[512] = "", before[64];
	for (int i = 0; i < vm98_kernel_count(); i++) {
		if (i)
			strcat(kernels, ",");
		strcat(kernels, vm98_kernel_name(vm98_kernel_at(i)));
	}
	struct rp_replay_options opt = {
	    .trace = "bench",
	    .kernels = kernels,
	    .mems = "32M",
	    .sample_ns = 1000000000, /* one sample a second */
	};
	double t0 = now();
	if (store_trace(db, n, true)) {
		fprintf(stderr, "cannot store the trace\n");
		return 1;
	}
	snprintf(before, sizeof before, " (14 kernels x 32M)  store %.2f s",
		 now() - t0);
	int rc = timed_replay(db, &opt, "mixed", before);
	unlink(db);
	return rc;
}

static int print_metric(const char *name, double v, void *arg)
{
	(void)arg;
	static const char *const want[] = {
	    "stall.count",	 "stall.p99_ns",       "kswapd.wakeups",
	    "kswapd.cpu_ns",	 "pages.scanned",      "swap.out",
	    "swap.in",		 "pagecache.hit_rate", "buffer.hit_rate.meta",
	    "atomic_fail.o2",	 "events.deferred",    "events.forced",
	    "task.delay_max_ns", "duration_ns"};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strcmp(name, want[i]))
			printf("  %s=%.6g", name, v);
	return 0;
}

static int mixed_from_memory(long long n, const char *kernel, int mb)
{
	struct rp_event *evs = malloc((size_t)n * sizeof *evs);
	struct gen *g = malloc(sizeof *g);
	char err[200];
	if (!evs || !g)
		return 1;
	gen_init(g, 0);
	for (long long i = 0; i < n; i++)
		gen_next_mixed(g, &evs[i]);
	const struct vm98_kernel *k = vm98_kernel_find(kernel);
	struct vm98 *m =
	    k ? vm98_new(k, (uint64_t)mb << 20, NULL, 0, err, sizeof err)
	      : NULL;
	if (!m) {
		fprintf(stderr, "%s\n", k ? err : "no such kernel");
		return 1;
	}
	struct vm98_stall st;
	double t0 = now();
	for (long long i = 0; i < n; i++) {
		vm98_apply(m, &evs[i]);
		while (vm98_next_stall(m, &st))
			;
	}
	vm98_flush(m);
	double s = now() - t0;
	printf("mixed-memory %s %d MB  events %lld  %.2f s  %.2f M events/s",
	       kernel, mb, n, s, (double)n / s / 1e6);
	vm98_metrics(m, print_metric, NULL);
	printf("\n");
	vm98_free(m);
	free(evs);
	free(g);
	return 0;
}

/* The cost of reading a stored trace back: rp_event_cursor_next in the
 * engine's batch size, timed on one core. */
static int read_only(const char *db)
{
	struct rp_store *s;
	struct rp_event_cursor *c;
	struct rp_error err = {{0}};
	static struct rp_event buf[8192];
	size_t n;
	long long total = 0, sum = 0;
	if (rp_store_open(db, RP_STORE_READONLY, &s, &err) ||
	    rp_event_cursor_open(s, 1, &c, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	double t0 = now();
	do {
		if (rp_event_cursor_next(c, buf, 8192, &n, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		total += (long long)n;
		for (size_t i = 0; i < n; i++)
			sum += buf[i].obj; /* keep the reads */
	} while (n);
	double s_ = now() - t0;
	rp_event_cursor_close(c);
	rp_store_close(s);
	printf(
	    "read    events %lld  %.2f s  %.2f M events/s  (checksum %lld)\n",
	    total, s_, (double)total / s_ / 1e6, sum);
	return 0;
}

int main(int argc, char **argv)
{
	rp_store_process_init(); /* as the vmreplay command does */
	if (argc >= 3 && !strcmp(argv[1], "replay"))
		return replay_12(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "read"))
		return read_only(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "mixed"))
		return mixed_from_store(atoll(argv[2]), argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "mixed-memory"))
		return mixed_from_memory(atoll(argv[2]), argv[3],
					 argc > 4 ? atoi(argv[4]) : 32);
	if (argc >= 3 && !strcmp(argv[1], "memory"))
		return from_memory(atoll(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "store"))
		return from_store(atoll(argv[2]), argv[3]);
	fprintf(stderr,
		"usage: bench-replay memory N | store N DB | mixed N "
		"DB | replay DB | read DB | mixed-memory N KERNEL [MB]\n");
	return 2;
}
