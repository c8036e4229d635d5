#!/bin/sh
# install-deps.sh — installs, as root on Debian 12, every package vmreplay
# needs to build, test and record.  Safe to run again.
set -eu
PACKAGES="
build-essential autoconf automake libtool pkg-config autoconf-archive
libsqlite3-dev sqlite3 libcsv-dev libcmocka-dev libpcap-dev
libtracefs-dev libtraceevent-dev
clang clang-format
tcpdump tshark iproute2 ethtool
wireshark-common python3 nfs-ganesha nfs-ganesha-vfs rpcbind libnfs-dev libnfs-utils
"
missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
