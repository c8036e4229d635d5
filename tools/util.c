/* util.c — what every vmreplay subcommand shares: error and usage output,
 * --help detection, the progress meter. */
#include "builtin.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int vr_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("vmreplay: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int vr_fail_err(const struct rp_error *err)
{
	return vr_fail("%s", err->msg[0] ? err->msg : "failed");
}

int vr_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;
	fputs("vmreplay: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	return EXIT_USAGE;
}

int vr_help(const char *usage)
{
	fputs(usage, stdout);
	return EXIT_OK;
}

bool vr_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

const char *vr_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static struct timespec progress_start;
static int progress_shown;

static double since_start(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - progress_start.tv_sec) +
	       (double)(now.tv_nsec - progress_start.tv_nsec) / 1e9;
}

void vr_progress(uint64_t done, uint64_t total, void *arg)
{
	const char *what = arg ? arg : "";
	if (progress_start.tv_sec == 0 && progress_start.tv_nsec == 0)
		clock_gettime(CLOCK_MONOTONIC, &progress_start);
	if (!isatty(STDERR_FILENO) || since_start() < 1.0)
		return;
	if (total)
		fprintf(stderr, "\r%s %3.0f%% (%.1f of %.1f MB)", what,
			100.0 * (double)done / (double)total,
			(double)done / 1e6, (double)total / 1e6);
	else
		fprintf(stderr, "\r%s %.1f MB", what, (double)done / 1e6);
	progress_shown = 1;
}

void vr_progress_end(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}
