/* event.c — names and values of the event model (design.md §3): kinds,
 * columns, 1998 GFP classes (vm1998-model.md §4.1). */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[RP_KIND_COUNT] = {
    [RP_PAGE_ALLOC] = "page_alloc",   [RP_PAGE_FREE] = "page_free",
    [RP_KMALLOC] = "kmalloc",	      [RP_KFREE] = "kfree",
    [RP_NET_RX] = "net_rx",	      [RP_FILE_READ] = "file_read",
    [RP_FILE_WRITE] = "file_write",   [RP_BLK_READ] = "blk_read",
    [RP_BLK_WRITE] = "blk_write",     [RP_ANON_TOUCH] = "anon_touch",
    [RP_TASK_EXIT] = "task_exit",     [RP_RECLAIM_BEGIN] = "reclaim_begin",
    [RP_RECLAIM_END] = "reclaim_end", [RP_MARK] = "mark",
};

static const char *const column_names[RP_NCOLUMNS] = {
    "ts_ns", "kind",   "task",	"obj", "order", "bytes", "gfp",
    "file",  "offset", "count", "dev", "block", "flags",
};

static const char *const gfp_class_names[] = {
    [RP_GFP_ATOMIC] = "GFP_ATOMIC", [RP_GFP_KERNEL] = "GFP_KERNEL",
    [RP_GFP_USER] = "GFP_USER",	    [RP_GFP_BUFFER] = "GFP_BUFFER",
    [RP_GFP_NFS] = "GFP_NFS",
};

static bool token_is(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(s, name, len) == 0;
}

const char *rp_kind_name(int kind)
{
	if (kind <= 0 || kind >= RP_KIND_COUNT)
		return NULL;
	return kind_names[kind];
}

int rp_kind_parse(const char *s, size_t len)
{
	for (int k = 1; k < RP_KIND_COUNT; k++)
		if (token_is(s, len, kind_names[k]))
			return k;
	return -1;
}

const char *rp_column_name(int col)
{
	if (col < 0 || col >= RP_NCOLUMNS)
		return NULL;
	return column_names[col];
}

int rp_column_parse(const char *s, size_t len)
{
	for (int c = 0; c < RP_NCOLUMNS; c++)
		if (token_is(s, len, column_names[c]))
			return c;
	return -1;
}

const char *rp_gfp_format(int gfp, char *buf, size_t size)
{
	int cls = gfp & RP_GFP_CLASS_MASK;
	const char *name = cls >= RP_GFP_ATOMIC && cls <= RP_GFP_NFS
			       ? gfp_class_names[cls]
			       : NULL;
	if (name && (gfp & RP_GFP_DMA))
		snprintf(buf, size, "%s|__GFP_DMA", name);
	else if (name)
		snprintf(buf, size, "%s", name);
	else if (gfp & RP_GFP_DMA)
		snprintf(buf, size, "__GFP_DMA");
	else
		snprintf(buf, size, "%s", "");
	return buf;
}

/* "GFP_KERNEL", "GFP_ATOMIC|__GFP_DMA", "__GFP_DMA|GFP_USER", "GFP_DMA". */
int rp_gfp_parse(const char *s, size_t len)
{
	int gfp = 0;
	size_t i = 0;

	if (len == 0)
		return -1;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != '|')
			j++;
		const char *tok = s + i;
		size_t tlen = j - i;
		while (tlen && tok[0] == ' ')
			tok++, tlen--;
		while (tlen && tok[tlen - 1] == ' ')
			tlen--;
		int found = -1;
		if (token_is(tok, tlen, "__GFP_DMA") ||
		    token_is(tok, tlen, "GFP_DMA"))
			found = RP_GFP_DMA;
		for (int c = RP_GFP_ATOMIC; c <= RP_GFP_NFS && found < 0; c++)
			if (token_is(tok, tlen, gfp_class_names[c]))
				found = c;
		if (found < 0)
			return -1;
		if (found != RP_GFP_DMA && (gfp & RP_GFP_CLASS_MASK))
			return -1; /* two classes */
		gfp |= found;
		i = j + 1;
	}
	return gfp;
}

int64_t rp_event_get(const struct rp_event *ev, int col)
{
	switch (col) {
	case RP_COL_TS: return ev->ts_ns;
	case RP_COL_KIND: return ev->kind;
	case RP_COL_TASK: return ev->task;
	case RP_COL_OBJ: return ev->obj;
	case RP_COL_ORDER: return ev->order;
	case RP_COL_BYTES: return ev->bytes;
	case RP_COL_GFP: return ev->gfp;
	case RP_COL_FILE: return ev->file;
	case RP_COL_OFFSET: return ev->offset;
	case RP_COL_COUNT: return ev->count;
	case RP_COL_DEV: return ev->dev;
	case RP_COL_BLOCK: return ev->block;
	case RP_COL_FLAGS: return ev->flags;
	default: return 0;
	}
}

void rp_event_set(struct rp_event *ev, int col, int64_t v)
{
	switch (col) {
	case RP_COL_TS: ev->ts_ns = v; break;
	case RP_COL_KIND: ev->kind = (uint8_t)v; break;
	case RP_COL_TASK: ev->task = v; break;
	case RP_COL_OBJ: ev->obj = v; break;
	case RP_COL_ORDER: ev->order = (int8_t)v; break;
	case RP_COL_BYTES: ev->bytes = v; break;
	case RP_COL_GFP: ev->gfp = (uint8_t)v; break;
	case RP_COL_FILE: ev->file = v; break;
	case RP_COL_OFFSET: ev->offset = v; break;
	case RP_COL_COUNT: ev->count = v; break;
	case RP_COL_DEV: ev->dev = v; break;
	case RP_COL_BLOCK: ev->block = v; break;
	case RP_COL_FLAGS: ev->flags = v; break;
	default: return;
	}
	ev->present |= RP_HAS(col);
}
