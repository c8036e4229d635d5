# lib.sh — TAP helpers for the CLI tests (sourced).  Each test script gets
# $VMREPLAY, $top_srcdir and $VMREPLAY_SHARED from `make check` and works in
# a temporary directory removed on every exit path.
set -u
: "${VMREPLAY:?run through make check}"
: "${top_srcdir:?run through make check}"
SHARED=${VMREPLAY_SHARED:-$top_srcdir/../shared}
GOLDEN=$top_srcdir/tests/golden
TMP=$(mktemp -d /tmp/vmreplay-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
cd "$TMP" || exit 1
tap_n=0
tap_failed=0

plan() { echo "1..$1"; }

ok() { # ok STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=1
	fi
}

# expect_status WANT DESCRIPTION COMMAND...: runs COMMAND, checks its exit status
expect_status() {
	want=$1 desc=$2
	shift 2
	"$@" >out.txt 2>err.txt
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "# exit status $got, expected $want: $*"
		sed 's/^/# stderr: /' err.txt | head -5
	fi
	ok $((got != want)) "$desc"
}

# expect_golden NAME DESCRIPTION: compares out.txt with tests/golden/NAME;
# VMREPLAY_BLESS=1 rewrites the golden file instead.
expect_golden() {
	if [ "${VMREPLAY_BLESS:-0}" = 1 ]; then
		cp out.txt "$GOLDEN/$1"
	fi
	if diff -u "$GOLDEN/$1" out.txt >diff.txt 2>&1; then
		ok 0 "$2"
	else
		sed 's/^/# /' diff.txt | head -20
		ok 1 "$2"
	fi
}

# expect_stderr TEXT DESCRIPTION: err.txt is exactly TEXT
expect_stderr() {
	if [ "$(cat err.txt)" = "$1" ]; then
		ok 0 "$2"
	else
		echo "# stderr: $(cat err.txt)"
		echo "# wanted: $1"
		ok 1 "$2"
	fi
}

done_testing() { exit $tap_failed; }
