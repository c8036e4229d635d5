/* vmreplay.c — the vmreplay command: global options and the table of
 * subcommands, each in its own tools/cmd-*.c file. */
#include "builtin.h"

#include <stdio.h>
#include <string.h>

#define USAGE_IMPORT                                                           \
	"usage: vmreplay import SOURCE FILE... -o DB [--name NAME] ...\n"      \
	"  csv     native event CSV, or MSR Cambridge block traces\n"          \
	"  pcap    pcap/pcapng captures: IP reassembly, RPC and NFS\n"         \
	"  ftrace  ftrace text (trace, trace_pipe, trace-cmd report)\n"        \
	"  perf    perf script output of kmem/vmscan tracepoints\n"            \
	"  mtrace  glibc mtrace logs\n"                                        \
	"  proc    saved /proc buddyinfo, pagetypeinfo, vmstat, meminfo\n"     \
	"'vmreplay import SOURCE --help' tells more.\n"
#define USAGE_RECORD                                                           \
	"usage: vmreplay record SOURCE -o DB [--name NAME] ... [-- COMMAND]\n" \
	"  pcap    live packets with libpcap (-i IFACE)\n"                     \
	"  ftrace  live kernel tracepoints (kmem, vmscan, filemap, block, "    \
	"net)\n"                                                               \
	"  proc    /proc memory state sampled at an interval\n"                \
	"'vmreplay record SOURCE --help' tells more.\n"

const struct vr_command vr_commands[] = {
    {"import", cmd_import, "store a file as a trace", USAGE_IMPORT},
    {"record", cmd_record, "record a live system into a trace", USAGE_RECORD},
    {"export", cmd_export, "write a trace as native CSV",
     "usage: vmreplay export csv DB --trace NAME [-o FILE]\n"},
    {"merge", cmd_merge, "interleave stored traces into a new one",
     "usage: vmreplay merge DB --trace A --trace B[@SHIFT] ... --name C "
     "[--absolute]\n"},
    {"traces", cmd_traces, "list the traces in a database",
     "usage: vmreplay traces DB [--format text|csv|json]\n"
     "       vmreplay traces DB --delete NAME\n"},
    {"sql", cmd_sql, "run SQL on a database",
     "usage: vmreplay sql DB 'SELECT ...' [--csv | --json] [--write]\n"},
    {"replay", cmd_replay, "replay a trace through 1998 kernels",
     "usage: vmreplay replay DB --trace NAME --kernel K,... --mem S,... "
     "[OPTIONS]\n       vmreplay replay --list-kernels [--verbose]\n"},
    {"report", cmd_report, "show runs and their metrics",
     "usage: vmreplay report DB [--run N] [--format text|csv|json]\n"},
    {"compare", cmd_compare, "kernels x memory sizes for one trace",
     "usage: vmreplay compare DB --trace NAME [--format text|csv|json]\n"},
    {"help", cmd_help, "show help for a command",
     "usage: vmreplay help [COMMAND]\n"},
    {NULL, NULL, NULL, NULL},
};

const struct vr_command *vr_command_find(const char *name)
{
	for (const struct vr_command *c = vr_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	rp_store_process_init();
	if (argc < 2) {
		vr_print_overview(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("vmreplay %s (schema %d)\n", rp_version(),
		       rp_store_schema_version());
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		vr_print_overview(stdout);
		return EXIT_OK;
	}
	const struct vr_command *c = vr_command_find(argv[1]);
	if (!c) {
		fprintf(stderr, "vmreplay: '%s' is not a command\n", argv[1]);
		vr_print_overview(stderr);
		return EXIT_USAGE;
	}
	if (vr_wants_help(argc - 1, argv + 1) && c->run != cmd_import &&
	    c->run != cmd_record && c->run != cmd_replay)
		return vr_help(c->usage);
	return c->run(argc - 1, argv + 1);
}
