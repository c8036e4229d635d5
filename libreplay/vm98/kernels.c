/*
 * kernels.c — the registry: every kernel of spec §12–§13, one const ops
 * table each (kernel-*.c).  Adding a kernel is one file plus one line here.
 */
#include "vm98-internal.h"

#include <string.h>

static const struct vm98_kernel *const kernels[] = {
    &vm98_kernel_2_0_33, &vm98_kernel_2_1_88,	     &vm98_kernel_2_1_89pre1,
    &vm98_kernel_2_1_89, &vm98_kernel_2_1_90,	     &vm98_kernel_rik,
    &vm98_kernel_linus,	 &vm98_kernel_linus_origfma, &vm98_kernel_2_1_91pre1,
    &vm98_kernel_2_1_91, &vm98_kernel_2_1_92,	     &vm98_kernel_2_2_0,
    &vm98_kernel_sct,	 &vm98_kernel_sct_kswiod,
};

int vm98_kernel_count(void)
{
	return (int)(sizeof(kernels) / sizeof(kernels[0]));
}

const struct vm98_kernel *vm98_kernel_at(int i)
{
	return i >= 0 && i < vm98_kernel_count() ? kernels[i] : NULL;
}

const struct vm98_kernel *vm98_kernel_find(const char *name)
{
	for (int i = 0; i < vm98_kernel_count(); i++)
		if (strcmp(kernels[i]->name, name) == 0)
			return kernels[i];
	return NULL;
}

const char *vm98_kernel_name(const struct vm98_kernel *k)
{
	return k->name;
}

const char *vm98_kernel_desc(const struct vm98_kernel *k)
{
	return k->desc;
}

int vm98_kernel_nparams(const struct vm98_kernel *k)
{
	return k->nparams;
}

const struct vm98_param *vm98_kernel_param(const struct vm98_kernel *k, int i)
{
	return i >= 0 && i < k->nparams ? &k->params[i] : NULL;
}
