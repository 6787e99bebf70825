#!/usr/bin/env bash
# bench/api.sh: what the API itself sustains, with wrk through nginx over
# TLS, and the same upserts as CALLs straight to MariaDB:
#
#   read        GET .../assignments/{capability} with one valid token
#               (a hit of each worker's verified-token cache after the
#               first request)
#   read-cold   the same GET with a different token on every request,
#               in turn from BENCH_TOKENS tokens (mostly cache misses:
#               the signature is verified again)
#   put-one-1   domain-default upsert of one key, 1 connection
#   put-one-8   the same key from 8 connections (they serialize on the
#               key row)
#   put-many-8  8 connections, no two concurrent requests on one key
#   call-*      the three upserts above as CALL pie_assignment_upsert
#               from the mariadb client, BENCH_CALLS (3000) in all
#
# Needs a running development stack (scripts/stack-up, with the same
# PIE_STACK_DIR and PIE_HTTPS_PORT).  Creates, through the API, a client
# bench-api-<time>-<pid> with a domain of BENCH_SERVICES (5) scheduled
# services and a model version whose freeze they all fit, so every
# upsert checks the whole domain and succeeds.  Starts a second, private
# nginx on 127.0.0.1 only (port BENCH_PORT, default PIE_HTTPS_PORT +
# 1001) with the stack's site minus its rate limit, as bench/http.sh
# does, and stops it at the end.  Every wrk run lasts BENCH_SECONDS
# (10); the CALL runs are bounded by a count and a timeout.
#
# Prints, per run: requests/s, p50 and p99 latency, answers other than
# 200 (503s apart), database retries logged by the workers meanwhile,
# and the machine during the run (CPU busy out of the cores, the cores
# used by nginx, the pie workers and mariadbd, and the load average).
# Not a test: nothing is asserted, but non-200 answers are shown.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../scripts/stack-env"

bench_port=${BENCH_PORT:-$((PORT + 1001))}
seconds=${BENCH_SECONDS:-10}
read_conns=${BENCH_CONNECTIONS:-16}
ntokens=${BENCH_TOKENS:-8192}
calls=${BENCH_CALLS:-3000}
nservices=${BENCH_SERVICES:-5}
run_id=$(date -u +%Y%m%d%H%M%S)-$$
client=bench-api-$run_id
domain=bench
model=bench-api-$run_id
base=/v2/clients/$client/domains/$domain/assignments/
bench_url=https://127.0.0.1:$bench_port
dir=$S/bench-api
pid=$dir/nginx.pid
token=$(cat "$S/dev-token")
workers=$(sed -n 's/^workers = //p' "$PIE_CONF")
cores=$(nproc)
hz=$(getconf CLK_TCK)
m_client=0
m_nginx_pids=()
m_pie_pids=()

command -v wrk >/dev/null || die "wrk is not installed (Debian: wrk)"
[ -S "$PIE_SOCK" ] && [ -s "$NGINX_DIR/site.conf" ] && [ -S "$DB_SOCK" ] ||
    die "no development stack in $S: run scripts/stack-up first"

sql() { mariadb --no-defaults -S "$DB_SOCK" -u root -N -B pie; }

stop_nginx() {
	local n

	alive "$pid" || return 0
	n=$(cat "$pid")
	kill -QUIT "$n"
	while kill -0 "$n" 2>/dev/null; do sleep 0.1; done
}
trap stop_nginx EXIT

# The stack's site on another port, without limit_req; no access log.
start_nginx() {
	mkdir -p "$dir/tmp"
	sed -e '/limit_req/d' \
	    -e "s|listen 127.0.0.1:$PORT |listen 127.0.0.1:$bench_port |" \
	    "$NGINX_DIR/site.conf" >"$dir/site.conf"
	grep -q "listen 127.0.0.1:$bench_port " "$dir/site.conf" ||
	    die "could not move the site to port $bench_port"
	! grep -q limit_req "$dir/site.conf" ||
	    die "the rate limit is still in $dir/site.conf"
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
	stop_nginx
	nginx -q -p "$dir" -c "$dir/nginx.conf"
	curl -skf "$bench_url/healthz" >/dev/null ||
	    die "the bench nginx does not answer on $bench_url"
}

# $1 method, $2 path, $3 body: prints the status.
api() {
	curl -sS -o /dev/null -w '%{http_code}' --cacert "$S/tls/cert.pem" \
	    -X "$1" -H "Authorization: Bearer $token" \
	    -H 'Content-Type: application/json' -d "$3" "$bench_url$2"
}

# $1 method, $2 path, $3 body, $4 the statuses accepted (a regex).
must() {
	local got

	got=$(api "$1" "$2" "$3")
	[[ $got =~ ^($4)$ ]] || die "$1 $2 answered $got"
}

setup_api() {
	local i assignment

	must PUT "/v2/clients/$client" '{}' '200|201'
	must PUT "/v2/clients/$client/domains/$domain" '{}' '200|201'
	must PUT "/v2/models/$model" '{}' '200|201'
	must PUT "/v2/models/$model/versions/1" "$(printf '%s' \
	    '{"freeze":{"features":[' \
	    '{"name":"route","type":"string","mandatory":true},' \
	    '{"name":"cabin","type":"string",' \
	    '"allowed_values":["economy","business"]},' \
	    '{"name":"capacity","type":"integer","minimum":1,' \
	    '"maximum":5000}]}}')" '200|201'
	for i in $(seq 1 "$nservices"); do
		must PUT "/v2/clients/$client/domains/$domain/services/s$i" \
		    "$(printf '%s' '{"status":"scheduled",' \
		    '"provided_features":' \
		    "{\"route\":\"r$i\",\"cabin\":\"economy\"," \
		    "\"capacity\":$((100 * i))}}")" '200|201'
	done
	# The key the reads fetch, and the first revision of "one".
	assignment="{\"model_id\":\"$model\",\"model_version\":\"1\"}"
	must PUT "${base}read" "$assignment" 200
	must PUT "${base}one" "$assignment" 200
}

# Tokens for read-cold: distinct (each its own sub), read scope only.
mint_tokens() {
	local file=$dir/tokens

	seq 1 "$ntokens" | xargs -P "$cores" -n 64 sh -c '
	    key=$1
	    shift
	    for i; do
		"$0" -k "$key" -a EdDSA -s "bench-$i" -S assignments:read \
		    -C "*" -e 3600
	    done' "$BUILD/pie-token" "$SIGNING_KEY" >"$file.new"
	mv "$file.new" "$file"
	[ "$(sort -u "$file" | wc -l)" -eq "$ntokens" ] ||
	    die "minting $ntokens distinct tokens failed"
}

# CPU ticks (user + system) of the pids given.
ticks() {
	local p sum=0 t

	for p in "$@"; do
		t=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null |
		    awk '{ print $12 + $13 }') || t=0
		sum=$((sum + ${t:-0}))
	done
	echo "$sum"
}

# CPU seconds (user + system) of this shell's finished children (wrk or
# the mariadb clients of a run, once waited for) into the variable $1;
# times must run in this shell, not in a subshell.
client_cpu() {
	times >"$dir/times"
	printf -v "$1" '%s' "$(awk 'NR == 2 {
		for (i = 1; i <= 2; i++) {
			split($i, a, /[ms]/)
			s += a[1] * 60 + a[2]
		}
		print s
	}' "$dir/times")"
}

# Busy and total jiffies of the machine.
machine() {
	awk '$1 == "cpu" {
		print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8
	}' /proc/stat
}

# The master's pid and its children's, in the array $2.
pids() {
	local -n into=$2

	into=("$(cat "$1")")
	readarray -t -O 1 into < <(pgrep -P "${into[0]}" || true)
}

# Starts the CPU accounting of a run.
meter_start() {
	m_log=$(wc -l <"$LOGS/pie.log")
	pids "$pid" m_nginx_pids
	pids "$PIE_PID" m_pie_pids
	m_nginx=$(ticks "${m_nginx_pids[@]}")
	m_pie=$(ticks "${m_pie_pids[@]}")
	m_db=$(ticks "$(cat "$DB_PID")")
	client_cpu m_client
	read -r m_busy m_total < <(machine)
	m_t0=$(date +%s.%N)
}

# Prints the machine's side of a run.
meter_end() {
	local n p d busy total retries gaveup load cl

	n=$(( $(ticks "${m_nginx_pids[@]}") - m_nginx ))
	p=$(( $(ticks "${m_pie_pids[@]}") - m_pie ))
	d=$(( $(ticks "$(cat "$DB_PID")") - m_db ))
	read -r busy total < <(machine)
	client_cpu cl
	retries=$(tail -n +"$((m_log + 1))" "$LOGS/pie.log" |
	    grep -c 'retrying' || true)
	gaveup=$(tail -n +"$((m_log + 1))" "$LOGS/pie.log" |
	    grep -c 'still conflicting' || true)
	load=$(cut -d' ' -f1 /proc/loadavg)
	awk -v t0="$m_t0" -v t1="$(date +%s.%N)" -v hz="$hz" -v n="$n" \
	    -v p="$p" -v d="$d" -v b="$((busy - m_busy))" -v c="$cores" \
	    -v t="$((total - m_total))" -v r="$retries" -v g="$gaveup" \
	    -v l="$load" -v cl="$(awk -v a="$m_client" -v b="$cl" \
	    'BEGIN { print b - a }')" 'BEGIN {
		s = t1 - t0
		printf "    machine: busy %.0f%% of %d cores; cores used: " \
		    "nginx %.2f, pie %.2f, mariadbd %.2f, client %.2f, " \
		    "others %.2f; load %s; db retries %d, gave up %d\n",
		    100 * b / t, c, n / hz / s, p / hz / s, d / hz / s,
		    cl / s, (b / t) * c - (n + p + d) / hz / s - cl / s, l,
		    r, g
	    }'
}

# $1 name, $2 lua script, $3 threads, $4 connections; env for the script.
run_wrk() {
	local name=$1 script=$2 t=$3 c=$4 out

	meter_start
	out=$(timeout $((seconds + 30)) wrk -t"$t" -c"$c" -d"${seconds}s" \
	    --timeout 10s --latency -s "$here/$script" "$bench_url")
	printf '%s\n' "$out" >"$dir/wrk-$name.txt"
	awk -v name="$name" -v c="$c" '
	    /^Requests\/sec/ { rps = $2 }
	    $1 == "50%" { p50 = $2 }
	    $1 == "99%" { p99 = $2 }
	    /^statuses:/ { st = $2 " " $3 " " $4 }
	    /requests in/ { n = $1 }
	    END { printf "%-11s c=%-3d %9s req/s  p50 %-8s p99 %-8s %s " \
		"(%s requests)\n", name, c, rps, p50, p99, st, n }' <<<"$out"
	grep -E 'first error|Socket errors' <<<"$out" | sed 's/^/    /' || true
	meter_end
}

# $1 name, $2 connections, $3 key mode (one/many): CALLs from the mariadb
# client, $calls in all, shared out between the connections, each a
# session of its own.
run_sql() {
	local name=$1 c=$2 mode=$3 i t0 t1 ok n=$((calls / $2))

	for i in $(seq 1 "$c"); do
		awk -v n="$n" -v i="$i" -v m="$mode" -v cl="$client" \
		    -v d="$domain" -v mo="$model" '
		    function q(x) { return "\x27" x "\x27" }
		    BEGIN {
			for (k = 0; k < n; k++) {
				cap = "sql-" i "-" k % 100
				if (m == "one")
					cap = "sql-one"
				printf "CALL pie_assignment_upsert(" \
				    "%s, %s, NULL, %s, %s, \x271\x27, " \
				    "\x27active\x27, NULL, NULL, NULL, " \
				    "\x27bench\x27, NULL, 0);\n", q(cl), q(d),
				    q(cap), q(mo)
			}
		    }' >"$dir/calls-$i.sql"
	done
	# The key of "one" exists before the clock starts, as in put-one.
	[ "$mode" = many ] || head -1 "$dir/calls-1.sql" | sql >/dev/null
	meter_start
	t0=$(date +%s.%N)
	for i in $(seq 1 "$c"); do
		timeout $((seconds * 6)) mariadb --no-defaults -S "$DB_SOCK" \
		    -u root -N -B pie <"$dir/calls-$i.sql" >"$dir/out-$i.txt" \
		    2>&1 &
	done
	wait
	t1=$(date +%s.%N)
	ok=$(cat "$dir"/out-[0-9]*.txt | grep -c '^ok' || true)
	awk -v name="$name" -v c="$c" -v ok="$ok" -v all="$((c * n))" \
	    -v t0="$t0" -v t1="$t1" 'BEGIN { s = t1 - t0
		printf "%-11s c=%-3d %9.2f calls/s  mean %.2fms  ok %d of %d " \
		    "in %.1f s\n", name, c, ok / s, 1000 * c * s / ok, ok, all,
		    s }'
	grep -vh '^ok' "$dir"/out-[0-9]*.txt | head -3 | sed 's/^/    /' ||
	    true
	meter_end
	rm -f "$dir"/out-[0-9]*.txt
}

mkdir -p "$dir"
say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_nginx
setup_api
say "client $client, $nservices services; $workers pie workers;" \
    "bench nginx on $bench_url (no rate limit, 2 workers)"
say "minting $ntokens tokens for read-cold"
mint_tokens

export BENCH_MODEL=$model BENCH_TOKEN=$token
BENCH_PATH=${base}read BENCH_THREADS=2 \
    run_wrk read api-read.lua 2 "$read_conns"
BENCH_PATH=${base}read BENCH_THREADS=2 BENCH_TOKEN_FILE=$dir/tokens \
    run_wrk read-cold api-read.lua 2 "$read_conns"
BENCH_PATH=$base BENCH_KEYS=one run_wrk put-one-1 api-upsert.lua 1 1
BENCH_PATH=$base BENCH_KEYS=one run_wrk put-one-8 api-upsert.lua 2 8
BENCH_PATH=$base BENCH_KEYS=many run_wrk put-many-8 api-upsert.lua 2 8
run_sql call-one-1 1 one
run_sql call-one-8 8 one
run_sql call-many-8 8 many
