/* format.c — prints result tables as aligned text (like sqlite3 -box but
 * plain), CSV (RFC 4180) or JSON (an array of objects), for every command
 * that prints rows. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct rp_table {
	enum rp_format_kind kind;
	FILE *out;
	int ncols;
	char **names;
	/* table view: every cell is kept to compute column widths */
	char **cells;
	size_t nrows, cap;
	int json_rows;
};

int rp_format_parse(const char *s)
{
	if (!strcmp(s, "text") || !strcmp(s, "table"))
		return RP_FORMAT_TABLE;
	if (!strcmp(s, "csv"))
		return RP_FORMAT_CSV;
	if (!strcmp(s, "json"))
		return RP_FORMAT_JSON;
	return -1;
}

struct rp_table *rp_table_new(enum rp_format_kind kind, FILE *out)
{
	struct rp_table *t = calloc(1, sizeof *t);
	if (t) {
		t->kind = kind;
		t->out = out;
	}
	return t;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static bool same_columns(const struct rp_table *t, int ncols,
			 const char *const *names)
{
	if (t->ncols != ncols)
		return false;
	for (int i = 0; i < ncols; i++)
		if (strcmp(t->names[i], names[i] ? names[i] : ""))
			return false;
	return true;
}

static void flush_rows(struct rp_table *t);
static void free_rows(struct rp_table *t);

/* A new column set (the next statement of `vmreplay sql`) ends the current
 * table: text prints it and starts another, CSV writes a new header, JSON
 * closes the array and opens another. */
int rp_table_columns(struct rp_table *t, int ncols, const char *const *names)
{
	if (t->names) {
		if (same_columns(t, ncols, names))
			return 0;
		flush_rows(t);
		free_rows(t);
		if (t->kind == RP_FORMAT_TABLE)
			fputc('\n', t->out);
	}
	t->names = calloc((size_t)ncols, sizeof *t->names);
	if (!t->names)
		return -1;
	t->ncols = ncols;
	for (int i = 0; i < ncols; i++)
		t->names[i] = strdup(names[i] ? names[i] : "");
	return 0;
}

static void csv_cell(FILE *out, const char *v)
{
	if (!v)
		return;
	if (strpbrk(v, ",\"\r\n") == NULL) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', out);
		fputc(*v, out);
	}
	fputc('"', out);
}

static void json_string(FILE *out, const char *v)
{
	fputc('"', out);
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* A number in JSON's grammar (no leading zeros, no inf/nan). */
static bool is_json_number(const char *v)
{
	const char *p = v;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return false;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

static int keep_row(struct rp_table *t, const char *const *values)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **cells =
		    realloc(t->cells, cap * (size_t)t->ncols * sizeof *cells);
		if (!cells)
			return -1;
		t->cells = cells;
		t->cap = cap;
	}
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] =
		    dup_or_null(values[i]);
	t->nrows++;
	return 0;
}

int rp_table_row(struct rp_table *t, const char *const *values)
{
	switch (t->kind) {
	case RP_FORMAT_TABLE: return keep_row(t, values);
	case RP_FORMAT_CSV:
		if (t->nrows++ == 0) {
			for (int i = 0; i < t->ncols; i++) {
				if (i)
					fputc(',', t->out);
				csv_cell(t->out, t->names[i]);
			}
			fputc('\n', t->out);
		}
		for (int i = 0; i < t->ncols; i++) {
			if (i)
				fputc(',', t->out);
			csv_cell(t->out, values[i]);
		}
		fputc('\n', t->out);
		return ferror(t->out) ? -1 : 0;
	case RP_FORMAT_JSON:
		fputs(t->json_rows++ ? ",\n {" : "[\n {", t->out);
		for (int i = 0; i < t->ncols; i++) {
			if (i)
				fputs(", ", t->out);
			json_string(t->out, t->names[i]);
			fputs(": ", t->out);
			if (!values[i])
				fputs("null", t->out);
			else if (is_json_number(values[i]))
				fputs(values[i], t->out);
			else
				json_string(t->out, values[i]);
		}
		fputc('}', t->out);
		return ferror(t->out) ? -1 : 0;
	}
	return -1;
}

/* Right-align a column when every non-NULL cell is a number. */
static bool column_numeric(const struct rp_table *t, int col)
{
	for (size_t r = 0; r < t->nrows; r++) {
		const char *v = t->cells[r * (size_t)t->ncols + (size_t)col];
		if (v && *v && !is_json_number(v))
			return false;
	}
	return true;
}

static void print_cell(FILE *out, const char *v, int width, bool right,
		       bool last)
{
	if (right)
		fprintf(out, "%*s", width, v);
	else if (last)
		fputs(v, out);
	else
		fprintf(out, "%-*s", width, v);
	fputs(last ? "\n" : "  ", out);
}

static void print_table(struct rp_table *t)
{
	size_t *w = calloc((size_t)t->ncols, sizeof *w);
	bool *num = calloc((size_t)t->ncols, sizeof *num);
	if (!w || !num)
		goto out;
	for (int c = 0; c < t->ncols; c++) {
		w[c] = strlen(t->names[c]);
		num[c] = column_numeric(t, c);
		for (size_t r = 0; r < t->nrows; r++) {
			const char *v =
			    t->cells[r * (size_t)t->ncols + (size_t)c];
			if (v && strlen(v) > w[c])
				w[c] = strlen(v);
		}
	}
	for (int c = 0; c < t->ncols; c++)
		print_cell(t->out, t->names[c], (int)w[c], num[c],
			   c + 1 == t->ncols);
	for (int c = 0; c < t->ncols; c++) {
		for (size_t i = 0; i < w[c]; i++)
			fputc('-', t->out);
		fputs(c + 1 < t->ncols ? "  " : "\n", t->out);
	}
	for (size_t r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *v =
			    t->cells[r * (size_t)t->ncols + (size_t)c];
			bool last = c + 1 == t->ncols;
			print_cell(t->out, v ? v : "", (int)w[c], num[c], last);
		}
	}
out:
	free(w);
	free(num);
}

static void flush_rows(struct rp_table *t)
{
	if (t->kind == RP_FORMAT_TABLE && t->names)
		print_table(t);
	else if (t->kind == RP_FORMAT_JSON)
		fputs(t->json_rows ? "\n]\n" : "[]\n", t->out);
}

static void free_rows(struct rp_table *t)
{
	if (t->cells)
		for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
			free(t->cells[i]);
	free(t->cells);
	for (int i = 0; i < t->ncols; i++)
		free(t->names[i]);
	free(t->names);
	t->cells = NULL;
	t->names = NULL;
	t->ncols = 0;
	t->nrows = t->cap = 0;
	t->json_rows = 0;
}

int rp_table_finish(struct rp_table *t)
{
	flush_rows(t);
	fflush(t->out);
	return ferror(t->out) ? -1 : 0;
}

void rp_table_free(struct rp_table *t)
{
	if (!t)
		return;
	free_rows(t);
	free(t);
}

int rp_table_row_cb(int ncols, const char *const *names,
		    const char *const *values, void *arg)
{
	struct rp_table *t = arg;
	if (rp_table_columns(t, ncols, names))
		return -1;
	return rp_table_row(t, values);
}
