#!/bin/sh
# The preload test, on a host without dom0c (here: without Xen).
#  1. prog, bound to a fake libxenlight, with the shim in LD_PRELOAD:
#     every call reaches the fake through the shim, which says it went
#     on without dom0c.
#  2. dom0c-save-helper (built with tests/preload/fake-helper as the
#     real helper): it execs the helper with libxl's argv unchanged,
#     whatever it could place, and names a bad domid.
#  3. the libvirt hook: dom0c reconcile on stopped/release/reconnect
#     only, and exit 0 even when dom0c fails.
set -u
prog=$1 shim=$2 helper=$3 hook=$4
out=$(mktemp) err=$(mktemp) log=$(mktemp) fake=$(mktemp)
trap 'rm -f "$out" "$err" "$log" "$fake"' EXIT
fail=0

expect() {                          # file, text
    if ! grep -qF -- "$2" "$1"; then
        echo "preload: expected \"$2\" in:" >&2
        sed 's/^/preload: | /' "$1" >&2
        fail=1
    fi
}

LD_PRELOAD=$(realpath "$shim") DOM0C_SHIM_DEBUG=1 "$prog" >"$out" 2>"$err" ||
    fail=1
cat "$out"
expect "$err" "dom0c-shim: warning: create: libdom0c could not be opened"
expect "$err" "dom0c-shim: debug: asynchronous destroy (ao_how set): passed"

real=$(dirname "$0")/fake-helper
"$helper" --save-domain 9 10 7 0 3 0 >"$out" 2>"$err" || fail=1
expect "$out" "fake-helper: $(realpath "$real") --save-domain 9 10 7 0 3 0"
expect "$err" "dom0c-save-helper: warning: domain 7's save helper runs unplaced"
"$helper" --restore-domain 9 -1 abc 1 0 2 0 3 0 >"$out" 2>"$err" || fail=1
expect "$out" "--restore-domain 9 -1 abc 1 0 2 0 3 0"
expect "$err" "domid 'abc' (argument 4): expected a domU's domid"

printf '#!/bin/sh\necho "dom0c $*" >>%s\nexit 3\n' "$log" >"$fake"
chmod 755 "$fake"
for op in "prepare begin" "start begin" "started begin" "stopped end" \
          "release end" "migrate begin" "reconnect begin"; do
    echo "<domain/>" | DOM0C=$fake "$hook" web1 $op - >/dev/null ||
        { echo "preload: the hook failed on '$op'" >&2; fail=1; }
done
[ "$(grep -c '^dom0c reconcile$' "$log")" = 3 ] ||
    { echo "preload: the hook ran dom0c $(wc -l <"$log") times:" >&2;
      cat "$log" >&2; fail=1; }

if [ "$fail" -ne 0 ]; then
    echo "0 passed, 1 failed"
    exit 1
fi
echo "preload: the shim forwards all six calls and passes through without"
echo "preload: dom0c; dom0c-save-helper runs the real helper as libxl asked;"
echo "preload: the hook reconciles on stopped, release and reconnect only"
