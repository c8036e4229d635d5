/* cmd-record.c — `vmreplay record SOURCE ...`: dispatches to the live
 * recorder of SOURCE (pcap, ftrace, proc), one file each. */
#include "builtin.h"

#include <string.h>

struct record_source {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct record_source sources[] = {
    {"pcap", cmd_record_pcap},
    {"ftrace", cmd_record_ftrace},
    {"proc", cmd_record_proc},
    {NULL, NULL},
};

int cmd_record(int argc, char **argv)
{
	const char *usage = vr_command_find("record")->usage;
	if (argc < 2)
		return vr_usage_error(usage, "record: which source?");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return vr_help(usage);
	for (const struct record_source *s = sources; s->name; s++)
		if (!strcmp(argv[1], s->name))
			return s->run(argc - 1, argv + 1);
	return vr_usage_error(usage, "record: unknown source '%s'", argv[1]);
}
