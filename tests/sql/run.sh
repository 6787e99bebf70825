#!/bin/sh
# run.sh: the SQL-level tests of pie's schema and procedures.
#
# Usage: PIE_DB_SOCKET=/path/to/mysqld.sock tests/sql/run.sh
# Optional: PIE_DB_USER (default root), PIE_DB_PASSWORD, PIE_SQL_BENCH=1
# (also run the 100,000-service check benchmark).
#
# Each test file gets a fresh scratch database: the migrations in sql/
# are applied in order, each file sent whole as one multi-statement query
# (as the C migration runner does), then the test helpers, then the test.
# A failed assertion SIGNALs, the client exits non-zero, and so does this
# script.  The scratch databases are dropped at the end.

set -eu

# Without a server (a plain "make check"), skip: automake's code 77.
if [ -z "${PIE_DB_SOCKET:-}" ]; then
	echo "no database: set PIE_DB_SOCKET (scripts/test does)" >&2
	exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
user=${PIE_DB_USER:-root}
db_prefix=pie_sqltest_$$
failed=0

mysql_cmd() {
	if [ -n "${PIE_DB_PASSWORD:-}" ]; then
		MYSQL_PWD=$PIE_DB_PASSWORD mariadb --socket="$PIE_DB_SOCKET" \
		    -u "$user" "$@"
	else
		mariadb --socket="$PIE_DB_SOCKET" -u "$user" "$@"
	fi
}

# Sends a file as one query: the delimiter never occurs, so the client
# passes the whole text, comments included, to the server.
send_file() {
	sf_db=$1
	sf_file=$2
	shift 2
	mysql_cmd --comments --delimiter='%%pie-no-delimiter%%' \
	    --batch "$@" "$sf_db" < "$sf_file"
}

fresh_db() {
	mysql_cmd -e "DROP DATABASE IF EXISTS $1;
	    CREATE DATABASE $1 CHARACTER SET utf8mb4
	    COLLATE utf8mb4_nopad_bin"
	for f in "$top"/sql/[0-9]*.sql; do
		send_file "$1" "$f" > /dev/null
	done
	send_file "$1" "$here/00_helpers.sql" > /dev/null
}

cleanup() {
	for d in $(mysql_cmd -N -e "SHOW DATABASES LIKE '${db_prefix}%'"); do
		mysql_cmd -e "DROP DATABASE $d"
	done
}
trap cleanup EXIT

# The migrations must be re-runnable on a migrated database.
fresh_db "${db_prefix}_rerun"
for f in "$top"/sql/[0-9]*.sql; do
	send_file "${db_prefix}_rerun" "$f" > /dev/null
done
echo "ok   migrations apply twice"

n=0
for t in "$here"/[1-9]*.sql; do
	n=$((n + 1))
	db="${db_prefix}_$n"
	fresh_db "$db"
	if out=$(send_file "$db" "$t" 2>&1); then
		echo "ok   $(basename "$t")"
	else
		echo "FAIL $(basename "$t")"
		echo "$out" | grep -i 'error' | head -5
		failed=1
	fi
done

# The blocked result sets: a header, at most 1000 entries, the full
# total.  report_blocked.sql ends with an upsert that 1200 services block.
db="${db_prefix}_report"
fresh_db "$db"
if out=$(send_file "$db" "$here/report_blocked.sql" -N 2>&1) &&
    [ "$(echo "$out" | grep -c '^svc-')" -eq 1000 ] &&
    [ "$(echo "$out" | grep '^blocked')" = \
      "$(printf 'blocked\t1200\t1200\tm\t1\tcap')" ] &&
    [ "$(echo "$out" | grep '^svc-' | head -1)" = \
      "$(printf 'svc-0001\troute\tNULL\tmissing')" ] &&
    [ "$(echo "$out" | grep '^svc-' | tail -1 | cut -f1)" = "svc-1000" ]
then
	echo "ok   blocked result sets (1000 of 1200 entries, ordered)"
else
	echo "FAIL blocked result sets"
	echo "$out" | head -3
	failed=1
fi

# Runs one CALL in the background, retrying deadlocks and lock wait
# timeouts as the C code does.
call_retry() {
	i=0
	while [ $i -lt 10 ]; do
		if err=$(mysql_cmd "$1" -e "$2" 2>&1 >/dev/null); then
			return 0
		fi
		case $err in
		*1213*|*1205*) i=$((i + 1)); sleep 0.0$i ;;
		*) echo "$err" >&2; return 1 ;;
		esac
	done
	return 1
}

# Runs one CALL in the background, once: any error fails it.
call_once() {
	if ! err=$(mysql_cmd "$1" -e "$2" 2>&1 >/dev/null); then
		echo "$err" >&2
		return 1
	fi
}

# Waits for the background calls in $pids; fails if any failed.
wait_all() {
	wa_failed=0
	for p in $pids; do
		wait "$p" || wa_failed=1
	done
	pids=""
	return $wa_failed
}

# 50 concurrent first upserts of one new key.
db="${db_prefix}_race"
fresh_db "$db"
send_file "$db" "$here/race_setup.sql" > /dev/null
pids=""
for i in $(seq 1 50); do
	call_retry "$db" "CALL pie_assignment_upsert('c', 'd', NULL, 'cap',
	    'm', IF($i % 2, '1', '2'), 'active', NULL, NULL, NULL, 'race',
	    NULL, 0)" &
	pids="$pids $!"
done
if wait_all && send_file "$db" "$here/race_check_first.sql" > /dev/null
then
	echo "ok   50 concurrent first upserts of one key"
else
	echo "FAIL 50 concurrent first upserts of one key"
	failed=1
fi

# Upserts of both scopes racing with service patches: some are blocked,
# and afterwards every scheduled service must still be compatible with
# its effective assignment of every capability.
for i in $(seq 1 30); do
	call_retry "$db" "CALL pie_assignment_upsert('c', 'd', NULL, 'cap2',
	    'm', IF($i % 2, '1', '2'), 'active', NULL, NULL, NULL, 'race',
	    NULL, 0)" &
	pids="$pids $!"
done
for i in $(seq 1 10); do
	call_retry "$db" "CALL pie_assignment_upsert('c', 'd',
	    CONCAT('s0', $i % 4 + 1), 'cap2', 'm', IF($i % 2, '1', '2'),
	    IF($i % 3, 'active', 'archived'), NULL, NULL, NULL, 'race',
	    NULL, 0)" &
	pids="$pids $!"
done
for i in $(seq 1 30); do
	call_retry "$db" "CALL t_race_patch($i)" &
	pids="$pids $!"
done
if wait_all && send_file "$db" "$here/race_check_mixed.sql" > /dev/null
then
	echo "ok   upserts racing with service writes keep the invariant"
else
	echo "FAIL upserts racing with service writes"
	failed=1
fi

# Every write takes its locks in one order (docs/database.md), so
# upserts of different keys that patch services, service writes and
# service-scope upserts, all at once, never deadlock: no retry here.
for i in $(seq 1 12); do
	call_once "$db" "CALL pie_assignment_upsert('c', 'd', NULL,
	    CONCAT('k', $i % 6), 'm', '1', 'active', NULL, NULL,
	    CONCAT('[', t_update(CONCAT('s0', $i % 6 + 1),
	    JSON_OBJECT('y', $i)), ']'), 'race', NULL, 0)" &
	pids="$pids $!"
	call_once "$db" "CALL t_race_patch($i)" &
	pids="$pids $!"
	call_once "$db" "CALL pie_assignment_upsert('c', 'd',
	    CONCAT('s0', $i % 6 + 1), CONCAT('k', $i % 3), 'm', '1',
	    'active', NULL, NULL, NULL, 'race', NULL, 0)" &
	pids="$pids $!"
done
if wait_all && send_file "$db" "$here/race_check_mixed.sql" > /dev/null
then
	echo "ok   writes of different keys and services never deadlock"
else
	echo "FAIL writes of different keys and services deadlocked"
	failed=1
fi

# A write locks the key rows of its own domain only.  One session holds
# what a service write of d1's s1 and a patching upsert of d1 hold;
# meanwhile an upsert of d1's key must time out (the locks are held) and
# one of d2's key, whose row follows d1's in every index, must not.
db="${db_prefix}_locks"
fresh_db "$db"
send_file "$db" "$here/locks_setup.sql" > /dev/null
mysql_cmd "$db" -e "CALL pie_check_reset();
    SELECT domain_pk INTO @d FROM domains WHERE domain_id = 'd1';
    SELECT service_pk INTO @s FROM services WHERE service_id = 's1';
    START TRANSACTION; CALL pie_check_lock_keys(@d, @s);
    CALL pie_assignment_lock(@d, NULL, 'zzz', '[{\"service_id\":\"s1\"}]');
    DO SLEEP(4); COMMIT" &
hold=$!
sleep 1
upsert_in() {
	mysql_cmd "$db" -e "SET SESSION innodb_lock_wait_timeout = 1;
	    CALL pie_assignment_upsert('c', '$1', NULL, '$2', 'm', '1',
	    'active', NULL, NULL, NULL, 'u', NULL, 0)" > /dev/null 2>&1
}
if ! upsert_in d1 m && upsert_in d2 aaa; then
	echo "ok   a write locks no key row of another domain"
else
	echo "FAIL a write locks no key row of another domain"
	failed=1
fi
wait "$hold" || failed=1

if [ "${PIE_SQL_BENCH:-0}" = 1 ]; then
	db="${db_prefix}_bench"
	fresh_db "$db"
	if out=$(send_file "$db" "$here/bench_check.sql" 2>&1); then
		echo "ok   check benchmark:"
	else
		echo "FAIL check benchmark:"
		failed=1
	fi
	echo "$out" | grep -A1 '^kind	feature_rows' | sed 's/^/     /'
fi

exit $failed
