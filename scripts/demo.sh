#!/bin/sh
# demo.sh — the main job on the traces shipped in traces/: stores them in a
# new database (demo.db, or $1) and prints what is stored.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
vmreplay=${VMREPLAY:-$top/vmreplay}
db=${1:-demo.db}
rm -f "$db" "$db-wal" "$db-shm"
"$vmreplay" import csv "$top/traces/nfs-ipfrag-netrx.csv" -o "$db" --name nfs-ipfrag
echo "== traces in $db"
"$vmreplay" traces "$db"
echo
echo "== datagrams delivered to the NFS server, by size (bytes) and fragments"
"$vmreplay" sql "$db" "SELECT bytes, fragments, count(*) AS datagrams,
	round(100.0 * count(*) / (SELECT count(*) FROM net_rx), 1) AS pct
	FROM net_rx GROUP BY bytes, fragments ORDER BY datagrams DESC LIMIT 8"
