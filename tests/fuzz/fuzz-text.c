/* fuzz-text.c — fuzz target for the kernel text parsers: the first byte
 * picks ftrace text (0), perf script (1), glibc mtrace (2) or a /proc file
 * (3); the rest is the input.  Built with clang -fsanitize=fuzzer when clang
 * exists (tests/cli/ftrace-fuzz.sh); otherwise, and in every `make check`,
 * a plain main() replays the files given (the seed corpus, corpus-text/).
 * The parsers are compiled in; the store is stubbed out (events are mapped
 * by the sink and dropped). */
#include "kernel-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ------------------------------------------------------- store stubs */

int rp_trace_begin(struct rp_store *store, const struct rp_trace_meta *meta,
		   struct rp_trace_writer **out, struct rp_error *err)
{
	(void)store;
	(void)meta;
	*out = NULL;
	return rp_error_set(err, "no store in the fuzzer");
}

int rp_trace_append(struct rp_trace_writer *w, const struct rp_event *ev,
		    size_t n, struct rp_error *err)
{
	(void)w;
	(void)ev;
	(void)n;
	(void)err;
	return 0;
}

int rp_trace_set_stat(struct rp_trace_writer *w, const char *key,
		      const char *value, struct rp_error *err)
{
	(void)w;
	(void)key;
	(void)value;
	(void)err;
	return 0;
}

int rp_trace_add_sample(struct rp_trace_writer *w, const struct rp_sample *s,
			struct rp_error *err)
{
	(void)w;
	(void)s;
	(void)err;
	return 0;
}

int64_t rp_trace_id(const struct rp_trace_writer *w)
{
	(void)w;
	return 0;
}

int rp_trace_finish(struct rp_trace_writer *w, struct rp_error *err)
{
	(void)w;
	(void)err;
	return 0;
}

void rp_trace_abort(struct rp_trace_writer *w)
{
	(void)w;
}

int rp_captured_run_build(struct rp_store *store, int64_t trace_id,
			  const char *kernel, int64_t *run_id,
			  struct rp_error *err)
{
	(void)store;
	(void)trace_id;
	(void)kernel;
	(void)err;
	*run_id = 0;
	return 0;
}

/* ------------------------------------------------------------ target */

static int count_sample(const struct rp_sample *s, void *arg,
			struct rp_error *err)
{
	(void)err;
	/* touch every string: ASan catches a bad pointer */
	size_t n = strlen(s->source) + strlen(s->name);
	if (s->node)
		n += strlen(s->node);
	if (s->zone)
		n += strlen(s->zone);
	*(size_t *)arg += n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_text_stats st;
	struct rp_error err;
	if (size < 1)
		return 0;
	/* an exact-size copy, so reads past the end are caught */
	char *buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	size_t n = size - 1, sum = 0;
	int64_t bad = 0;
	switch (data[0] % 4) {
	case 0: rp_text_parse_mem(&rp_ftrace_text_parser, buf, n, &st); break;
	case 1: rp_text_parse_mem(&rp_perf_text_parser, buf, n, &st); break;
	case 2: rp_text_parse_mem(&rp_mtrace_text_parser, buf, n, &st); break;
	default:
		rp_proc_parse(rp_proc_detect(buf, n), buf, n, 0, "fuzz", NULL,
			      &bad, count_sample, &sum, &err);
		break;
	}
	free(buf);
	return 0;
}

#ifndef FUZZ_LIBFUZZER
int main(int argc, char **argv)
{
	int files = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 1;
		}
		static uint8_t buf[1 << 20];
		size_t n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
		/* and every prefix: truncated input at any line */
		for (size_t cut = 1; cut < n; cut += 1 + n / 64)
			LLVMFuzzerTestOneInput(buf, cut);
		files++;
	}
	printf("fuzz-text: %d inputs replayed\n", files);
	return 0;
}
#endif
