#!/usr/bin/env bash
# tests/handover/sockets.sh: pie-fcgi serves on a socket handed over to
# it, as well as on its own: by spawn-fcgi (the socket on standard input)
# and by systemd socket activation (LISTEN_FDS, tried with
# systemd-socket-activate).  Each pool is asked for /healthz over raw
# FastCGI with cgi-fcgi, then stopped with SIGTERM.  pie-fcgi closes the
# descriptors it inherits, except the ones it is handed: under spawn-fcgi
# it must also have closed a stray one (systemd-socket-activate closes
# strays itself before it starts pie-fcgi).  Needs the stack's
# configuration (scripts/test provides it); skipped without one.
set -euo pipefail

if [ -z "${PIE_STACK_DIR:-}" ] || [ ! -f "$PIE_STACK_DIR/etc/pie.conf" ]; then
	echo "no stack: run scripts/test" >&2
	exit 77
fi
for tool in spawn-fcgi cgi-fcgi; do
	command -v "$tool" >/dev/null || { echo "no $tool" >&2; exit 77; }
done
bin=${PIE_FCGI_BIN:-$PWD/pie-fcgi}
[ -x "$bin" ] || bin=$PIE_STACK_DIR/build/pie-fcgi
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# The stack's configuration without its own listen line.
grep -v '^listen *=' "$PIE_STACK_DIR/etc/pie.conf" |
    sed 's/^workers *=.*/workers = 2/' >"$work/pie.conf"

# Asks the pool on socket $1 for /healthz; 0 when it answers "alive".
ask() {
	local i out
	for i in $(seq 1 50); do
		out=$(REQUEST_METHOD=GET REQUEST_URI=/healthz \
		    cgi-fcgi -bind -connect "$1" 2>/dev/null || true)
		case "$out" in *'"alive"'*) return 0 ;; esac
		sleep 0.1
	done
	echo "no answer on $1: $out" >&2
	return 1
}

# 0 when process $1 and its workers hold no fd 9 (the pool is started
# with one open, as a careless parent would leave it).
closed_stray() {
	local p
	for p in "$1" $(pgrep -P "$1"); do
		if [ -e "/proc/$p/fd/9" ]; then
			echo "pid $p kept the fd 9 it inherited" >&2
			return 1
		fi
	done
}

# Waits for process $1 to end after SIGTERM; fails after 10 s.
stop() {
	local i
	kill -TERM "$1"
	for i in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "pid $1 did not stop on SIGTERM" >&2
	return 1
}

status=0

# spawn-fcgi opens the socket, puts it on fd 0 and starts pie-fcgi.
spawn-fcgi -s "$work/spawn.sock" -P "$work/spawn.pid" -- \
    "$bin" -c "$work/pie.conf" >/dev/null 2>>"$work/spawn.log" \
    9>>"$work/stray"
pid=$(cat "$work/spawn.pid")
pids+=("$pid")
if ask "$work/spawn.sock" && closed_stray "$pid" && stop "$pid"; then
	echo "ok   spawn-fcgi: served on the socket from standard input"
else
	echo "FAIL spawn-fcgi"; cat "$work/spawn.log"; status=1
fi

# systemd-socket-activate passes the socket as fd 3 with LISTEN_FDS.
if command -v systemd-socket-activate >/dev/null &&
    "$bin" -V >/dev/null && grep -q sd_listen_fds "$bin" 2>/dev/null; then
	setsid systemd-socket-activate -l "$work/sd.sock" \
	    "$bin" -c "$work/pie.conf" </dev/null >/dev/null \
	    2>"$work/sd.log" &
	pid=$!
	pids+=("$pid")
	if ask "$work/sd.sock" && stop "$pid" &&
	    grep -q "socket passed by systemd" "$work/sd.log"; then
		echo "ok   systemd: served on the socket from LISTEN_FDS"
	else
		echo "FAIL systemd socket activation"; cat "$work/sd.log"
		status=1
	fi
else
	echo "skip systemd socket activation (no libsystemd or tool)"
fi
exit "$status"
