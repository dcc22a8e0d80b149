#!/bin/bash
# assemble.sh: build, or reuse from the cache, the lab's base images from
# Debian packages only (apt-get download + dpkg -x; no root fs install).
#
#   tests/e2e/assemble.sh        prints the image directory on stdout
#
# Outputs, in build/e2e/images/<key>/ where <key> hashes the package
# versions and this script:
#   xen          the hypervisor (ELF with a multiboot1 header, for -kernel)
#   vmlinux      dom0 kernel, raw ELF (saves Xen's dom0 builder seconds)
#   dom0-root/   dom0 file tree (per-run files are added by run.sh)
#   domU-root/   domU file tree (its /init is added by run.sh)
#   manifest.txt package=version lines and the hypervisor choice
# build/e2e/manifest.txt is a copy of the manifest of the last assembly.
set -euo pipefail
# shellcheck source=lib/host.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/host.sh"

HV_PKG=xen-hypervisor-4.17-amd64
KMETA_PKG=linux-image-amd64
# Everything in the dom0 tree, besides the kernel and the hypervisor.
DOM0_PKGS=(
    xen-utils-4.17 xen-utils-common xenstore-utils libxenmisc4.17
    libxencall1 libxendevicemodel1 libxenevtchn1 libxenforeignmemory1
    libxengnttab1 libxenhypfs1 libxenstore4 libxentoolcore1 libxentoollog1
    libyajl2 libnuma1 libext2fs2 libcom-err2
    busybox-static libc6 libgcc-s1 libtinfo6 libncurses6 liblzma5 zlib1g
    libzstd1 libuuid1 bash libsmartcols1 libblkid1 libmount1 libselinux1
    libpcre2-8-0
)
# util-linux and mount are large and pull in libsystemd & co: keep only
# the tools the hotplug scripts and the scenarios use.
UL_PKGS=(util-linux mount)
UL_KEEP=(
    usr/bin/flock usr/bin/taskset usr/bin/lscpu usr/bin/chrt usr/bin/setsid
    usr/bin/nsenter usr/bin/unshare usr/bin/prlimit usr/bin/getopt
    sbin/losetup bin/mount bin/umount
)
# Kernel modules, in insmod order (paths under kernel/).
DOM0_MODULES=(
    drivers/xen/xen-evtchn.ko drivers/xen/xen-privcmd.ko
    drivers/xen/xenfs/xenfs.ko drivers/xen/xen-gntdev.ko
    drivers/xen/xen-gntalloc.ko drivers/block/loop.ko
    drivers/block/xen-blkback/xen-blkback.ko
    drivers/net/xen-netback/xen-netback.ko
    net/llc/llc.ko net/802/stp.ko net/bridge/bridge.ko
)
# libvirt 9.0 with its libxl driver (issue 7). Debian 12 ships only the
# monolithic libvirtd (the modular virtxend & co. are not packaged): it is
# kept with the libxl driver alone, plus virsh.
LV_PKGS=(libvirt0 libvirt-daemon libvirt-daemon-driver-xen libvirt-clients)
# The libraries libvirt needs beyond the dom0 tree. Only the shared objects
# the loader asks for are copied from them (add_libvirt), and a package that
# provides none is an error: the list is the exact closure.
LV_LIB_PKGS=(
    libxml2 libicu72 libglib2.0-0 libffi8 libgnutls30 libnettle8 libhogweed6
    libgmp10 libp11-kit0 libtasn1-6 libidn2-0 libunistring2 libcurl3-gnutls
    libnghttp2-14 librtmp1 libssh2-1 libpsl5 libbrotli1 libldap-2.5-0
    libsasl2-2 libssh-4 libssl3 libgssapi-krb5-2 libkrb5-3 libk5crypto3
    libkrb5support0 libkeyutils1 libtirpc3 libacl1 libapparmor1 libaudit1
    libcap-ng0 libnl-3-200 libreadline8 libstdc++6
)
LV_DIR=usr/lib/x86_64-linux-gnu/libvirt
LV_ELFS=(usr/sbin/libvirtd usr/bin/virsh "$LV_DIR/connection-driver/libvirt_driver_libxl.so")
# What the lab does not use: the other drivers (network, storage, nodedev,
# ...), the lock and log daemons, the helpers, the other client tools.
LV_DROP=(
    "$LV_DIR/storage-backend" "$LV_DIR/storage-file" "$LV_DIR/lock-driver"
    usr/lib/libvirt usr/sbin/virtlockd usr/sbin/virtlogd usr/bin/virt-admin
    usr/bin/virt-host-validate usr/bin/virt-pki-query-dn usr/bin/virt-pki-validate
    usr/bin/virt-xml-validate usr/bin/virt-ssh-helper usr/share/augeas
    usr/share/libvirt/test-screenshot.png
)
DOMU_MODULES=(drivers/block/xen-blkfront.ko drivers/net/xen-netfront.ko)
DOMU_TOOLS=(xenstore xenstore-read xenstore-write xenstore-list xenstore-ls
            xenstore-exists xenstore-rm xenstore-chmod xenstore-watch)

# --- versions -------------------------------------------------------------

declare -A VER=()

# candidate_versions PKG...: fill VER[pkg] from apt's candidates (offline).
candidate_versions() {
    local pkg="" line
    while IFS= read -r line; do
        case $line in
            [a-z0-9]*:) pkg=${line%:} ;;
            *Candidate:*)
                VER[$pkg]=${line##*Candidate: }
                [[ ${VER[$pkg]} != "(none)" ]] ||
                    die "package $pkg has no candidate version (run apt-get update?)"
                ;;
        esac
    done < <(apt-cache policy "$@")
    local p
    for p in "$@"; do
        [[ -n ${VER[$p]:-} ]] || die "apt knows no package $p (run apt-get update?)"
    done
}

# deb_file PKG VERSION: the path apt-get download gives that package.
deb_file() {
    local v=${2//:/%3a} f
    for f in "$DEB_DIR/${1}_${v}_"*.deb; do
        [[ -e $f ]] && { printf '%s\n' "$f"; return 0; }
    done
    return 1
}

# fetch PKG=VERSION...: download what the cache lacks, in one apt call.
fetch() {
    local want=() pv
    for pv in "$@"; do
        deb_file "${pv%%=*}" "${pv#*=}" >/dev/null || want+=("$pv")
    done
    [[ ${#want[@]} -gt 0 ]] || return 0
    say "downloading ${#want[@]} package(s): ${want[*]}"
    mkdir -p "$DEB_DIR"
    local out rc=0
    out=$(cd "$DEB_DIR" && apt-get download -q "${want[@]}" 2>&1) || rc=$?
    grep -v 'unsandboxed as root' <<<"$out" | sed 's/^/[e2e]   /' >&2 || true
    [[ $rc -eq 0 ]] || die "apt-get download failed (status $rc)"
    for pv in "${want[@]}"; do
        deb_file "${pv%%=*}" "${pv#*=}" >/dev/null ||
            die "download of $pv produced no .deb in $DEB_DIR"
    done
}

# sort_versions_desc: Debian versions on stdin, newest first on stdout.
sort_versions_desc() {
    local v sorted=() i
    while IFS= read -r v; do
        [[ -n $v ]] || continue
        for ((i = 0; i < ${#sorted[@]}; i++)); do
            dpkg --compare-versions "$v" gt "${sorted[i]}" && break
        done
        sorted=("${sorted[@]:0:i}" "$v" "${sorted[@]:i}")
    done
    printf '%s\n' "${sorted[@]}"
}

# choose_hypervisor: the newest served version of HV_PKG whose config has
# CONFIG_SHADOW_PAGING=y (PV live migration needs log-dirty for PV guests).
# Sets HV_VER and HV_WHY. Results are cached per version, so a warm run
# downloads nothing.
choose_hypervisor() {
    local v verdict cache=$BUILD_DIR/hv-check rejected=()
    mkdir -p "$cache"
    while IFS= read -r v; do
        if [[ -f $cache/$v ]]; then
            verdict=$(<"$cache/$v")
        else
            say "checking $HV_PKG=$v for CONFIG_SHADOW_PAGING=y"
            fetch "$HV_PKG=$v"
            if dpkg --fsys-tarfile "$(deb_file "$HV_PKG" "$v")" |
                tar -xO ./boot/xen-4.17-amd64.config |
                grep -qx 'CONFIG_SHADOW_PAGING=y'; then
                verdict=y
            else
                verdict=n
            fi
            echo "$verdict" >"$cache/$v"
        fi
        if [[ $verdict == y ]]; then
            HV_VER=$v
            HV_WHY="newest served version with CONFIG_SHADOW_PAGING=y"
            if [[ ${#rejected[@]} -gt 0 ]]; then
                HV_WHY+="; rejected (no CONFIG_SHADOW_PAGING=y, PV live migration fails): ${rejected[*]}"
            fi
            return 0
        fi
        rejected+=("$v")
    done < <(apt-cache madison "$HV_PKG" | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
             sort -u | sort_versions_desc)
    die "no served version of $HV_PKG has CONFIG_SHADOW_PAGING=y (checked: ${rejected[*]:-none}); PV live migration would fail. See docs: PVH guests under -cpu qemu64,+svm,+npt are the fallback."
}

# --- building -------------------------------------------------------------

# extract_vmlinux BZIMAGE OUT: the raw ELF inside Debian's XZ bzImage.
extract_vmlinux() {
    local off
    # head closes the pipe early: grep's SIGPIPE is expected.
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" | head -1 | cut -d: -f1) || true
    [[ -n $off ]] || die "no XZ payload in $1"
    # xz stops after the first stream, so tail may die of SIGPIPE.
    { tail -c +"$((off + 1))" "$1" || true; } | xz -dc --single-stream >"$2" ||
        die "cannot decompress the kernel payload of $1"
    is_elf "$2" || die "payload of $1 is not an ELF"
}

# busybox_links ROOT: an applet symlink for every command busybox offers
# that the packages do not already provide in any bin directory (bash,
# flock, losetup, setsid... stay the real ones, whatever the PATH order).
busybox_links() {
    local root=$1 p d f
    local -A have=()
    for d in bin sbin usr/bin usr/sbin; do
        for f in "$root/$d"/*; do
            [[ -e $f || -L $f ]] && have[${f##*/}]=1
        done
    done
    while IFS= read -r p; do
        [[ -z ${have[${p##*/}]:-} ]] || continue
        [[ -e $root/$p || -L $root/$p ]] && continue
        p=${p#/}
        mkdir -p "$root/${p%/*}"
        ln -s "$(up_path "${p%/*}")bin/busybox" "$root/$p"
    done < <("$root/bin/busybox" --list-full)
}

# up_path DIR: "../" once per component of DIR ("" for ".").
up_path() {
    [[ $1 != . ]] || return 0
    local slashes=${1//[!\/]/} i out=""
    for ((i = 0; i <= ${#slashes}; i++)); do out+="../"; done
    printf '%s' "$out"
}

# relativize_links ROOT: rewrite absolute symlinks as relative ones, so no
# link in the tree points at the host when the tree is written to from
# outside a chroot (run.sh copies the project's files over it).
relativize_links() {
    local root=$1 l t rel
    while IFS=$'\t' read -r l t; do
        rel=${l#"$root"/}
        ln -sfn "$(up_path "$(dirname "$rel")")${t#/}" "$l"
    done < <(find "$root" -type l -lname '/*' -printf '%p\t%l\n')
}

# add_libvirt ROOT TMP: libvirt, trimmed to the libxl driver, and the shared
# objects of LV_LIB_PKGS that it needs, iterating until the loader is happy.
add_libvirt() {
    local root=$1 tmp=$2 p f s src d miss
    local -A used=()
    say "extracting libvirt (${#LV_PKGS[@]} packages; libxl driver only) and its libraries"
    for p in "${LV_PKGS[@]}"; do
        dpkg -x "$(deb_file "$p" "${VER[$p]}")" "$root"
    done
    for f in "${LV_DROP[@]}"; do rm -rf "${root:?}/$f"; done
    for f in "$root/$LV_DIR"/connection-driver/*.so; do
        [[ ${f##*/} == libvirt_driver_libxl.so ]] || rm -f "$f"
    done
    rm -f "$root"/usr/lib/x86_64-linux-gnu/libvirt-admin.so*
    for p in "${LV_LIB_PKGS[@]}"; do
        mkdir -p "$tmp/lvlib/$p"
        dpkg -x "$(deb_file "$p" "${VER[$p]}")" "$tmp/lvlib/$p"
    done
    while miss=$(missing_libs "$root" "${LV_ELFS[@]/#//}") && [[ -n $miss ]]; do
        for s in $miss; do
            src=""
            for p in "${LV_LIB_PKGS[@]}"; do
                for d in lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu; do
                    [[ -e $tmp/lvlib/$p/$d/$s ]] && { src=$d/$s; break 2; }
                done
            done
            [[ -n $src ]] || die "libvirt needs $s, which no package of LV_LIB_PKGS provides"
            mkdir -p "$root/${src%/*}"
            cp -L "$tmp/lvlib/$p/$src" "$root/$src"
            used[$p]=1
        done
    done
    for p in "${LV_LIB_PKGS[@]}"; do
        [[ -n ${used[$p]:-} ]] || die "LV_LIB_PKGS: $p provides no library that libvirt needs"
    done
    # Under QEMU's qemu64 CPU the features Xen reports (physinfo hw_cap)
    # match no model of libvirt's cpu_map, and libvirt 9.0 then does not
    # load its libxl driver ("Cannot find suitable CPU model for given
    # data", "cannot create capabilities for libxenlight"). A model with
    # no feature is the fallback: any better match wins over it.
    printf '%s\n' "<cpus>" "  <model name='lab-any'>" "    <decode host='on' guest='off'/>" \
        "  </model>" "</cpus>" >"$root/usr/share/libvirt/cpu_map/x86_lab-any.xml"
    sed -i "s|^\( *\)<include filename='x86_486.xml'/>|&\n\1<include filename='x86_lab-any.xml'/>|" \
        "$root/usr/share/libvirt/cpu_map/index.xml"
    grep -q x86_lab-any "$root/usr/share/libvirt/cpu_map/index.xml" ||
        die "cannot add the fallback CPU model to libvirt's cpu_map/index.xml"
    mkdir -p "$root"/var/lib/libvirt "$root"/var/log/libvirt "$root"/etc/libvirt
}

build_dom0_root() {
    local root=$1 kdir=$2 tmp=$3 p f
    say "extracting ${#DOM0_PKGS[@]} packages into the dom0 tree"
    for p in "${DOM0_PKGS[@]}"; do
        dpkg -x "$(deb_file "$p" "${VER[$p]}")" "$root"
    done
    for p in "${UL_PKGS[@]}"; do
        dpkg -x "$(deb_file "$p" "${VER[$p]}")" "$tmp/ul"
    done
    for f in "${UL_KEEP[@]}"; do
        mkdir -p "$root/$(dirname "$f")"
        cp -a "$tmp/ul/$f" "$root/$f"
    done
    add_libvirt "$root" "$tmp"
    # Trim what a RAM-only dom0 never uses (and python, which is absent).
    rm -rf "$root"/usr/share/{doc,man,info,locale,lintian,bug,bash-completion} \
        "$root"/usr/share/initramfs-tools "$root"/usr/lib/xen-4.17/lib/python \
        "$root"/usr/lib/xen-4.17/boot "$root"/usr/lib/xen-4.17/bin/pygrub \
        "$root"/usr/bin/pygrub "$root"/etc/init.d "$root"/usr/lib/x86_64-linux-gnu/gconv
    # xl & co straight to the binaries (Debian's wrapper is not needed).
    for f in "$root"/usr/lib/xen-4.17/bin/*; do
        ln -sfn "../lib/xen-4.17/bin/${f##*/}" "$root/usr/sbin/${f##*/}"
    done
    ln -sfn ../lib/xen-4.17/bin/xenstore-control "$root/usr/bin/xenstore-control"
    busybox_links "$root"
    mkdir -p "$root"/{dev,proc,sys,run,tmp,root,mnt,var/lib/xen/images} \
        "$root"/var/log/xen/console "$root"/lib/modules/lab \
        "$root"/usr/lib/dom0c-lab/domU
    ln -sfn /run "$root/var/run"
    ln -sfn /run/lock "$root/var/lock"
    chmod 1777 "$root/tmp"
    printf 'root:x:0:0:root:/root:/bin/bash\n' >"$root/etc/passwd"
    printf 'root:x:0:\n' >"$root/etc/group"
    printf 'autoballoon="off"\nrun_hotplug_scripts=1\n' >"$root/etc/xen/xl.conf"
    printf 'dom0\n' >"$root/etc/hostname"
    for f in "${DOM0_MODULES[@]}"; do
        cp "$kdir/$f" "$root/lib/modules/lab/"
        printf '%s\n' "${f##*/}" >>"$root/lib/modules/lab/order"
    done
    relativize_links "$root"
}

build_domU_root() {
    local root=$1 kdir=$2 dom0=$3 f t
    mkdir -p "$root"/{bin,dev,proc,sys,run,tmp,usr/bin,lib/modules}
    cp "$dom0/bin/busybox" "$root/bin/"
    busybox_links "$root"
    for f in "${DOMU_MODULES[@]}"; do
        cp "$kdir/$f" "$root/lib/modules/"
    done
    # The benchmarks' memory dirtier (B2), static: the tree has no libc.
    gcc -static -O2 -o "$root/bin/dirty" "$E2E_DIR/guest/dirty.c" ||
        die "cannot build guest/dirty.c (gcc -static; libc6-dev)"
    for t in "${DOMU_TOOLS[@]}"; do
        rm -f "$root/usr/bin/$t"
        cp -a "$dom0/usr/bin/$t" "$root/usr/bin/$t"
    done
    # The loader and the libraries these tools need, copied from dom0's
    # tree. Symlinks are resolved inside that tree (an absolute link such
    # as /lib64/ld-linux-x86-64.so.2 would point at the host's file).
    local real
    while IFS= read -r f; do
        real=$(chroot "$dom0" /bin/busybox readlink -f "$f")
        mkdir -p "$root$(dirname "$f")"
        cp --remove-destination "$dom0$real" "$root$f"
    done < <(chroot "$dom0" /lib64/ld-linux-x86-64.so.2 --list /usr/bin/xenstore |
             awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
    real=$(chroot "$dom0" /bin/busybox readlink -f /lib64/ld-linux-x86-64.so.2)
    mkdir -p "$root$(dirname "$real")" "$root/lib64"
    cp --remove-destination "$dom0$real" "$root$real"
    ln -sfn "$real" "$root/lib64/ld-linux-x86-64.so.2"
    relativize_links "$root"
    local missing
    missing=$(missing_libs "$root" /usr/bin/xenstore)
    [[ -z $missing ]] || die "domU tree: unresolved libraries: $missing"
}

build_images() {
    local img=$1 tmp kver
    tmp=$(mktemp -d "$IMG_ROOT/.tmp.XXXXXX")
    mkdir -p "$tmp/out" "$tmp/k" "$tmp/ul"
    local kdeb
    kdeb=$(deb_file "$KPKG" "${VER[$KPKG]}")
    say "extracting the kernel and modules from $KPKG"
    dpkg --fsys-tarfile "$kdeb" | tar -x -C "$tmp/k" --wildcards \
        './boot/vmlinuz-*' "${DOM0_MODULES[@]/#/*/kernel/}" "${DOMU_MODULES[@]/#/*/kernel/}"
    kver=${KPKG#linux-image-}
    local kdir=$tmp/k/lib/modules/$kver/kernel
    say "extracting the raw vmlinux (dom0) and gzipping a copy (domU)"
    extract_vmlinux "$tmp/k/boot/vmlinuz-$kver" "$tmp/out/vmlinux"
    say "unpacking the hypervisor $HV_PKG=$HV_VER"
    dpkg --fsys-tarfile "$(deb_file "$HV_PKG" "$HV_VER")" |
        tar -xO ./boot/xen-4.17-amd64.gz | zcat >"$tmp/out/xen"
    dpkg --fsys-tarfile "$(deb_file "$HV_PKG" "$HV_VER")" |
        tar -xO ./boot/xen-4.17-amd64.config >"$tmp/out/xen.config"
    build_dom0_root "$tmp/out/dom0-root" "$kdir" "$tmp"
    gzip -6 -c "$tmp/out/vmlinux" >"$tmp/out/dom0-root/usr/lib/dom0c-lab/domU/vmlinux.gz"
    say "checking the shared libraries of every ELF in the dom0 tree"
    local elfs missing
    mapfile -t elfs < <(elf_list "$tmp/out/dom0-root")
    missing=$(missing_libs "$tmp/out/dom0-root" "${elfs[@]}")
    [[ -z $missing ]] ||
        die "dom0 tree: libraries missing from the package set: $(echo "$missing" | tr '\n' ' ')"
    # glibc dlopens it for pthread_cancel (ldd does not show it); xl aborts
    # without it.
    [[ -e $tmp/out/dom0-root/lib/x86_64-linux-gnu/libgcc_s.so.1 ]] ||
        die "dom0 tree: libgcc_s.so.1 is missing (package libgcc-s1)"
    say "building the domU tree"
    build_domU_root "$tmp/out/domU-root" "$kdir" "$tmp/out/dom0-root"
    echo "$kver" >"$tmp/out/kernel-release"
    mv "$tmp/out" "$img"
    rm -rf "$tmp"
}

write_manifest() {
    local out=$1 p
    {
        echo "# libdom0c e2e lab: Debian packages used (package=version)"
        for p in $(printf '%s\n' "${!VER[@]}" | sort); do
            echo "$p=${VER[$p]}"
        done
        echo "$HV_PKG=$HV_VER"
        echo "# hypervisor: $HV_PKG=$HV_VER: $HV_WHY"
        echo "# kernel: $KPKG (the one $KMETA_PKG=${VER[$KMETA_PKG]} depends on), dom0 and domU"
    } >"$out"
}

main() {
    local t0
    t0=$(now)
    mkdir -p "$BUILD_DIR" "$IMG_ROOT"
    say "resolving package versions (apt-cache)"
    candidate_versions "$KMETA_PKG"
    KPKG=$(apt-cache depends "$KMETA_PKG" | awk '/Depends: linux-image-/ { print $2; exit }')
    [[ -n $KPKG ]] || die "cannot find the kernel package $KMETA_PKG depends on"
    candidate_versions "$KPKG" "${DOM0_PKGS[@]}" "${UL_PKGS[@]}" "${LV_PKGS[@]}" \
        "${LV_LIB_PKGS[@]}"
    choose_hypervisor
    say "hypervisor: $HV_PKG=$HV_VER ($HV_WHY)"

    local key
    key=$( { for p in "${!VER[@]}"; do echo "$p=${VER[$p]}"; done | sort
             echo "$HV_PKG=$HV_VER"
             cat "${BASH_SOURCE[0]}" "$E2E_DIR/lib/host.sh" "$E2E_DIR/guest/dirty.c"; } | sha256sum | cut -c1-16)
    local img=$IMG_ROOT/$key
    if [[ -f $img/manifest.txt ]]; then
        say "cached images found: $img"
    else
        local pv=() p
        for p in "${!VER[@]}"; do
            [[ $p == "$KMETA_PKG" ]] || pv+=("$p=${VER[$p]}")
        done
        pv+=("$HV_PKG=$HV_VER")
        fetch "${pv[@]}"
        build_images "$img"
        write_manifest "$img/manifest.txt"
        # Keep one image set: older keys are stale package versions.
        find "$IMG_ROOT" -mindepth 1 -maxdepth 1 -not -name "$key" -exec rm -rf {} +
    fi
    cp "$img/manifest.txt" "$BUILD_DIR/manifest.txt"
    say "assembly done in $(elapsed "$t0") s; manifest: $BUILD_DIR/manifest.txt"
    printf '%s\n' "$img"
}

main "$@"
