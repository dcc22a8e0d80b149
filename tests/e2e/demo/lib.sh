# shellcheck shell=bash
# Helpers for demo scripts (run in dom0 by `run.sh --demo`; every output line
# reaches the user's terminal). title TEXT; show CMD... prints "$ CMD" and
# its output; note TEXT.
title() { printf '\n== %s ==\n' "$*"; }
note() { printf '   (%s)\n' "$*"; }
show() {
    printf '$ %s\n' "$*"
    "$@" 2>&1
    local rc=$?
    [[ $rc -eq 0 ]] || printf '   (exit status %d)\n' "$rc"
    return 0
}
