/* cmd-kernel.h — helpers shared by the kernel recorder subcommands
 * (cmd-record-ftrace.c, cmd-record-proc.c, cmd-import-text.c). */
#ifndef VMREPLAY_CMD_KERNEL_H
#define VMREPLAY_CMD_KERNEL_H

#include "builtin.h"
#include "libreplay-kernel.h"

#include <signal.h>
#include <stdint.h>

/* SIGINT, SIGTERM, SIGHUP set *flag (no SA_RESTART: sleeps wake up). */
void vr_kcatch_signals(volatile sig_atomic_t *flag);
/* A rp_warn_cb printing "vmreplay: MSG" on stderr. */
void vr_kwarn(const char *msg, void *arg);

int cmd_record_ftrace(int argc, char **argv);
int cmd_record_proc(int argc, char **argv);
int cmd_import_ftrace(int argc, char **argv);
int cmd_import_perf(int argc, char **argv);
int cmd_import_mtrace(int argc, char **argv);
int cmd_import_proc(int argc, char **argv);

#endif
