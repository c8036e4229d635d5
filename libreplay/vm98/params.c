/*
 * params.c — kernel parameters: defaults from the kernel's list,
 * `--param NAME=VALUE` parsing, lookups.
 */
#include "vm98-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(VP_COUNT <= VM98_MAX_PARAMS, "VM98_MAX_PARAMS too small");

/* Values of ids a kernel does not list (it never reads them then, except
 * as "off": fma_bug 0, park quirk 0). */
void vm98_params_defaults(int64_t v[VP_COUNT])
{
	memset(v, 0, sizeof(int64_t) * VP_COUNT);
	v[VP_KERNEL_KB] = 800;
	v[VP_INITMEM_KB] = 48;
	v[VP_BOOT_EXTRA_KB] = 32;
	v[VP_MEM_MAP_BYTES] = 48;
	v[VP_NET_HOLD_NS] = 200000;
	v[VP_RX_SKB_BYTES] = 1538;
	v[VP_MTU] = 1500;
	v[VP_SKB_HEAD_BYTES] = 152;
	v[VP_IPFRAG_BYTES] = 28;
	v[VP_IPQ_BYTES] = 96;
	v[VP_SLAB_MGMT_BYTES] = 32;
	v[VP_UPDATE_PERIOD_S] = 5;
	v[VP_SWAP_MB] = 64;
	v[VP_CPU_SCAN_NS] = 200;
	v[VP_CPU_PTE_NS] = 100;
	v[VP_CPU_TRY_NS] = 2000;
	v[VP_CTXSW_NS] = 5000;
	v[VP_DISK_ACCESS_US] = 9000;
	v[VP_DISK_KBS] = 8192;
	v[VP_BLOCK_SIZE] = 1024;
	v[VP_NFRACT] = 40;
	v[VP_NDIRTY] = 500;
	v[VP_NREFILL] = 64;
	v[VP_AGE_BUFFER] = 3000;
	v[VP_AGE_SUPER] = 500;
	v[VP_NEED_RESCHED_NS] = 10000000;
	v[VP_TRIES] = 16;
	v[VP_WAKE_PERIOD] = 25;
	v[VP_SCT_BATCH] = 32;
}

void vm98_params_init(const struct vm98_kernel *k, struct vm98_params *p)
{
	memset(p, 0, sizeof(*p));
	p->kernel = k;
	vm98_params_defaults(p->v);
	for (int i = 0; k && i < k->nparams; i++)
		p->v[k->params[i].id] = k->params[i].def;
}

static const struct vm98_param *find_param(const struct vm98_kernel *k,
					   const char *name)
{
	for (int i = 0; k && i < k->nparams; i++)
		if (strcmp(k->params[i].name, name) == 0)
			return &k->params[i];
	return NULL;
}

int vm98_param_set(struct vm98_params *p, const char *name, const char *value,
		   char *err, size_t errlen)
{
	const struct vm98_param *d = find_param(p->kernel, name);
	if (!d) {
		snprintf(err, errlen, "kernel %s has no parameter '%s'",
			 p->kernel ? p->kernel->name : "(none)", name);
		return -1;
	}
	char *end;
	errno = 0;
	long long x = strtoll(value, &end, 10);
	if (errno || end == value || *end) {
		snprintf(err, errlen, "parameter %s: '%s' is not an integer",
			 name, value);
		return -1;
	}
	if (x < d->min || x > d->max) {
		snprintf(err, errlen,
			 "parameter %s: %lld is outside %lld..%lld", name, x,
			 (long long)d->min, (long long)d->max);
		return -1;
	}
	p->v[d->id] = x;
	return 0;
}

int64_t vm98_param_get(const struct vm98_params *p, const char *name, int *ok)
{
	const struct vm98_param *d = find_param(p->kernel, name);
	if (ok)
		*ok = d != NULL;
	return d ? p->v[d->id] : -1;
}
