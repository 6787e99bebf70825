#!/usr/bin/env bash
# bench/upsert.sh: how long a domain-default upsert takes over a large
# domain, against a plain scan of that domain's feature values.
#
# Needs a running stack (scripts/stack-up, with the same PIE_STACK_DIR
# and PIE_HTTPS_PORT).  Loads, once, a bench client with one domain of
# BENCH_SERVICES (100000) scheduled services of 20 features each, written
# straight into services/service_features from MariaDB's Sequence engine;
# its model version freezes 10 of those features, every service fits.
# Then, BENCH_ROUNDS (5) times: the scan, the CALL of
# pie_assignment_upsert (server time, measured inside the session), and
# the same upsert as an HTTP request through nginx (curl's total time).
# Prints every round and the medians.  Not a test: nothing is asserted.
set -euo pipefail
. "$(dirname "$0")/../scripts/stack-env"

N=${BENCH_SERVICES:-100000}
ROUNDS=${BENCH_ROUNDS:-5}
CLIENT=${BENCH_CLIENT:-bench}
DOMAIN=bench-$N
MODEL=bench-model
TOKEN=$(cat "$S/dev-token")

sql() { mariadb --no-defaults -S "$DB_SOCK" -u root -N -B pie "$@"; }

api() {
	local method=$1 path=$2 body=$3
	curl -sS -o /dev/null -w '%{http_code}' --cacert "$S/tls/cert.pem" \
	    -X "$method" -H "Authorization: Bearer $TOKEN" \
	    -H 'Content-Type: application/json' -d "$body" "$URL$path"
}

# The freeze: f01..f10; odd ones mandatory strings v0..v9, even ones
# integers 0..999.
freeze() {
	local i name sep=""
	printf '{"freeze":{"features":['
	for i in $(seq 1 10); do
		name=$(printf 'f%02d' "$i")
		if [ $((i % 2)) -eq 1 ]; then
			printf '%s{"name":"%s","type":"string",' "$sep" "$name"
			printf '"mandatory":true,'
			printf '"allowed_values":["v0","v1","v2","v3","v4",'
			printf '"v5","v6","v7","v8","v9"]}'
		else
			printf '%s{"name":"%s","type":"integer","minimum":0,' \
			    "$sep" "$name"
			printf '"maximum":999}'
		fi
		sep=,
	done
	printf ']}}'
}

setup_api() {
	local c
	for c in "PUT /v2/clients/$CLIENT {}" \
	    "PUT /v2/clients/$CLIENT/domains/$DOMAIN {}" \
	    "PUT /v2/models/$MODEL {}"; do
		set -- $c
		case $(api "$1" "$2" "$3") in
		200|201) ;;
		*) echo "bench: $1 $2 failed" >&2; exit 1 ;;
		esac
	done
	case $(api PUT "/v2/models/$MODEL/versions/1" "$(freeze)") in
	200|201) ;;
	*) echo "bench: the model version was refused" >&2; exit 1 ;;
	esac
}

# Feature j of service n: odd j a string v((n + j) % 10), even j the
# integer (n * j) % 1000.  The same expressions feed provided_features
# and service_features.
load_services() {
	local have
	have=$(sql -e "SELECT COUNT(*) FROM services s JOIN domains d
	    ON d.domain_pk = s.domain_pk WHERE d.client_id = '$CLIENT'
	    AND d.domain_id = '$DOMAIN'")
	if [ "$have" -eq "$N" ]; then
		echo "bench: $N services already loaded"
		return
	fi
	[ "$have" -eq 0 ] ||
	    { echo "bench: $have services of $N: drop the database" >&2;
	      exit 1; }
	echo "bench: loading $N services x 20 features"
	local t0=$SECONDS
	sql <<SQL
SET SESSION foreign_key_checks = 0, unique_checks = 0;
SELECT domain_pk INTO @d FROM domains
WHERE client_id = '$CLIENT' AND domain_id = '$DOMAIN';
START TRANSACTION;
INSERT INTO services (domain_pk, client_id, domain_id, service_id, status,
    provided_features, created_at, updated_at)
SELECT @d, '$CLIENT', '$DOMAIN', CONCAT('svc-', LPAD(s.seq, 6, '0')),
    'scheduled',
    CONCAT('{', (SELECT GROUP_CONCAT(CONCAT('"f', LPAD(f.seq, 2, '0'),
	'":', IF(f.seq % 2 = 1, CONCAT('"v', (s.seq + f.seq) % 10, '"'),
	(s.seq * f.seq) % 1000)) ORDER BY f.seq SEPARATOR ',')
	FROM seq_1_to_20 f), '}'),
    UTC_TIMESTAMP(3), UTC_TIMESTAMP(3)
FROM seq_1_to_${N} s;
INSERT INTO service_features (domain_pk, name, service_pk, t, i, d, k, v)
SELECT @d, CONCAT('f', LPAD(f.seq, 2, '0')), sv.service_pk,
    IF(f.seq % 2 = 1, 's', 'n'), IF(f.seq % 2 = 1, 0, 1),
    IF(f.seq % 2 = 1, NULL, (x.n * f.seq) % 1000),
    UNHEX(SHA2(IF(f.seq % 2 = 1, CONCAT('s:v', (x.n + f.seq) % 10),
	CONCAT('n:', (x.n * f.seq) % 1000)), 256)),
    IF(f.seq % 2 = 1, CONCAT('"v', (x.n + f.seq) % 10, '"'),
	(x.n * f.seq) % 1000)
FROM seq_1_to_20 f
JOIN (SELECT service_pk, CAST(SUBSTRING(service_id, 5) AS UNSIGNED) AS n
    FROM services WHERE domain_pk = @d) x
JOIN services sv ON sv.service_pk = x.service_pk
ORDER BY f.seq, sv.service_pk;
COMMIT;
ANALYZE TABLE services, service_features;
SQL
	echo "bench: loaded in $((SECONDS - t0)) s"
}

# One round: prints "scan_ms call_ms http_ms".
round() {
	local out http
	out=$(sql <<SQL
SELECT domain_pk INTO @d FROM domains
WHERE client_id = '$CLIENT' AND domain_id = '$DOMAIN';
SET @t = SYSDATE(6);
SELECT COUNT(*), SUM(LENGTH(v)) INTO @rows, @bytes
FROM service_features WHERE domain_pk = @d;
SET @scan = TIMESTAMPDIFF(MICROSECOND, @t, SYSDATE(6));
SET @t = SYSDATE(6);
CALL pie_assignment_upsert('$CLIENT', '$DOMAIN', NULL, 'bench-call',
    '$MODEL', '1', 'active', NULL, NULL, NULL, 'bench', NULL, 0);
SELECT 'timing', @scan, TIMESTAMPDIFF(MICROSECOND, @t, SYSDATE(6)), @rows;
SQL
)
	echo "$out" | grep -q '^ok' ||
	    { echo "bench: the CALL did not succeed: $out" >&2; exit 1; }
	http=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' \
	    --cacert "$S/tls/cert.pem" -X PUT \
	    -H "Authorization: Bearer $TOKEN" \
	    -H 'Content-Type: application/json' \
	    -d "{\"model_id\":\"$MODEL\",\"model_version\":\"1\"}" \
	    "$URL/v2/clients/$CLIENT/domains/$DOMAIN/assignments/bench-http")
	[ "${http%% *}" = 200 ] ||
	    { echo "bench: the HTTP upsert answered $http" >&2; exit 1; }
	echo "$out" | awk -v h="${http#* }" '$1 == "timing" {
	    printf "%.1f %.1f %.1f %d\n", $2 / 1000, $3 / 1000, h * 1000, $4 }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

setup_api
load_services
echo "bench: $ROUNDS rounds over $N services (feature rows scanned in" \
    "parentheses)"
printf '%-6s %10s %10s %10s %10s %10s\n' round scan_ms call_ms http_ms \
    call/scan http/scan
results=$(for r in $(seq 1 "$ROUNDS"); do round; done)
echo "$results" | awk '{ printf "%-6d %10.1f %10.1f %10.1f %10.2f %10.2f" \
    "  (%d)\n", NR, $1, $2, $3, $2 / $1, $3 / $1, $4 }'
s=$(echo "$results" | awk '{ print $1 }' | median)
c=$(echo "$results" | awk '{ print $2 }' | median)
h=$(echo "$results" | awk '{ print $3 }' | median)
awk -v s="$s" -v c="$c" -v h="$h" 'BEGIN { printf "%-6s %10.1f %10.1f" \
    " %10.1f %10.2f %10.2f\n", "median", s, c, h, c / s, h / s }'
