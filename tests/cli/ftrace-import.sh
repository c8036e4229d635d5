#!/bin/sh
# ftrace-import.sh — `vmreplay import ftrace` and `import perf` of the shared
# corpus (real mailing-list traces) and of made-up lines: event counts,
# unknown events counted, malformed lines warned with FILE:LINE and skipped,
# --strict failing without leaving a trace, a 'captured' run from reclaim.
. "$top_srcdir/tests/cli/lib.sh"
q() { "$VMREPLAY" sql lab.db "$1" --csv | tail -1; }
C=$SHARED/corpus/ftrace
plan 21

expect_status 0 "import the mm_page_alloc excerpt" "$VMREPLAY" import ftrace "$C/mm_page_alloc_trace-excerpt_lkml-20200613-jaewon-kim.txt" -o lab.db --name alloc
[ "$(q "SELECT count(*) FROM page_alloc WHERE trace='alloc'")" = 8 ]
ok $? "8 page_alloc events"
[ "$(q "SELECT count(*) FROM mark WHERE trace='alloc' AND flags & 255 = 7")" = 1 ]
ok $? "the failed allocation (page= (null)) is a mark"
[ "$(q "SELECT gfp FROM page_alloc WHERE trace='alloc' LIMIT 1")" = GFP_USER ]
ok $? "GFP_HIGHUSER|__GFP_ZERO maps to GFP_USER"
[ "$(q "SELECT s.value FROM events e JOIN trace t ON t.name=e.trace JOIN trace_stat s ON s.trace_id=t.id AND s.key='gfp.' || (e.flags >> 8) WHERE e.trace='alloc' AND e.kind='page_alloc' LIMIT 1")" = "GFP_HIGHUSER|__GFP_ZERO" ]
ok $? "the original gfp string is kept (trace_stat gfp.N)"

expect_status 0 "import the memcg shrink excerpt" "$VMREPLAY" import ftrace "$C/vmscan-memcg-shrink_trace-excerpt_cgroups-ml-20231123.txt" -o lab.db --name shrink --kernel 6.7-rc2
[ "$(q "SELECT count(*) FROM reclaim_end WHERE trace='shrink'")" = 6 ]
ok $? "6 reclaim begin/end pairs"
[ "$(q "SELECT group_concat(count, '/') FROM reclaim_end WHERE trace='shrink'")" = "0/1/4/11/25/53" ]
ok $? "nr_reclaimed is the count of reclaim_end"
[ "$(q "SELECT r.kind || '/' || r.kernel FROM run r JOIN trace t ON t.id=r.trace_id WHERE t.name='shrink'")" = "captured/6.7-rc2" ]
ok $? "a captured run is stored"

expect_status 0 "import the sunrpc trace_pipe (no kmem events)" "$VMREPLAY" import ftrace "$C/sunrpc-trace_pipe_linux-nfs-ml-20210608.txt" -o lab.db --name rpc
[ "$(q "SELECT value FROM trace_stat s JOIN trace t ON t.id=s.trace_id WHERE t.name='rpc' AND key='unknown_events'")" = 23 ]
ok $? "23 unknown events counted, not fatal"

# a malformed line: warned with file:line and skipped
{ head -3 "$C/mm_page_alloc_trace-excerpt_lkml-20200613-jaewon-kim.txt"; echo "garbage line"; } >bad.txt
expect_status 0 "a malformed line is skipped" "$VMREPLAY" import ftrace bad.txt -o lab.db --name bad
grep -q "bad.txt:4: no \[CPU\] field" err.txt
ok $? "the warning names file and line"
expect_status 1 "--strict fails on it" "$VMREPLAY" import ftrace bad.txt -o lab.db --name bad2 --strict
[ "$(q "SELECT count(*) FROM trace WHERE name='bad2'")" = 0 ]
ok $? "and leaves no trace behind"

cat >perf.txt <<'PERF'
# captured on    : Tue Nov 26 09:00:00 2024
 python3  5053 [000]   710.072847:   kmem:mm_page_alloc: page=0x2b664b pfn=0x2b664b order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP
 python3  5053 [000]   710.072900:   kmem:mm_page_free: page=0x2b664b pfn=0x2b664b order=0
      dd  6215 [001]   710.100000:   vmscan:mm_vmscan_direct_reclaim_begin: order=0 gfp_flags=GFP_KERNEL
      dd  6215 [001]   710.104000:   vmscan:mm_vmscan_direct_reclaim_end: nr_reclaimed=32
PERF
expect_status 0 "import perf script output" "$VMREPLAY" import perf perf.txt -o lab.db --name perf
[ "$(q "SELECT count(*) FROM events WHERE trace='perf'")" = 4 ]
ok $? "4 events from perf script"
[ "$(q "SELECT s.latency_ns || '/' || s.path FROM run_stall s JOIN run r ON r.id=s.run_id JOIN trace t ON t.id=r.trace_id WHERE t.name='perf'")" = "4000000/direct" ]
ok $? "the direct-reclaim stall has its latency"

# A page-cache page reported twice (mm_page_alloc, then
# mm_filemap_add_to_page_cache of the same pfn) is one file_read: the
# page_alloc becomes a mark, also when the importer's batch of 4096 events
# ends between the two.
awk 'function alloc(ts, pfn) {
	printf "   dd-6215 (   6215) [000] ..... %d.%06d: mm_page_alloc: page=0x%x pfn=0x%x order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE\n", 900 + int(ts / 1000000), ts % 1000000, pfn, pfn
}
function add(ts, pfn, ofs) {
	printf "   dd-6215 (   6215) [000] ..... %d.%06d: mm_filemap_add_to_page_cache: dev 254:1 ino 1a2b pfn=0x%x ofs=%d order=0\n", 900 + int(ts / 1000000), ts % 1000000, pfn, ofs
}
BEGIN {
	for (i = 1; i <= 100; i++) alloc(i, 4096 + i)
	alloc(101, 99001); add(102, 99001, 0)     # inside one batch
	for (i = 103; i < 4095; i++) alloc(i, 4096 + i)
	alloc(4095, 99002)                        # the last events of the batch
	for (i = 4096; i < 4100; i++) alloc(i, 4096 + i)
	add(4100, 99002, 4096)                    # the first of the next one
}' >fold.txt
expect_status 0 "import page-cache pages reported twice" "$VMREPLAY" import ftrace fold.txt -o lab.db --name fold
[ "$(q "SELECT count(*) FROM page_alloc WHERE trace='fold' AND obj IN (99001, 99002)")" = 0 ]
ok $? "neither page_alloc of a page-cache page is kept, across the batch end too"
[ "$(q "SELECT value FROM trace_stat s JOIN trace t ON t.id=s.trace_id WHERE t.name='fold' AND key='pagecache_pages_folded'")/$(q "SELECT count(*) FROM file_read WHERE trace='fold'")/$(q "SELECT count(*) FROM page_alloc WHERE trace='fold'")" = 2/2/4096 ]
ok $? "2 folded, 2 file_read, 4096 page_alloc left"
done_testing
