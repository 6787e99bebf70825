#!/usr/bin/env bash
# bench/http.sh: measures the HTTP path (client -> nginx over TLS ->
# FastCGI -> pie worker) with wrk against /healthz, once per nginx
# FastCGI connection policy:
#
#   off      fastcgi_keep_conn off, no upstream keepalive (what
#            nginx/pie.conf ships)
#   on-few   fastcgi_keep_conn on, keepalive fewer than the workers
#   on-many  fastcgi_keep_conn on, keepalive more than the workers
#
# It needs a running development stack (scripts/stack-up, same
# PIE_STACK_DIR) and starts a second, private nginx on 127.0.0.1 only,
# with the site of nginx/pie.conf minus its rate limit (1000 r/s per
# address would cap a loopback benchmark).  Every run is bounded by
# BENCH_SECONDS.  Prints one line per policy: requests/s, p50, p99.
set -euo pipefail
. "$(dirname "$0")/../scripts/stack-env"

bench_port=${BENCH_PORT:-$((PORT + 1000))}
seconds=${BENCH_SECONDS:-10}
threads=${BENCH_THREADS:-2}
conns=${BENCH_CONNECTIONS:-16}
workers=$(sed -n 's/^workers = //p' "$PIE_CONF")
few=$(( workers > 1 ? workers / 2 : 1 ))
many=$(( workers * 4 ))
dir=$S/bench
pid=$dir/nginx.pid

command -v wrk >/dev/null || die "wrk is not installed (Debian: wrk)"
[ -S "$PIE_SOCK" ] && [ -s "$NGINX_DIR/site.conf" ] ||
    die "no development stack in $S: run scripts/stack-up first"

stop_nginx() {
	local n

	alive "$pid" || return 0
	n=$(cat "$pid")
	kill -QUIT "$n"
	while kill -0 "$n" 2>/dev/null; do sleep 0.1; done
}
trap stop_nginx EXIT

# $1 keep_conn (on/off), $2 upstream keepalive (0: none).
write_config() {
	mkdir -p "$dir/tmp"
	sed -e "s|fastcgi_keep_conn off;|fastcgi_keep_conn $1;|" \
	    "$top/nginx/fastcgi.conf" >"$dir/fastcgi.conf"
	sed -e '/limit_req/d' \
	    -e "s|listen 127.0.0.1:$PORT |listen 127.0.0.1:$bench_port |" \
	    -e "s|include .*fastcgi.conf;|include $dir/fastcgi.conf;|" \
	    "$NGINX_DIR/site.conf" >"$dir/site.conf"
	if [ "$2" -gt 0 ]; then
		sed -i "s|^\(\s*server unix:.*;\)$|\1\n\tkeepalive $2;|" \
		    "$dir/site.conf"
	fi
	grep -q "listen 127.0.0.1:$bench_port " "$dir/site.conf" ||
	    die "could not move the site to port $bench_port"
	cat >"$dir/nginx.conf" <<CONF
$([ "$(id -u)" = 0 ] && echo "user root root;")
worker_processes 2;
pid $pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $dir/tmp/body;
	fastcgi_temp_path $dir/tmp/fastcgi;
	proxy_temp_path $dir/tmp/proxy;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	default_type application/json;
	include $dir/site.conf;
}
CONF
}

# $1 name, $2 keep_conn, $3 keepalive.
run() {
	local out rps p50 p99

	stop_nginx
	write_config "$2" "$3"
	nginx -q -p "$dir" -c "$dir/nginx.conf"
	curl -skf "https://127.0.0.1:$bench_port/healthz" >/dev/null ||
	    die "the bench nginx does not answer"
	out=$(timeout $((seconds + 30)) wrk -t"$threads" -c"$conns" \
	    -d"${seconds}s" --timeout "${seconds}s" --latency \
	    "https://127.0.0.1:$bench_port/healthz")
	printf '%s\n' "$out" >"$dir/wrk-$1.txt"
	rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
	p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
	printf '%-8s keep_conn=%-3s keepalive=%-3s %10s req/s  ' \
	    "$1" "$2" "$3" "$rps"
	printf 'p50 %-9s p99 %s\n' "$p50" "$p99"
	grep -E 'requests in|Non-2xx|Socket errors' <<<"$out" || true
}

say "wrk -t$threads -c$conns -d${seconds}s --latency, $workers workers"
run off off 0
run on-few on "$few"
run on-many on "$many"
