/* builtin.h — the vmreplay subcommands (one file each, git/perf style) and
 * the helpers they share.  Exit status: 0 ok, 1 failure, 2 usage error. */
#ifndef VMREPLAY_BUILTIN_H
#define VMREPLAY_BUILTIN_H

#include "libreplay.h"

#include <stdbool.h>
#include <stdio.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct vr_command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;
	const char *usage;
};

/* The command table (vmreplay.c). */
extern const struct vr_command vr_commands[];
const struct vr_command *vr_command_find(const char *name);
/* The list of commands (cmd-help.c). */
void vr_print_overview(FILE *out);

int cmd_help(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_traces(int argc, char **argv);
int cmd_sql(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* sources of `vmreplay import SOURCE ...` and `vmreplay record SOURCE` */
int cmd_import_csv(int argc, char **argv);
int cmd_import_pcap(int argc, char **argv);
int cmd_record_pcap(int argc, char **argv);
int cmd_import_ftrace(int argc, char **argv);
int cmd_import_perf(int argc, char **argv);
int cmd_import_mtrace(int argc, char **argv);
int cmd_import_proc(int argc, char **argv);
int cmd_record_ftrace(int argc, char **argv);
int cmd_record_proc(int argc, char **argv);

/* util.c */
/* Prints "vmreplay: MSG" to stderr; returns EXIT_FAIL. */
int vr_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the error of a library call; returns EXIT_FAIL. */
int vr_fail_err(const struct rp_error *err);
/* Prints "vmreplay CMD: MSG" and the usage to stderr; returns EXIT_USAGE. */
int vr_usage_error(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints usage to stdout; returns EXIT_OK (for --help). */
int vr_help(const char *usage);
/* True when argv holds -h or --help before any "--". */
bool vr_wants_help(int argc, char **argv);
/* The file name of a path, the default name of an imported trace. */
const char *vr_base_name(const char *path);
/* A progress meter on stderr, shown only on a TTY and after one second. */
void vr_progress(uint64_t done, uint64_t total, void *arg);
void vr_progress_end(void);

#endif
