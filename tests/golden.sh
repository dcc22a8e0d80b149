#!/bin/bash
# Golden plans: for every tests/golden/<name>.args, runs
#   dom0c plan -j --topology tests/fixtures/<topology> <args>
# and compares the JSON with tests/golden/<name>.plan.json.
# --regen rewrites the golden files deliberately (review the diff!).
set -euo pipefail
regen=0
if [ "${1:-}" = --regen ]; then regen=1; shift; fi
dom0c=${1:?usage: golden.sh [--regen] path/to/dom0c}
cd "$(dirname "$0")/.."
pass=0 fail=0
for args in tests/golden/*.args; do
    name=$(basename "$args" .args)
    want=tests/golden/$name.plan.json
    # First line: the fixture; the rest: arguments, one per line.
    mapfile -t lines < "$args"
    got=$(mktemp)
    rc=0
    "$dom0c" plan -j --topology "tests/fixtures/${lines[0]}" \
        "${lines[@]:1}" > "$got" || rc=$?
    echo "exit=$rc" >> "$got"
    if [ $regen = 1 ]; then
        cp "$got" "$want"
        echo "regenerated $want"
    elif diff -u "$want" "$got" > /dev/null 2>&1; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name"
        diff -u "$want" "$got" | head -40 || true
    fi
    rm -f "$got"
done
echo "golden: $pass passed, $fail failed"
[ $fail = 0 ]
