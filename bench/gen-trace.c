/* gen-trace.c — writes a synthetic native CSV trace of N events (see
 * gen.h) to standard output: `bench/gen-trace N [SEED] > trace.csv`. */
#include "gen.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: gen-trace N [SEED]\n");
		return 2;
	}
	long long n = atoll(argv[1]);
	struct gen *g = malloc(sizeof *g);
	char gfp[40];
	if (!g)
		return 1;
	gen_init(g, argc > 2 ? strtoull(argv[2], NULL, 0) : 0);
	puts("ts_ns,kind,task,obj,order,bytes,gfp,count,flags");
	for (long long i = 0; i < n; i++) {
		struct rp_event ev;
		gen_next(g, &ev);
		printf("%" PRId64 ",%s,", ev.ts_ns, rp_kind_name(ev.kind));
		if (ev.present & RP_HAS(RP_COL_TASK))
			printf("%" PRId64, ev.task);
		printf(",%" PRId64 ",", ev.obj);
		if (ev.present & RP_HAS(RP_COL_ORDER))
			printf("%d", ev.order);
		putchar(',');
		if (ev.present & RP_HAS(RP_COL_BYTES))
			printf("%" PRId64, ev.bytes);
		printf(",%s,", ev.present & RP_HAS(RP_COL_GFP)
				   ? rp_gfp_format(ev.gfp, gfp, sizeof gfp)
				   : "");
		if (ev.present & RP_HAS(RP_COL_COUNT))
			printf("%" PRId64, ev.count);
		putchar(',');
		if (ev.present & RP_HAS(RP_COL_FLAGS))
			printf("%" PRId64, ev.flags);
		putchar('\n');
	}
	free(g);
	return ferror(stdout) ? 1 : 0;
}
