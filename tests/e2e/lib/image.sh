# shellcheck shell=bash
# Per-run part of the dom0 image (sourced by run.sh): the project's build
# output, the lab's guest scripts, the scenarios or demos, the domU
# initramfs; then every ELF's libraries resolved and one cpio written.

# stage_project STAGE BUILDLOG: make all + make install into STAGE.
# Returns 1 (after a warning) when there is nothing to stage.
stage_project() {
    local stage=$1 log=$2
    rm -rf "$stage"
    mkdir -p "$stage"
    if [[ ! -f $TOP/Makefile ]]; then
        warn "no Makefile at $TOP: the project is NOT staged into dom0 (stock Xen only)"
        return 1
    fi
    say "building the project: make -C $TOP all (log: $log)"
    if ! make -C "$TOP" all >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "make all failed; full log: $log"
    fi
    say "installing the project: make -C $TOP install DESTDIR=$stage PREFIX=/usr"
    if ! make -C "$TOP" install DESTDIR="$stage" PREFIX=/usr >>"$log" 2>&1; then
        if grep -q "No rule to make target 'install'" "$log"; then
            warn "the top-level Makefile has no install target: the project is NOT staged into dom0"
            return 1
        fi
        tail -n 30 "$log" >&2
        die "make install failed; full log: $log"
    fi
    local n
    n=$(find "$stage" -type f | wc -l)
    say "staged $n project file(s): $(cd "$stage" && find . -type f -path '*bin/*' -printf '%P ' 2>/dev/null)"
    return 0
}

# scenario_name FILE: NN-name.sh -> name
scenario_name() {
    local b=${1##*/}
    b=${b%.sh}
    printf '%s\n' "${b#[0-9][0-9]-}"
}

# select_scripts DIR...: the NN-name.sh scripts of each DIR, DIRs in the
# order given and each DIR in name order, filtered by $ONLY. Prints
# "index<TAB>dir<TAB>file" lines.
select_scripts() {
    local i=0 d f
    for d in "$@"; do
        while IFS= read -r f; do
            if [[ -n ${ONLY:-} ]]; then
                [[ $(scenario_name "$f") == "$ONLY" || $f == "$ONLY" || ${f%.sh} == "$ONLY" ]] ||
                    continue
            fi
            printf '%d\t%s\t%s\n' "$i" "$d" "$f"
        done < <(find "$d" -maxdepth 1 -type f -name '[0-9][0-9]-*.sh' -printf '%f\n' | LC_ALL=C sort)
        i=$((i + 1))
    done
}

# build_dom0_image IMG WORK MODE STAGE|"" SCRIPTS_TSV: writes WORK/dom0.cpio
# (STAGE: the project's install tree, "" when nothing was staged).
build_dom0_image() {
    local img=$1 work=$2 mode=$3 stage=$4 tsv=$5
    local root=$work/dom0-root lab=/usr/lib/dom0c-lab
    rm -rf "$root" "$work/domU-root"
    cp -a "$img/dom0-root" "$root"

    # The domU initramfs (its /init is ours, the rest is cached).
    cp -a "$img/domU-root" "$work/domU-root"
    install -m 0755 "$E2E_DIR/guest/domU-init" "$work/domU-root/init"
    (cd "$work/domU-root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
        >"$root$lab/domU/initrd.cpio"

    install -m 0755 "$E2E_DIR/guest/dom0-init" "$root/init"
    install -m 0755 "$E2E_DIR/guest/run-suite" "$root$lab/run-suite"
    install -m 0644 "$E2E_DIR/scenarios/lib.sh" "$root$lab/lib.sh"
    mkdir -p "$root/etc/dom0c-lab" "$root$lab/scenarios" "$root$lab/demo"
    : >"$root/etc/dom0c-lab/scenarios.list"
    : >"$root/etc/dom0c-lab/demo.list"
    local idx dir file list=$root/etc/dom0c-lab/${mode/shell/scenarios}.list
    # Each source folder is copied whole (scenarios may use sibling files).
    while IFS=$'\t' read -r idx dir file; do
        local dest=$lab/${mode/shell/scenarios}/$idx
        if [[ ! -d $root$dest ]]; then
            mkdir -p "$root$dest"
            cp -a "$dir/." "$root$dest/"
        fi
        echo "$dest/$file" >>"$list"
    done <"$tsv"
    {
        echo "LAB_NODES=$NODES"
        echo "LAB_CPUS_PER_NODE=$CPUS_PER_NODE"
        echo "LAB_NODE_MB=$NODE_MB"
        echo "LAB_SCENARIO_TIMEOUT=$SCENARIO_TIMEOUT"
        echo "LAB_RUN_ID=$RUN_ID"
    } >"$root/etc/dom0c-lab/lab.conf"

    if [[ -n $stage ]]; then
        # Relative symlinks only in the tree (assemble.sh), so this copy
        # cannot write through a link to the host.
        cp -a --remove-destination "$stage/." "$root/"
    fi

    say "resolving the shared libraries of every ELF in the dom0 tree"
    local elfs
    mapfile -t elfs < <(elf_list "$root")
    resolve_libs "$root" "dom0 tree" "${elfs[@]}"

    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$work/dom0.cpio"
    say "dom0 initramfs: $(du -m "$work/dom0.cpio" | cut -f1) MB, ${#elfs[@]} ELF files checked"
}
