/*
 * replay.c — the replay engine: reads a stored trace once and drives every
 * (kernel, memory size) vm98 instance from that one pass, on worker threads,
 * then stores one run per instance (design.md §2, §5).
 *
 * The main thread reads batches of events from the store while the workers
 * apply the previous batch to their instances (double buffering with two
 * barriers per batch).  Instances are independent and each belongs to one
 * worker, so the result does not depend on the number of threads.
 */
#include "internal.h"
#include "vm98/vm98.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH		 8192
#define TICK_NS		 10000000LL /* HZ = 100 */
#define MAX_STALLS	 1000000    /* per run; the rest are counted */
#define MAX_AUTO_SAMPLES 2000
#define STALL_BUF                                                              \
	4096 /* stalls kept in memory per run before spilling */ /* run_series \
								    rows per   \
								    name, by   \
								    default */

/* ---------------------------------------------------------------- sizes */

int64_t rp_parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	double mult = 1;
	if (end == s || v < 0)
		return -1;
	switch (*end) {
	case 'k':
	case 'K': mult = 1024, end++; break;
	case 'm':
	case 'M': mult = 1024 * 1024, end++; break;
	case 'g':
	case 'G': mult = 1024.0 * 1024 * 1024, end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v * mult > 1e15)
		return -1;
	return (int64_t)(v * mult);
}

int64_t rp_parse_duration(const char *s)
{
	static const struct {
		const char *suffix;
		int64_t ns;
	} units[] = {{"ns", 1},
		     {"us", 1000},
		     {"ms", 1000000},
		     {"s", 1000000000},
		     {"m", 60000000000LL},
		     {"min", 60000000000LL},
		     {"h", 3600000000000LL},
		     {"", 1000000000}};
	size_t len = strlen(s), num = 0;
	while (num < len && ((s[num] >= '0' && s[num] <= '9') || s[num] == '.'))
		num++;
	for (size_t i = 0; i < RP_ARRAY_SIZE(units); i++) {
		if (strcmp(s + num, units[i].suffix))
			continue;
		int64_t v;
		if (num == 0 || !rp_parse_scaled(s, num, units[i].ns, &v))
			return -1;
		return v;
	}
	return -1;
}

/* ------------------------------------------------------------ instances */

/* The run_series samples of one instance, kept until the pass ends:
 * a stream of (name index, value) with a row marker (index -1) before the
 * values of each sample time. */
struct series_value {
	int32_t name;
	float value;
};

struct series {
	char **names;
	int nnames, cap_names;
	int64_t *t; /* sample times, one per row marker */
	size_t nrows, cap_rows;
	struct series_value *v;
	size_t nv, cap_v;
	int cursor; /* expected name index of the next value */
};

struct instance {
	const struct vm98_kernel *kernel;
	struct vm98_params params;
	uint64_t mem_bytes;
	struct vm98 *m;
	int64_t next_sample;
	struct series series;
	/* stalls: the last STALL_BUF in memory, earlier ones spilled to a
	 * temporary file, so memory does not grow with the trace */
	struct rp_stall *stalls;
	size_t nstalls;
	FILE *spill;
	int64_t nspilled;
	int64_t stalls_dropped;
	int64_t applied, ignored, unknown;
	char failure[256]; /* --check: the first inconsistency */
	int failed_oom;
};

/* The live obj ids of the trace, numbered densely for all instances at
 * once (vm98_apply_slot): one hash lookup per event here, on the reading
 * thread, instead of one per instance.  Open addressing, linear probing,
 * backward-shift deletion; freed slot numbers are reused last-in first-out.
 * Reusing a slot at once is safe: every instance applies the events in
 * the order they are numbered, so it has applied the free before the
 * allocation that reuses the slot. */
struct slot_entry {
	int64_t key;
	uint32_t slot; /* VM98_NO_SLOT: empty */
};

struct slot_table {
	struct slot_entry *e;
	uint32_t mask, used;
	uint32_t *free; /* recycled slot numbers */
	size_t nfree, cap_free;
	uint32_t next; /* slots never used yet start here */
};

struct engine {
	const struct rp_replay_options *opt;
	struct instance inst[RP_REPLAY_MAX_INSTANCES];
	int ninst;
	int64_t t0; /* first event time of the trace */
	int64_t sample_ns;
	/* double buffer */
	struct rp_event *buf[2];
	uint32_t *slot[2]; /* per event: its obj's slot (vm98_apply_slot) */
	size_t n[2];
	struct slot_table slots;
	int done;
	pthread_barrier_t barrier;
	int nthreads;	      /* worker threads besides the reader */
	atomic_int next_inst; /* next instance to apply the batch to */
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 256;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * size);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static inline uint32_t slot_hash(int64_t key, uint32_t mask)
{
	uint64_t x = (uint64_t)key * UINT64_C(0x9E3779B97F4A7C15);
	return (uint32_t)(x >> 32) & mask;
}

static int slot_table_alloc(struct slot_table *t, uint32_t cap)
{
	t->e = malloc((size_t)cap * sizeof *t->e);
	if (!t->e)
		return -1;
	for (uint32_t i = 0; i < cap; i++)
		t->e[i].slot = VM98_NO_SLOT;
	t->mask = cap - 1;
	return 0;
}

static int slot_table_grow(struct slot_table *t)
{
	struct slot_entry *old = t->e;
	uint32_t cap = t->mask + 1;
	if (cap >= UINT32_C(0x40000000) || slot_table_alloc(t, cap * 2)) {
		t->e = old;
		return -1;
	}
	for (uint32_t i = 0; i < cap; i++) {
		if (old[i].slot == VM98_NO_SLOT)
			continue;
		uint32_t j = slot_hash(old[i].key, t->mask);
		while (t->e[j].slot != VM98_NO_SLOT)
			j = (j + 1) & t->mask;
		t->e[j] = old[i];
	}
	free(old);
	return 0;
}

/* The slot of a live obj, or a new one for it; VM98_NO_SLOT: out of
 * memory. */
static uint32_t slot_get(struct slot_table *t, int64_t key)
{
	if ((t->used + 1) * 2 > t->mask + 1 && slot_table_grow(t))
		return VM98_NO_SLOT;
	uint32_t i = slot_hash(key, t->mask);
	for (; t->e[i].slot != VM98_NO_SLOT; i = (i + 1) & t->mask)
		if (t->e[i].key == key)
			return t->e[i].slot;
	uint32_t slot;
	if (t->nfree)
		slot = t->free[--t->nfree];
	else if (t->next < VM98_NO_SLOT - 1)
		slot = t->next++;
	else
		return VM98_NO_SLOT;
	t->e[i].key = key;
	t->e[i].slot = slot;
	t->used++;
	return slot;
}

/* Forgets a live obj: its slot (recycled), or VM98_NO_SLOT if not live. */
static uint32_t slot_put(struct slot_table *t, int64_t key)
{
	uint32_t i = slot_hash(key, t->mask);
	for (;; i = (i + 1) & t->mask) {
		if (t->e[i].slot == VM98_NO_SLOT)
			return VM98_NO_SLOT;
		if (t->e[i].key == key)
			break;
	}
	uint32_t slot = t->e[i].slot, hole = i;
	for (uint32_t j = (i + 1) & t->mask; t->e[j].slot != VM98_NO_SLOT;
	     j = (j + 1) & t->mask) {
		uint32_t home = slot_hash(t->e[j].key, t->mask);
		/* e[j] may move to hole iff home is not in (hole, j] */
		if (((j - home) & t->mask) >= ((j - hole) & t->mask)) {
			t->e[hole] = t->e[j];
			hole = j;
		}
	}
	t->e[hole].slot = VM98_NO_SLOT;
	t->used--;
	/* cap_free >= number of slots handed out, so this never fails */
	t->free[t->nfree++] = slot;
	return slot;
}

/* Numbers the objs of a batch.  -1 on out of memory. */
static int map_slots(struct slot_table *t, const struct rp_event *evs,
		     uint32_t *slots, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct rp_event *ev = &evs[i];
		slots[i] = VM98_NO_SLOT;
		if (!(ev->present & RP_HAS(RP_COL_OBJ)))
			continue;
		switch (ev->kind) {
		case RP_PAGE_ALLOC:
		case RP_KMALLOC:
			if (t->next == t->cap_free) {
				size_t cap = t->cap_free;
				if (grow((void **)&t->free, &cap, cap + 1,
					 sizeof *t->free))
					return -1;
				t->cap_free = cap;
			}
			if ((slots[i] = slot_get(t, ev->obj)) == VM98_NO_SLOT)
				return -1;
			break;
		case RP_PAGE_FREE:
		case RP_KFREE: slots[i] = slot_put(t, ev->obj); break;
		default: break;
		}
	}
	return 0;
}

static int series_push(struct series *s, int32_t name, float value)
{
	if (grow((void **)&s->v, &s->cap_v, s->nv + 1, sizeof *s->v))
		return -1;
	s->v[s->nv++] = (struct series_value){name, value};
	return 0;
}

/* The index of a series name, added when new; the names come in the same
 * order at every sample, so the expected position is tried first. */
static int series_name(struct series *s, const char *name)
{
	if (s->cursor < s->nnames && !strcmp(s->names[s->cursor], name))
		return s->cursor++;
	for (int i = 0; i < s->nnames; i++)
		if (!strcmp(s->names[i], name))
			return (s->cursor = i + 1) - 1;
	size_t cap = (size_t)s->cap_names;
	if (grow((void **)&s->names, &cap, (size_t)s->nnames + 1,
		 sizeof *s->names))
		return -1;
	s->cap_names = (int)cap;
	if (!(s->names[s->nnames] = strdup(name)))
		return -1;
	s->cursor = s->nnames + 1;
	return s->nnames++;
}

static int sample_cb(const char *name, double value, void *arg)
{
	struct series *s = arg;
	int idx = series_name(s, name);
	return idx < 0 ? -1 : series_push(s, idx, (float)value);
}

static int series_row(struct series *s, int64_t t)
{
	if (grow((void **)&s->t, &s->cap_rows, s->nrows + 1, sizeof *s->t))
		return -1;
	s->t[s->nrows++] = t;
	s->cursor = 0;
	return series_push(s, -1, 0);
}

static void drain_stalls(struct instance *in);

static void take_sample(struct engine *e, struct instance *in, int64_t t)
{
	vm98_advance(in->m, t);
	drain_stalls(in);
	if (series_row(&in->series, t - e->t0) ||
	    vm98_sample(in->m, sample_cb, &in->series))
		in->failed_oom = 1;
}

/* Moves the allocations that waited or failed, as the model queued them
 * (vm98_next_stall), to the run's stalls.  The order and GFP class are
 * the model's, of the block asked for (order 2 for a 9000-byte kmalloc). */
static struct rp_stall *new_stall(struct instance *in)
{
	if (in->nspilled + (int64_t)in->nstalls == MAX_STALLS) {
		in->stalls_dropped++;
		return NULL;
	}
	if (!in->stalls &&
	    !(in->stalls = malloc(STALL_BUF * sizeof *in->stalls))) {
		in->failed_oom = 1;
		return NULL;
	}
	if (in->nstalls == STALL_BUF) {
		/* the path and outcome strings are static: written as pointers,
		 * read back by this process */
		if ((!in->spill && !(in->spill = tmpfile())) ||
		    fwrite(in->stalls, sizeof *in->stalls, STALL_BUF,
			   in->spill) != STALL_BUF) {
			in->failed_oom = 1;
			return NULL;
		}
		in->nspilled += STALL_BUF;
		in->nstalls = 0;
	}
	return &in->stalls[in->nstalls++];
}

static void drain_stalls(struct instance *in)
{
	struct vm98_stall vs;
	while (vm98_next_stall(in->m, &vs)) {
		struct rp_stall *s = new_stall(in);
		if (!s)
			continue;
		memset(s, 0, sizeof *s);
		s->t_ns = vs.t_ns;
		s->task = vs.task;
		s->order = vs.order;
		s->gfp = vs.gfp;
		s->latency_ns = vs.latency_ns;
		s->pages_freed = vs.pages_freed;
		s->outcome = vs.failed ? "failed" : "ok";
		s->path = vs.path;
	}
}

static void apply_batch(struct engine *e, struct instance *in,
			const struct rp_event *evs, const uint32_t *slots,
			size_t n)
{
	char msg[200];
	for (size_t i = 0; i < n && !in->failure[0]; i++) {
		const struct rp_event *ev = &evs[i];
		while (in->next_sample <= ev->ts_ns) {
			take_sample(e, in, in->next_sample);
			in->next_sample += e->sample_ns;
		}
		int r = vm98_apply_slot(in->m, ev, slots[i]);
		in->applied++;
		if (r == VM98_IGNORED)
			in->ignored++;
		else if (r == VM98_UNKNOWN)
			in->unknown++;
		if (e->opt->check && vm98_check(in->m, msg, sizeof msg))
			snprintf(in->failure, sizeof in->failure,
				 "event %lld (%s at %lld ns): %s",
				 (long long)in->applied, rp_kind_name(ev->kind),
				 (long long)ev->ts_ns, msg);
	}
	/* the model queues them in order (up to 1 M); taken once a batch */
	drain_stalls(in);
}

/* Applies batch k to instances taken one at a time from a shared counter,
 * so that the reading thread, once its next batch is read, helps with the
 * rest: no thread idles while another has instances left. */
static void apply_instances(struct engine *e, int k)
{
	int i;
	while ((i = atomic_fetch_add(&e->next_inst, 1)) < e->ninst)
		apply_batch(e, &e->inst[i], e->buf[k & 1], e->slot[k & 1],
			    e->n[k & 1]);
}

static void *worker_main(void *arg)
{
	struct engine *e = arg;
	for (int k = 0;; k++) {
		pthread_barrier_wait(&e->barrier); /* batch k published */
		if (e->done)
			break;
		apply_instances(e, k);
		pthread_barrier_wait(&e->barrier); /* batch k applied */
	}
	return NULL;
}

/* ------------------------------------------------------------- filters */

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

struct filter {
	int64_t *tasks;
	int ntasks;
	int64_t from, to; /* absolute */
	uint32_t keep_num, keep_den;
};

static bool keep_event(const struct filter *f, const struct rp_event *ev)
{
	if (ev->ts_ns < f->from || (f->to && ev->ts_ns > f->to))
		return false;
	if (f->ntasks && (ev->present & RP_HAS(RP_COL_TASK))) {
		int i;
		for (i = 0; i < f->ntasks && f->tasks[i] != ev->task; i++)
			;
		if (i == f->ntasks)
			return false;
	}
	if (f->keep_den && (ev->present & RP_HAS(RP_COL_OBJ)) &&
	    mix64((uint64_t)ev->obj) % f->keep_den >= f->keep_num)
		return false;
	return true;
}

static int parse_tasks(const char *s, struct filter *f, struct rp_error *err)
{
	if (!s || !*s)
		return 0;
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	f->tasks = calloc(n, sizeof *f->tasks);
	if (!f->tasks)
		return rp_error_set(err, "out of memory");
	const char *p = s;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (!rp_parse_i64(p, len, &f->tasks[f->ntasks++]))
			return rp_error_set(
			    err, "--tasks: not a task id: '%.*s'", (int)len, p);
		p += len + (end != NULL);
	}
	return 0;
}

/* ---------------------------------------------------------- instances */

static int apply_params(struct engine *e, struct instance *in,
			struct rp_error *err)
{
	char msg[200];
	vm98_params_init(in->kernel, &in->params);
	for (int i = 0; i < e->opt->nparams; i++) {
		const char *kv = e->opt->params[i];
		const char *eq = strchr(kv, '=');
		char name[64];
		int ok;
		if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof name)
			return rp_error_set(err,
					    "--param %s: expected "
					    "NAME=VALUE",
					    kv);
		snprintf(name, sizeof name, "%.*s", (int)(eq - kv), kv);
		vm98_param_get(&in->params, name, &ok);
		if (!ok)
			continue; /* another kernel's parameter */
		if (vm98_param_set(&in->params, name, eq + 1, msg, sizeof msg))
			return rp_error_set(err, "--param %s: %s", kv, msg);
	}
	return 0;
}

/* Every --param must belong to at least one selected kernel. */
static int check_params_known(struct engine *e, struct rp_error *err)
{
	for (int i = 0; i < e->opt->nparams; i++) {
		const char *kv = e->opt->params[i];
		const char *eq = strchr(kv, '=');
		char name[64];
		int known = 0;
		snprintf(name, sizeof name, "%.*s",
			 eq ? (int)(eq - kv) : (int)strlen(kv), kv);
		for (int j = 0; j < e->ninst && !known; j++)
			vm98_param_get(&e->inst[j].params, name, &known);
		if (!known)
			return rp_error_set(
			    err,
			    "--param %s: no selected kernel has "
			    "a parameter '%s' (see replay "
			    "--list-kernels --verbose)",
			    kv, name);
	}
	return 0;
}

static int make_instances(struct engine *e, struct rp_error *err)
{
	const char *kp = e->opt->kernels;
	char name[64], msg[200];
	if (!kp || !*kp || !e->opt->mems || !*e->opt->mems)
		return rp_error_set(err, "give --kernel and --mem");
	while (*kp) {
		const char *kend = strchr(kp, ',');
		size_t klen = kend ? (size_t)(kend - kp) : strlen(kp);
		snprintf(name, sizeof name, "%.*s", (int)klen, kp);
		const struct vm98_kernel *k = vm98_kernel_find(name);
		if (!k)
			return rp_error_set(err,
					    "--kernel: no kernel '%s' (see "
					    "replay --list-kernels)",
					    name);
		const char *mp = e->opt->mems;
		while (*mp) {
			const char *mend = strchr(mp, ',');
			size_t mlen = mend ? (size_t)(mend - mp) : strlen(mp);
			char size[32];
			snprintf(size, sizeof size, "%.*s", (int)mlen, mp);
			int64_t bytes = rp_parse_size(size);
			if (bytes <= 0)
				return rp_error_set(err,
						    "--mem: not a size: "
						    "'%s'",
						    size);
			if (e->ninst == RP_REPLAY_MAX_INSTANCES)
				return rp_error_set(err,
						    "more than %d kernel "
						    "x size instances",
						    RP_REPLAY_MAX_INSTANCES);
			struct instance *in = &e->inst[e->ninst++];
			in->kernel = k;
			in->mem_bytes = (uint64_t)bytes;
			if (apply_params(e, in, err))
				return -1;
			in->m = vm98_new(k, in->mem_bytes, &in->params,
					 e->opt->seed, msg, sizeof msg);
			if (!in->m)
				return rp_error_set(err, "%s at %s: %s", name,
						    size, msg);
			mp += mlen + (mend != NULL);
		}
		kp += klen + (kend != NULL);
	}
	return check_params_known(e, err);
}

static void free_instance(struct instance *in)
{
	vm98_free(in->m);
	for (int i = 0; i < in->series.nnames; i++)
		free(in->series.names[i]);
	free(in->series.names);
	free(in->series.t);
	free(in->series.v);
	free(in->stalls);
	if (in->spill)
		fclose(in->spill);
}

/* ------------------------------------------------------------- storing */

struct metric_ctx {
	struct rp_run_writer *w;
	struct rp_error *err;
};

static int metric_cb(const char *name, double value, void *arg)
{
	struct metric_ctx *c = arg;
	return rp_run_metric(c->w, name, value, c->err);
}

static int store_params(const struct engine *e, const struct instance *in,
			struct rp_run_writer *w, struct rp_error *err)
{
	char v[64];
	for (int i = 0; i < vm98_kernel_nparams(in->kernel); i++) {
		const struct vm98_param *p = vm98_kernel_param(in->kernel, i);
		int ok;
		snprintf(v, sizeof v, "%lld",
			 (long long)vm98_param_get(&in->params, p->name, &ok));
		if (rp_run_param(w, p->name, v, err))
			return -1;
	}
	const struct rp_replay_options *o = e->opt;
	snprintf(v, sizeof v, "%lld", (long long)e->sample_ns);
	if (rp_run_param(w, "replay.sample_ns", v, err) ||
	    rp_run_param(w, "replay.check", o->check ? "1" : "0", err) ||
	    (o->tasks && rp_run_param(w, "replay.tasks", o->tasks, err)))
		return -1;
	if (o->from_ns || o->to_ns) {
		snprintf(v, sizeof v, "%lld..%lld", (long long)o->from_ns,
			 (long long)o->to_ns);
		if (rp_run_param(w, "replay.window_ns", v, err))
			return -1;
	}
	if (o->keep_den) {
		snprintf(v, sizeof v, "%u/%u", o->keep_num, o->keep_den);
		if (rp_run_param(w, "replay.keep_objects", v, err))
			return -1;
	}
	return 0;
}

static int store_series(const struct instance *in, struct rp_run_writer *w,
			struct rp_error *err)
{
	const struct series *s = &in->series;
	size_t row = 0;
	int64_t t = 0;
	for (size_t i = 0; i < s->nv; i++) {
		if (s->v[i].name < 0) {
			t = s->t[row++];
			continue;
		}
		if (rp_run_series(w, t, s->names[s->v[i].name], s->v[i].value,
				  err))
			return -1;
	}
	return 0;
}

static int store_stalls(const struct instance *in, struct rp_run_writer *w,
			struct rp_error *err)
{
	struct rp_stall buf[256];
	size_t n;
	if (in->spill) {
		rewind(in->spill);
		while ((n = fread(buf, sizeof *buf, 256, in->spill)) > 0)
			for (size_t i = 0; i < n; i++)
				if (rp_run_stall(w, &buf[i], err))
					return -1;
		if (ferror(in->spill))
			return rp_error_set(err, "reading back stalls failed");
	}
	for (size_t i = 0; i < in->nstalls; i++)
		if (rp_run_stall(w, &in->stalls[i], err))
			return -1;
	return 0;
}

static int store_run(struct rp_store *store, const struct engine *e,
		     const struct instance *in, int64_t trace_id,
		     int64_t wall_ns, int64_t *run_id, struct rp_error *err)
{
	struct rp_run_writer *w;
	struct metric_ctx mc;
	const char *name = vm98_kernel_name(in->kernel);
	if (rp_run_begin(store, trace_id, "simulated", name,
			 (int64_t)in->mem_bytes, (int64_t)e->opt->seed, &w,
			 err))
		return -1;
	mc.w = w;
	mc.err = err;
	*run_id = rp_run_id(w);
	if (store_params(e, in, w, err) ||
	    vm98_metrics(in->m, metric_cb, &mc) ||
	    rp_run_metric(w, "events.applied", (double)in->applied, err) ||
	    rp_run_metric(w, "events.ignored", (double)in->ignored, err) ||
	    rp_run_metric(w, "stalls.not_stored", (double)in->stalls_dropped,
			  err) ||
	    store_series(in, w, err))
		goto fail;
	if (store_stalls(in, w, err))
		goto fail;
	return rp_run_finish(w, wall_ns, in->applied, err);
fail:
	if (!err->msg[0])
		rp_error_set(err, "storing the run of %s failed", name);
	rp_run_abort(w);
	return -1;
}

/* --------------------------------------------------------------- the pass */

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double process_cpu_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Reads the next batch of events that pass the filter into buf. */
static int read_batch(struct rp_event_cursor *c, const struct filter *f,
		      struct rp_event *buf, size_t *n, int64_t *read,
		      struct rp_error *err)
{
	size_t got;
	*n = 0;
	do {
		if (rp_event_cursor_next(c, buf + *n, BATCH - *n, &got, err))
			return -1;
		*read += (int64_t)got;
		size_t kept = *n;
		for (size_t i = *n; i < *n + got; i++)
			if (keep_event(f, &buf[i]))
				buf[kept++] = buf[i];
		*n = kept;
	} while (got > 0 && *n < BATCH / 2);
	return 0;
}

static int run_pass(struct engine *e, struct rp_event_cursor *c,
		    const struct filter *f, const struct rp_trace_row *row,
		    struct rp_replay_result *res, struct rp_error *err)
{
	pthread_t threads[64];
	int nthreads = e->nthreads, started = 0, ret = 0;

	if (pthread_barrier_init(&e->barrier, NULL, (unsigned)nthreads + 1))
		return rp_error_set(err, "cannot create a barrier");
	for (int i = 0; i < nthreads; i++) {
		if (pthread_create(&threads[i], NULL, worker_main, e))
			break;
		started++;
	}
	if (started < nthreads) {
		/* cannot run with fewer parties than the barrier counts */
		e->nthreads = started;
		ret = rp_error_set(err, "cannot start worker threads");
	}
	size_t n = 0;
	if (!ret && read_batch(c, f, e->buf[0], &n, &res->events_read, err))
		ret = -1;
	else if (!ret && map_slots(&e->slots, e->buf[0], e->slot[0], n))
		ret = rp_error_set(err, "out of memory");
	for (int k = 0; started == nthreads; k++) {
		e->n[k & 1] = n;
		e->done = ret != 0 || n == 0;
		atomic_store(&e->next_inst, 0);
		pthread_barrier_wait(&e->barrier); /* publish batch k */
		if (e->done)
			break;
		res->events_replayed += (int64_t)n;
		int next = (k + 1) & 1;
		if (read_batch(c, f, e->buf[next], &n, &res->events_read,
			       err)) {
			ret = -1;
			n = 0;
		} else if (map_slots(&e->slots, e->buf[next], e->slot[next],
				     n)) {
			ret = rp_error_set(err, "out of memory");
			n = 0;
		}
		if (e->opt->progress)
			e->opt->progress((uint64_t)res->events_read,
					 (uint64_t)row->events,
					 e->opt->progress_arg);
		apply_instances(e, k);
		pthread_barrier_wait(&e->barrier); /* batch k applied */
	}
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&e->barrier);
	return ret;
}

/* Every tick (10 ms), unless that gives more than MAX_AUTO_SAMPLES over
 * the replayed span: then a whole number of ticks that gives at most that
 * many.  --sample sets it outright. */
static int64_t default_sample_ns(const struct rp_replay_options *opt,
				 const struct filter *f,
				 const struct rp_trace_row *row)
{
	if (opt->sample_ns > 0)
		return opt->sample_ns;
	int64_t span = (f->to ? f->to : row->last_ns) - f->from;
	if (span / TICK_NS <= MAX_AUTO_SAMPLES)
		return TICK_NS;
	return (span / MAX_AUTO_SAMPLES / TICK_NS + 1) * TICK_NS;
}

static int setup_engine(struct engine *e, const struct rp_replay_options *opt,
			const struct rp_trace_row *row, struct filter *f,
			struct rp_error *err)
{
	e->opt = opt;
	e->t0 = row->first_ns;

	if (opt->keep_den &&
	    (opt->keep_num == 0 || opt->keep_num > opt->keep_den))
		return rp_error_set(err,
				    "--keep-objects: need 0 < N <= D in N/D");
	f->from = row->first_ns + opt->from_ns;
	f->to = opt->to_ns ? row->first_ns + opt->to_ns : 0;
	f->keep_num = opt->keep_num;
	f->keep_den = opt->keep_den;
	e->sample_ns = default_sample_ns(opt, f, row);
	if (parse_tasks(opt->tasks, f, err) || make_instances(e, err))
		return -1;
	for (int i = 0; i < e->ninst; i++)
		e->inst[i].next_sample = f->from;
	/* threads that apply events: the reader helps once a batch is read, so
	 * one worker fewer than threads wanted, and at least one, so that
	 * reading overlaps applying */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int want = opt->threads > 0 ? opt->threads : (int)(cpus > 0 ? cpus : 1);
	if (want > e->ninst)
		want = e->ninst;
	e->nthreads = want > 1 ? want - 1 : 1;
	if (e->nthreads > 64)
		e->nthreads = 64;
	e->buf[0] = malloc(BATCH * sizeof(struct rp_event));
	e->buf[1] = malloc(BATCH * sizeof(struct rp_event));
	e->slot[0] = malloc(BATCH * sizeof(uint32_t));
	e->slot[1] = malloc(BATCH * sizeof(uint32_t));
	if (!e->buf[0] || !e->buf[1] || !e->slot[0] || !e->slot[1] ||
	    slot_table_alloc(&e->slots, 1024))
		return rp_error_set(err, "out of memory");
	return 0;
}

/* A last sample at the end of the trace, so the series covers it. */
static void final_samples(struct engine *e, int64_t end)
{
	for (int i = 0; i < e->ninst; i++) {
		struct instance *in = &e->inst[i];
		if (in->failure[0])
			continue;
		vm98_flush(in->m); /* the deferred events of delayed tasks */
		drain_stalls(in);
		while (in->next_sample <= end) {
			take_sample(e, in, in->next_sample);
			in->next_sample += e->sample_ns;
		}
	}
}

static int check_instances(const struct engine *e, struct rp_error *err)
{
	for (int i = 0; i < e->ninst; i++) {
		const struct instance *in = &e->inst[i];
		if (in->failure[0])
			return rp_error_set(
			    err, "--check: %s at %llu bytes: %s",
			    vm98_kernel_name(in->kernel),
			    (unsigned long long)in->mem_bytes, in->failure);
		if (in->failed_oom)
			return rp_error_set(err, "out of memory");
	}
	return 0;
}

int rp_replay(struct rp_store *store, const struct rp_replay_options *opt,
	      struct rp_replay_result *res, struct rp_error *err)
{
	struct engine *e = calloc(1, sizeof *e);
	struct filter f = {0};
	struct rp_trace_row row;
	struct rp_event_cursor *c = NULL;
	int ret = -1;

	memset(res, 0, sizeof *res);
	if (!e)
		return rp_error_set(err, "out of memory");
	if (rp_store_trace_find(store, opt->trace, &row, err) ||
	    setup_engine(e, opt, &row, &f, err) ||
	    rp_event_cursor_open(store, row.id, &c, err))
		goto out;
	double t0 = now_s(), cpu0 = process_cpu_s();
	if (run_pass(e, c, &f, &row, res, err))
		goto out;
	final_samples(e, f.to ? f.to : row.last_ns);
	res->seconds = now_s() - t0;
	res->cpu_seconds = process_cpu_s() - cpu0;
	rp_event_cursor_close(c);
	c = NULL;
	if (check_instances(e, err))
		goto out;
	for (int i = 0; i < e->ninst; i++) {
		if (store_run(store, e, &e->inst[i], row.id,
			      (int64_t)(res->seconds * 1e9),
			      &res->run_ids[res->nruns], err))
			goto out;
		res->nruns++;
		res->unknown_frees += e->inst[i].unknown;
	}
	ret = 0;
out:
	rp_event_cursor_close(c);
	for (int i = 0; i < e->ninst; i++)
		free_instance(&e->inst[i]);
	free(e->buf[0]);
	free(e->buf[1]);
	free(e->slot[0]);
	free(e->slot[1]);
	free(e->slots.e);
	free(e->slots.free);
	free(f.tasks);
	free(e);
	return ret;
}

/* ------------------------------------------------------------- kernels */

int rp_kernels_table(int verbose, struct rp_table *t)
{
	static const char *const brief[] = {"kernel", "description"};
	static const char *const full[] = {
	    "kernel", "parameter", "default", "unit", "guess", "description"};
	if (rp_table_columns(t, verbose ? 6 : 2, verbose ? full : brief))
		return -1;
	for (int i = 0; i < vm98_kernel_count(); i++) {
		const struct vm98_kernel *k = vm98_kernel_at(i);
		if (!verbose) {
			const char *row[] = {vm98_kernel_name(k),
					     vm98_kernel_desc(k)};
			if (rp_table_row(t, row))
				return -1;
			continue;
		}
		for (int j = 0; j < vm98_kernel_nparams(k); j++) {
			const struct vm98_param *p = vm98_kernel_param(k, j);
			char def[32];
			snprintf(def, sizeof def, "%lld", (long long)p->def);
			const char *row[] = {
			    vm98_kernel_name(k),     p->name, def, p->unit,
			    p->guess ? "GUESS" : "", p->desc};
			if (rp_table_row(t, row))
				return -1;
		}
	}
	return 0;
}
