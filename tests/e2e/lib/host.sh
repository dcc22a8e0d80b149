# shellcheck shell=bash
# Shared helpers for the host side of the e2e lab (sourced by run.sh and
# assemble.sh). Paths are derived from this file's location, never
# hard-coded, so the lab works from any clone of the repository.

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOP=$(cd "$E2E_DIR/../.." && pwd)
BUILD_DIR=${E2E_BUILD_DIR:-$TOP/build/e2e}
# shellcheck disable=SC2034 # used by the scripts that source this file
DEB_DIR=$BUILD_DIR/debs
# shellcheck disable=SC2034
IMG_ROOT=$BUILD_DIR/images
# shellcheck disable=SC2034
LOG_DIR=$BUILD_DIR/logs

# Monotonic-enough wall clock with sub-second precision, as a decimal string.
now() { date +%s.%N | cut -c1-14; }

# elapsed START [END]: seconds between two now() values, one decimal.
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.1f", b - a }'; }

say() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
warn() { printf '[e2e %s] WARNING: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[e2e %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# is_elf FILE: true for regular files starting with the ELF magic.
is_elf() {
    [[ -f $1 && ! -L $1 ]] || return 1
    [[ $(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ') == '177ELF' ]]
}

# elf_list ROOT: every dynamically linked ELF executable or shared object
# under ROOT (kernel modules and static binaries excluded), one per line,
# as absolute paths inside ROOT.
elf_list() {
    local root=$1 f
    while IFS= read -r -d '' f; do
        case $f in *.ko) continue ;; esac
        is_elf "$f" || continue
        # Only objects with a dynamic section need the loader.
        readelf -d "$f" 2>/dev/null | grep -q '(NEEDED)' || continue
        printf '%s\n' "${f#"$root"}"
    done < <(find "$root" -type f -print0)
}

# missing_libs ROOT FILE...: sonames that the chrooted loader cannot find
# for the given files (paths inside ROOT), one per line, sorted, unique.
missing_libs() {
    local root=$1
    shift
    [[ $# -gt 0 ]] || return 0
    # One chroot for all files: the root has busybox sh and the loader.
    # shellcheck disable=SC2016 # expanded by the chrooted shell
    # (`ld.so --list` stops at the first missing library; the trace mode
    # that ldd uses lists them all as "=> not found".)
    chroot "$root" /bin/busybox sh -c '
        for f; do LD_TRACE_LOADED_OBJECTS=1 /lib64/ld-linux-x86-64.so.2 "$f" 2>&1; done' \
        sh "$@" | awk '/=> not found/ { print $1 }
            /error while loading shared libraries/ { sub(/.*libraries: /, ""); sub(/:.*/, ""); print }' |
        sort -u
}

# host_lib SONAME: the host's copy of a library (same Debian 12 libs),
# searched in the loader's default directories.
host_lib() {
    local d
    for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib /usr/lib \
             /usr/local/lib; do
        if [[ -e $d/$1 ]]; then
            printf '%s\n' "$d/$1"
            return 0
        fi
    done
    return 1
}

# resolve_libs ROOT WHAT FILE...: make every shared library that FILEs
# (paths inside ROOT) need resolvable inside ROOT, copying missing ones from
# the host, iterating until closed. WHAT names the set in messages. Dies if a
# library is found neither in ROOT nor on the host.
resolve_libs() {
    local root=$1 what=$2 lib src added=()
    shift 2
    local todo=("$@")
    while [[ ${#todo[@]} -gt 0 ]]; do
        local next=()
        while IFS= read -r lib; do
            [[ -n $lib ]] || continue
            src=$(host_lib "$lib") ||
                die "$what: shared library $lib is needed but found neither in the image nor on the host (/lib, /usr/lib)"
            mkdir -p "$root$(dirname "$src")"
            cp -L --remove-destination "$src" "$root$src"
            added+=("$src")
            next+=("$src")
        done < <(missing_libs "$root" "${todo[@]}")
        todo=("${next[@]}")
    done
    if [[ ${#added[@]} -gt 0 ]]; then
        say "$what: added ${#added[@]} host librar$( ((${#added[@]} == 1)) && echo y || echo ies): ${added[*]}"
    fi
    return 0
}
