#!/usr/bin/env bash
# tests/systemd/verify.sh: checks the systemd units in systemd/ offline.
# systemd-analyze verify must load pie.socket, pie.service and the
# tcp-database.conf drop-in without a single complaint, and the service's
# sandbox must keep its exposure score low.  verify needs the ExecStart
# binary to exist, so the units are copied to a scratch directory with
# ExecStart pointing at the pie-fcgi just built.  Skips (77) when
# systemd-analyze is not installed.
set -euo pipefail

src=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PIE_FCGI:-$PWD/pie-fcgi}
# Exposure above this (tenths: 20 is 2.0) fails the test.
threshold=20

command -v systemd-analyze >/dev/null 2>&1 ||
    { echo "SKIP: systemd-analyze is not installed"; exit 77; }
[ -x "$bin" ] || { echo "FAIL: no pie-fcgi at $bin"; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|^ExecStart=/usr/local/bin/pie-fcgi |ExecStart=$bin |" \
    "$src/systemd/pie.service" >"$work/pie.service"
grep -q "^ExecStart=$bin " "$work/pie.service" ||
    { echo "FAIL: pie.service has no ExecStart=/usr/local/bin/pie-fcgi"; \
    exit 1; }
cp "$src/systemd/pie.socket" "$work/"
mkdir "$work/pie.service.d"
cp "$src/systemd/tcp-database.conf" "$work/pie.service.d/"

# verify warns about unknown keys without failing: any output fails here.
status=0
for unit in pie.socket pie.service; do
	out=$(cd "$work" && SYSTEMD_UNIT_PATH="$work:" \
	    systemd-analyze verify "$unit" 2>&1) || status=1
	if [ -n "$out" ]; then
		printf '%s\n' "$out"
		status=1
	fi
done
[ "$status" -eq 0 ] || { echo "FAIL: systemd-analyze verify"; exit 1; }
echo "ok: systemd-analyze verify pie.socket pie.service"

# The sandbox of the unit as shipped, without the drop-in.
rm -r "$work/pie.service.d"
out=$(cd "$work" && systemd-analyze security --offline=yes \
    --threshold="$threshold" pie.service 2>&1) ||
    { printf '%s\n' "$out"; echo "FAIL: exposure above $threshold"; exit 1; }
printf '%s\n' "$out" | grep 'Overall exposure'

# The socket nginx connects to, as documented.
for want in 'ListenStream=/run/pie/pie.sock' 'SocketMode=0660' \
    'SocketUser=pie' 'SocketGroup=www-data'; do
	grep -qx "$want" "$src/systemd/pie.socket" ||
	    { echo "FAIL: pie.socket lacks $want"; exit 1; }
done
echo "ok: pie.socket"
