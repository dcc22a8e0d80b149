#!/bin/bash
# publish.sh: the last `make bench-lab` figures into the docs: copies
# build/bench/{results.md,results.json,b1.png,b2.png} to docs/bench/ and
# puts results.md between the bench-results markers of README.md.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
SRC=$TOP/build/bench
DST=$TOP/docs/bench
README=$TOP/README.md
for f in results.md results.json b1.png b2.png; do
    [[ -s $SRC/$f ]] || { echo "publish: $SRC/$f missing: run make bench-lab first" >&2; exit 1; }
done
grep -q '^<!-- bench-results:begin -->$' "$README" && grep -q '^<!-- bench-results:end -->$' "$README" ||
    { echo "publish: README.md has no bench-results markers" >&2; exit 1; }
cp "$SRC"/results.md "$SRC"/results.json "$SRC"/b1.png "$SRC"/b2.png "$DST/"
when=$(date -u -r "$SRC/results.json" '+%Y-%m-%d %H:%M UTC')
awk -v md="$SRC/results.md" -v when="$when" '
    /^<!-- bench-results:begin -->$/ { print; print ""; print "Run of " when " (`make bench-lab`, then `make bench-publish`):"; print "";
        while ((getline l < md) > 0) print l; print ""; skip = 1; next }
    /^<!-- bench-results:end -->$/ { skip = 0 }
    !skip' "$README" >"$README.new"
mv "$README.new" "$README"
echo "publish: docs/bench/ and README.md updated from the run of $when"
