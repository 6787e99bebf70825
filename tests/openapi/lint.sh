#!/usr/bin/env bash
# tests/openapi/lint.sh: checks docs/openapi.yaml.  yamllint checks the
# YAML itself; check.py (python3-yaml, python3-jsonschema) checks that it
# is an OpenAPI 3.1 description whose schemas and examples agree, and
# that its routes and scopes are exactly those of src/routes.c.  The
# Debian packages it needs are installed by scripts/stack-up; without
# them the test is skipped (77).
set -euo pipefail

src=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
python=${PYTHON3:-/usr/bin/python3}
spec=$src/docs/openapi.yaml

command -v yamllint >/dev/null 2>&1 ||
    { echo "SKIP: yamllint is not installed (Debian: yamllint)"; exit 77; }
"$python" -c 'import yaml, jsonschema' 2>/dev/null ||
    { echo "SKIP: $python lacks python3-yaml or python3-jsonschema"; \
    exit 77; }

yamllint -s -d '{extends: default, rules: {document-start: disable,
    line-length: {max: 80, allow-non-breakable-words: true}}}' "$spec"
echo "ok: yamllint $spec"
"$python" "$src/tests/openapi/check.py" "$spec" "$src/src/routes.c"
