#!/bin/sh
# Every line we write fits in 80 columns (a tab counts to the next multiple
# of 8).  Prints each offender as FILE:LINE and fails when there is one.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
status=0
for f in $(find src tests sql bench -type f \( -name '*.c' -o -name '*.h' \
    -o -name '*.sql' \) 2>/dev/null) configure.ac Makefile.am; do
	[ -f "$f" ] || continue
	awk -v f="$f" '{
		line = $0; col = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (c == "\t") col = int(col / 8) * 8 + 8; else col++
		}
		if (col > 80) {
			printf "%s:%d: %d columns\n", f, NR, col
			bad = 1
		}
	} END { exit bad }' "$f" || status=1
done
exit $status
