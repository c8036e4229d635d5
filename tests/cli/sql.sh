#!/bin/sh
# sql.sh — `vmreplay sql`: table, CSV and JSON output; read-only unless
# --write; SQL errors are one line and exit 1.
. "$top_srcdir/tests/cli/lib.sh"
plan 9
"$VMREPLAY" import csv "$top_srcdir/traces/nfs-ipfrag-netrx.csv" -o lab.db --name nfs 2>/dev/null
q="SELECT fragments, count(*) AS datagrams, sum(bytes) AS bytes FROM net_rx GROUP BY fragments ORDER BY fragments"
expect_status 0 "table output" "$VMREPLAY" sql lab.db "$q"
expect_golden sql-table.txt "table output matches"
expect_status 0 "csv output" "$VMREPLAY" sql lab.db "$q" --csv
expect_golden sql-csv.txt "csv output matches"
expect_status 0 "json output" "$VMREPLAY" sql lab.db "$q; SELECT 'a\"b' AS s, NULL AS n" --json
expect_golden sql-json.txt "json output matches (two statements, quoting, null)"
expect_status 1 "a write without --write is refused" "$VMREPLAY" sql lab.db "DELETE FROM trace"
expect_status 0 "--write allows it" "$VMREPLAY" sql lab.db "CREATE TABLE note(t TEXT)" --write
expect_status 1 "a syntax error fails" "$VMREPLAY" sql lab.db "SELEC 1"
done_testing
