/* bench-replay.c — replay speed and memory.
 *
 *   bench/bench-replay memory N        N generated events from memory
 *                                      through one 2.1.90 instance (32 MB)
 *   bench/bench-replay store N DB      N generated events stored in DB, then
 *                                      replayed from DB through 12 instances
 *                                      (4 kernels x 8M, 32M, 64M)
 *
 * Prints events/s, instance-events/s and the process's peak RSS.  Run each
 * mode in its own process (bench/run-replay.sh does) so that peak RSS is
 * the mode's own. */
#include "gen.h"
#include "vm98/vm98.h"

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

static int store_trace(const char *db, long long n)
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
		for (int j = 0; j < k; j++)
			gen_next(g, &buf[j]);
		if (rp_trace_append(w, buf, (size_t)k, &err))
			return -1;
	}
	int rc = rp_trace_finish(w, &err);
	rp_store_close(s);
	free(g);
	return rc;
}

static int from_store(long long n, const char *db)
{
	struct rp_store *s;
	struct rp_error err = {{0}};
	struct rp_replay_result res;
	struct rp_replay_options opt = {
	    .trace = "bench",
	    .kernels = "2.0.33,2.1.90,rik,2.2.0",
	    .mems = "8M,32M,64M",
	    .sample_ns = 1000000000, /* one sample a second */
	};
	if (store_trace(db, n)) {
		fprintf(stderr, "cannot store the trace\n");
		return 1;
	}
	if (rp_store_open(db, 0, &s, &err))
		return 1;
	double t0 = now();
	if (rp_replay(s, &opt, &res, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	double total = now() - t0;
	rp_store_close(s);
	printf("store   events %lld  %d instances  pass %.2f s  %.2f M trace "
	       "events/s  %.2f M instance-events/s  (with storing results "
	       "%.2f s)  peak RSS %.0f MB\n",
	       n, res.nruns, res.seconds,
	       (double)res.events_replayed / res.seconds / 1e6,
	       (double)res.events_replayed * res.nruns / res.seconds / 1e6,
	       total, peak_rss_mb());
	unlink(db);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "memory"))
		return from_memory(atoll(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "store"))
		return from_store(atoll(argv[2]), argv[3]);
	fprintf(stderr, "usage: bench-replay memory N | store N DB\n");
	return 2;
}
