#!/bin/sh
# corpus-csv.sh — every file in the shared corpus csv/ imports (MSR format,
# no header) with one event per line.
. "$top_srcdir/tests/cli/lib.sh"
files=$(ls "$SHARED"/corpus/csv/*.csv)
plan $(($(echo "$files" | wc -l) * 2))
for f in $files; do
	name=$(basename "$f" .csv)
	expect_status 0 "import $name" "$VMREPLAY" import csv "$f" --format msr -o lab.db --name "$name"
	lines=$(wc -l <"$f")
	n=$("$VMREPLAY" sql lab.db "SELECT events FROM trace WHERE name='$name'" --csv | tail -1)
	[ "$n" -eq "$lines" ]
	ok $? "$name: $n events for $lines lines"
done
done_testing
