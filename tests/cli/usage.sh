#!/bin/sh
# usage.sh — exit status 0 ok, 1 failure, 2 usage error; --help and
# --version everywhere.
. "$top_srcdir/tests/cli/lib.sh"
plan 16
expect_status 2 "no command" "$VMREPLAY"
expect_status 2 "unknown command" "$VMREPLAY" frobnicate
expect_status 0 "--help" "$VMREPLAY" --help
grep -q '^  import ' out.txt
ok $? "--help lists the commands"
expect_status 0 "--version" "$VMREPLAY" --version
grep -q '^vmreplay [0-9]' out.txt
ok $? "--version prints the version"
for c in import export traces sql help; do
	expect_status 0 "$c --help" "$VMREPLAY" $c --help
done
expect_status 2 "import csv without -o" "$VMREPLAY" import csv x.csv
expect_status 2 "import of an unknown source" "$VMREPLAY" import gopher x
expect_status 2 "unknown option" "$VMREPLAY" traces --bogus x.db
expect_status 1 "a missing database is a failure" "$VMREPLAY" traces missing.db
expect_stderr "vmreplay: missing.db: cannot open database (no such file or not readable)" \
	"the message names the database"
done_testing
