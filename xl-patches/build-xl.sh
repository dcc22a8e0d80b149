#!/bin/bash
# Builds xl from Debian's Xen 4.17 source with the patch series of this
# folder, against the installed libxen-dev and this tree's libdom0c:
#   xl-patches/build-xl.sh            -> build/xl/xl
# The source comes from Debian (apt-get source; deb-src is enabled here
# if missing) and is cached in build/xl/ keyed by its version.  A patch
# that does not apply stops the build and says which.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/xl
# The bookworm-security 4.17.7 source is not served by this mirror; the
# bookworm 4.17.5 one is, and tools/xl did not change between them.
version=${XEN_SRC_VERSION:-4.17.5+72-g01140da4e8-1}
src=$out/src-$version
say() { printf '[xl] %s\n' "$*"; }

enable_deb_src() {
    local list=/etc/apt/sources.list.d/dom0c-src.sources
    apt-cache showsrc "xen=$version" 2>/dev/null | grep -q "^Version: $version$" && return
    say "enabling deb-src ($list) and updating the package lists"
    cat >"$list" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt-get update -qq
}

fetch() {
    [ -d "$src/tools/xl" ] && return
    enable_deb_src
    mkdir -p "$out/dl"
    say "downloading the source of xen $version"
    (cd "$out/dl" && apt-get source --download-only -qq "xen=$version")
    say "unpacking it (Debian's patches applied)"
    rm -rf "$src.tmp"
    dpkg-source -x "$out/dl/xen_$version.dsc" "$src.tmp" >/dev/null
    mv "$src.tmp" "$src"
}

patch_tree() {
    local tree=$out/tree p
    rm -rf "$tree" && mkdir -p "$tree/tools"
    cp -r "$src/tools/xl" "$tree/tools/"
    for p in "$top"/xl-patches/[0-9]*.patch; do
        if ! patch -d "$tree" -p1 --dry-run -s <"$p" >/dev/null; then
            echo "xl-patches: $(basename "$p") does not apply to xen $version" \
                 "tools/xl; refresh the series against that source" >&2
            exit 1
        fi
        patch -d "$tree" -p1 -s <"$p"
        say "applied $(basename "$p")"
    done
    cp "$top"/xl-patches/xl_dom0c.[ch] "$top"/libvirt/carve.h "$tree/tools/xl/"
    # The config carving xl shares with the libvirt shim (libvirt/carve.h).
    for f in xsdata request apply; do
        cp "$top/libvirt/$f.c" "$tree/tools/xl/dom0c_carve_$f.c"
    done
    mkdir -p "$tree/tools/xl/xen-tools"
    cp "$src/tools/include/xen-tools/libs.h" "$tree/tools/xl/xen-tools/"
    # Debian ships no tools/config.h: its values, as in Debian's own xl.
    cat >"$tree/tools/xl/config.h" <<'CFG'
#define HAVE_YAJL_YAJL_VERSION_H 1
#define XEN_CONFIG_DIR "/etc/xen"
#define XEN_SCRIPT_DIR "/etc/xen/scripts"
#define XEN_LOCK_DIR   "/var/lock"
#define XEN_DUMP_DIR   "/var/lib/xen/dump"
#define XEN_RUN_DIR    "/var/run/xen"
#define XEN_LOG_DIR    "/var/log/xen"
#define XEN_LIB_DIR    "/var/lib/xen"
#define XENFIRMWAREDIR "/usr/lib/xen-4.17/boot"
#define LIBEXEC_BIN    "/usr/lib/xen-4.17/bin"
CFG
}

build() {
    local dir=$out/tree/tools/xl f objs=()
    local cflags="-O2 -g -Wall -Wno-format-zero-length -Wno-unused-but-set-variable
        -Wmissing-declarations -Wshadow -D__XEN_TOOLS__ -D_FILE_OFFSET_BITS=64
        -D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE
        -D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__
        -I. -I$top/include -include config.h -pthread"
    say "compiling $(ls "$dir"/*.c | wc -l) files"
    for f in "$dir"/*.c; do
        local strict=""
        # Ours builds clean; xl's own files warn with gcc 12 (as upstream).
        case ${f##*/} in xl_dom0c.c | dom0c_carve_*.c) strict="-Wextra -Werror" ;; esac
        # shellcheck disable=SC2086
        (cd "$dir" && gcc $cflags $strict -c "$f" -o "${f%.c}.o")
        objs+=("${f%.c}.o")
    done
    # shellcheck disable=SC2046
    gcc -pthread -o "$out/xl" "${objs[@]}" -L"$top/build" -ldom0c \
        $(pkg-config --libs xlutil xenlight xentoollog) -lyajl
    say "built $out/xl ($(basename "$src"), $(ls "$top"/xl-patches/[0-9]*.patch | wc -l) patches)"
}

fetch
patch_tree
build
