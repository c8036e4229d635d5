/* cmd-help.c — `vmreplay help [COMMAND]` and the command overview. */
#include "builtin.h"

#include <stdio.h>

void vr_print_overview(FILE *out)
{
	fprintf(out, "usage: vmreplay [--version] [--help] COMMAND [ARGS]\n\n"
		     "Record memory and IO traces, store them in SQLite, and "
		     "replay them\nagainst the Linux VM of 1998.\n\n"
		     "commands:\n");
	for (const struct vr_command *c = vr_commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n'vmreplay COMMAND --help' and 'man vmreplay-COMMAND' "
		     "tell more.\n");
}

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		vr_print_overview(stdout);
		return EXIT_OK;
	}
	const struct vr_command *c = vr_command_find(argv[1]);
	if (!c)
		return vr_fail("help: no command '%s'", argv[1]);
	printf("vmreplay %s — %s\n\n%s", c->name, c->summary, c->usage);
	printf("\nSee 'man vmreplay-%s'.\n", c->name);
	return EXIT_OK;
}
