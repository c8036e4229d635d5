#!/bin/bash
# capture-nfs.sh — records real NFS traffic with `vmreplay record pcap`.
#
# Two network namespaces (server 198.51.100.1, client 198.51.100.2, TEST-NET-2,
# never routed outside them) joined by a veth pair with MTU 1500 and TSO/GSO
# off, so frames are wire-sized and 8 KiB NFS-over-UDP datagrams are IP
# fragmented as on a 1998 Ethernet.  Server: nfs-ganesha (userspace, FSAL VFS)
# with rpcbind, both in the server namespace on a private tmpfs /run.
# Client workload, run as the COMMAND of `vmreplay record pcap` in the client
# namespace: nfs-cat / nfs-cp (libnfs-utils, NFSv3 over TCP), then
# nfs-client-udp (traces/nfs-client-udp.c, NFSv3 over UDP) doing READS reads
# and WRITES writes of 8192 bytes; every transfer is checked by sha256.
# tcpdump writes the same traffic to a pcap file for comparison.
#
# usage: capture-nfs.sh [-r READS] [-w WRITES] [-t TCPKB] [-n NAME] [-Z USER] WORKDIR
#   WORKDIR gets capture.db (the trace), capture.pcap (tcpdump's copy),
#   record.log (vmreplay's summary), workload.txt (what was done), logs/.
#   Env: VMREPLAY (default: vmreplay in PATH), CC (default cc),
#        NFS_CLIENT_UDP (a built nfs-client-udp; default: built into WORKDIR).
# Needs root and the packages of scripts/install-deps.sh.  Everything it
# starts is stopped by PID and the namespaces are deleted on every exit path.
set -Eeuo pipefail
export LC_ALL=C
umask 022

READS=64 WRITES=32 TCPKB=256 NAME=nfs-live RUNAS=""
usage() { echo "usage: $0 [-r READS] [-w WRITES] [-t TCPKB] [-n NAME] [-Z USER] WORKDIR" >&2; exit 2; }
while getopts r:w:t:n:Z: opt; do
	case $opt in
	r) READS=$OPTARG ;; w) WRITES=$OPTARG ;; t) TCPKB=$OPTARG ;;
	n) NAME=$OPTARG ;; Z) RUNAS=$OPTARG ;; *) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
[ "$(id -u)" = 0 ] || { echo "capture-nfs: must run as root" >&2; exit 2; }
mkdir -p "$1"
W=$(cd "$1" && pwd)
case $W in *[!A-Za-z0-9/._-]*) echo "capture-nfs: WORKDIR must be URL-safe: $W" >&2; exit 2 ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
VMREPLAY=${VMREPLAY:-vmreplay}
for t in ip ethtool tcpdump ganesha.nfsd rpcbind rpcinfo nsenter nfs-cat nfs-cp sha256sum; do
	command -v "$t" >/dev/null || { echo "capture-nfs: $t not found (scripts/install-deps.sh)" >&2; exit 1; }
done

SRV=198.51.100.1 CLI=198.51.100.2
NS_S=vmrp-srv-$$ NS_C=vmrp-cli-$$ VE_S=vmrps$$ VE_C=vmrpc$$
LOGS=$W/logs EXPORT=$W/export
declare -A PIDS=()
NETNS_WAS_MOUNTED=0
mountpoint -q /run/netns 2>/dev/null && NETNS_WAS_MOUNTED=1

running() { [ -n "$1" ] && [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
# stop NAME SIGNAL: signal the process we started, give it 10 s, then KILL; reap it
stop() {
	local pid=${PIDS[$1]:-} i
	[ -n "$pid" ] || return 0
	if running "$pid"; then
		kill "-$2" "$pid" 2>/dev/null || true
		for i in $(seq 100); do running "$pid" || break; sleep 0.1; done
		if running "$pid"; then
			echo "capture-nfs: $1 ($pid) ignored SIG$2, killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	wait "$pid" 2>/dev/null || true
	unset "PIDS[$1]"
}
cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	stop vmreplay TERM
	stop tcpdump INT
	stop ganesha TERM
	stop rpcbind TERM
	for ns in "$NS_C" "$NS_S"; do
		[ -e "/run/netns/$ns" ] && ip netns del "$ns"
	done
	if [ $NETNS_WAS_MOUNTED = 0 ] && mountpoint -q /run/netns && [ -z "$(ls -A /run/netns)" ]; then
		umount /run/netns
	fi
	rm -rf "$EXPORT"
	[ $rc = 0 ] || echo "capture-nfs: failed (status $rc); logs in $LOGS" >&2
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$LOGS" "$EXPORT" "$W/state" "$W/capture.db" "$W/capture.db-wal" "$W/capture.db-shm" "$W/capture.pcap"
mkdir -p "$LOGS" "$EXPORT" "$W/state"

# ------------------------------------------------------------ the client
UDPCLIENT=${NFS_CLIENT_UDP:-}
if [ -z "$UDPCLIENT" ]; then
	UDPCLIENT=$W/nfs-client-udp
	${CC:-cc} -O2 -o "$UDPCLIENT" "$HERE/nfs-client-udp.c" -lnfs 2>"$LOGS/cc.log" ||
		{ cat "$LOGS/cc.log" >&2; exit 1; }
fi

# ------------------------------------------------------------ the network
ip netns add "$NS_S"
ip netns add "$NS_C"
ip link add "$VE_S" netns "$NS_S" type veth peer name "$VE_C" netns "$NS_C"
for side in "$NS_S $VE_S $SRV" "$NS_C $VE_C $CLI"; do
	set -- $side
	ip -n "$1" link set lo up
	ip -n "$1" link set "$2" mtu 1500 up
	ip -n "$1" addr add "$3/24" dev "$2"
	ip netns exec "$1" ethtool -K "$2" tso off gso off >/dev/null 2>&1 || true
done

# ------------------------------------------------------------ the server
head -c $((READS * 8192)) /dev/urandom >"$EXPORT/udp-read.bin"
head -c $((TCPKB * 1024)) /dev/urandom >"$EXPORT/tcp-read.bin"
head -c $((WRITES * 8192)) /dev/urandom >"$W/udp-write.src"
head -c $((TCPKB * 1024)) /dev/urandom >"$W/tcp-write.src"
cat >"$W/ganesha.conf" <<CONF
# nfs-ganesha for capture-nfs.sh: NFSv3 only, UDP and TCP, 8 KiB transfers
NFS_CORE_PARAM {
	Bind_addr = $SRV;
	NFS_Port = 2049;
	MNT_Port = 20048;
	Protocols = 3;
	Enable_UDP = true;
	Enable_NLM = false;
	Enable_RQUOTA = false;
}
NFSV4 { Graceless = true; RecoveryRoot = $W/state; }
EXPORT {
	Export_Id = 7;
	Path = $EXPORT;
	Pseudo = /capture;
	Protocols = 3;
	Transports = UDP, TCP;
	Access_Type = RW;
	Squash = No_Root_Squash;
	SecType = sys;
	MaxRead = 8192; PrefRead = 8192; MaxWrite = 8192; PrefWrite = 8192;
	FSAL { Name = VFS; }
}
LOG { Default_Log_Level = EVENT; }
CONF
# rpcbind keeps its socket and lock under /run: give it a private tmpfs there
# (ip netns exec already runs it in a private mount namespace)
ip netns exec "$NS_S" sh -c 'mount -t tmpfs -o size=1m,mode=755 vmrp-run /run && mkdir /run/ganesha && exec rpcbind -f' \
	>"$LOGS/rpcbind.log" 2>&1 &
PIDS[rpcbind]=$!
for i in $(seq 50); do [ -S "/proc/${PIDS[rpcbind]}/root/run/rpcbind.sock" ] && break; sleep 0.1; done
[ -S "/proc/${PIDS[rpcbind]}/root/run/rpcbind.sock" ] || { echo "capture-nfs: rpcbind did not start" >&2; exit 1; }
# ganesha joins rpcbind's mount and network namespaces; -F: no daemonising
nsenter --target "${PIDS[rpcbind]}" --mount --net -- ganesha.nfsd -F -f "$W/ganesha.conf" \
	-L "$LOGS/ganesha.log" -p /run/ganesha/ganesha.pid -N NIV_EVENT >"$LOGS/ganesha.out" 2>&1 &
PIDS[ganesha]=$!
up=0
for i in $(seq 100); do
	running "${PIDS[ganesha]}" || break
	if ip netns exec "$NS_C" rpcinfo -T udp $SRV 100003 3 >/dev/null 2>&1 &&
		ip netns exec "$NS_C" rpcinfo -T tcp $SRV 100003 3 >/dev/null 2>&1 &&
		ip netns exec "$NS_C" rpcinfo -T udp $SRV 100005 3 >/dev/null 2>&1; then
		up=1
		break
	fi
	sleep 0.2
done
[ $up = 1 ] || { echo "capture-nfs: nfs-ganesha did not come up" >&2; tail -5 "$LOGS/ganesha.log" >&2; exit 1; }

# ------------------------------------------------------------ the workload
# NFSv3 mounts name the export by its Path (the Pseudo path is for v4)
URL="nfs://$SRV$EXPORT"
cat >"$W/workload.sh" <<WORK
#!/bin/sh
# run by vmreplay record pcap in the client namespace
set -e
sha() { sha256sum <"\$1" | cut -c1-64; }
nfs-cat "$URL/tcp-read.bin?version=3" >"$W/tcp-read.out"
[ "\$(sha "$W/tcp-read.out")" = "\$(sha "$EXPORT/tcp-read.bin")" ]
nfs-cp "$W/tcp-write.src" "$URL/tcp-write.bin?version=3" >/dev/null
[ "\$(sha "$EXPORT/tcp-write.bin")" = "\$(sha "$W/tcp-write.src")" ]
"$UDPCLIENT" $SRV $EXPORT udp-read.bin read $((READS * 8192)) >"$W/udp-read.out"
[ "\$(sha "$W/udp-read.out")" = "\$(sha "$EXPORT/udp-read.bin")" ]
"$UDPCLIENT" $SRV $EXPORT udp-write.bin write $((WRITES * 8192)) <"$W/udp-write.src"
[ "\$(sha "$EXPORT/udp-write.bin")" = "\$(sha "$W/udp-write.src")" ]
sleep 0.3
WORK
# tcpdump's copy of the same traffic
ip netns exec "$NS_C" tcpdump -i "$VE_C" -n -s 0 -B 65536 --immediate-mode -U -w "$W/capture.pcap" \
	>"$LOGS/tcpdump.log" 2>&1 &
PIDS[tcpdump]=$!
for i in $(seq 50); do grep -q 'listening on' "$LOGS/tcpdump.log" && break; sleep 0.1; done
grep -q 'listening on' "$LOGS/tcpdump.log" || { echo "capture-nfs: tcpdump did not start" >&2; exit 1; }

zopt=()
[ -n "$RUNAS" ] && zopt=(-Z "$RUNAS")
ip netns exec "$NS_C" "$VMREPLAY" record pcap -i "$VE_C" -o "$W/capture.db" --name "$NAME" \
	--host $CLI "${zopt[@]}" -- sh "$W/workload.sh" >"$W/record.log" 2>&1 &
PIDS[vmreplay]=$!
rc=0
wait "${PIDS[vmreplay]}" || rc=$?
unset "PIDS[vmreplay]"
sleep 0.5
stop tcpdump INT
cat "$W/record.log" >&2
[ $rc = 0 ] || { echo "capture-nfs: vmreplay record pcap failed (status $rc)" >&2; exit 1; }
cat >"$W/workload.txt" <<INFO
udp_reads=$READS
udp_writes=$WRITES
transfer=8192
tcp_kb=$TCPKB
server=$SRV
client=$CLI
INFO
stop ganesha TERM
stop rpcbind TERM
echo "capture-nfs: ok: $W/capture.db (trace '$NAME'), $W/capture.pcap" >&2
