#!/bin/bash
# run.sh: boot the real-Xen lab (Xen 4.17 + Debian 6.1 dom0 under QEMU, on
# an emulated NUMA host) and run the e2e scenarios, the demo or a shell.
# See tests/e2e/README.md.
set -euo pipefail
# shellcheck source=lib/host.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/host.sh"
# shellcheck source=lib/image.sh
source "$E2E_DIR/lib/image.sh"
# shellcheck source=lib/qemu.sh
source "$E2E_DIR/lib/qemu.sh"
# shellcheck source=lib/report.sh
source "$E2E_DIR/lib/report.sh"

usage() {
    cat <<EOF
usage: tests/e2e/run.sh [options]
  --scenarios DIR   also run the NN-name.sh scenarios of DIR, after the
                    built-in ones, in name order (repeatable)
  --only NAME       run only the scenario NAME (name without NN- and .sh,
                    or the file name)
  --nodes 2|4       emulated NUMA nodes: 2 (x 2 pCPUs, default) or 4 (x 1 pCPU)
  --demo            run tests/e2e/demo/*.sh in dom0 and show their output
  --shell           interactive dom0 shell on the serial console (quit QEMU
                    with Ctrl-A x); no scenarios
  --timeout SECS    overall limit for the boot and all scenarios (default 900)
  --kvm-probe       first try a short boot under KVM; use KVM if dom0 comes
                    up, else TCG (default: TCG without probing)
  --no-build        do not build and stage the project (lab debugging only)
  -h, --help        this text
Exit status: 0 all passed; 1 a check or scenario failed, no result marker,
timeout, or QEMU died; 2 bad usage.
EOF
}

EXTRA_DIRS=()
ONLY=""
NODES=2
MODE=scenarios
TIMEOUT=900
KVM_PROBE=no
BUILD=yes
while [[ $# -gt 0 ]]; do
    case $1 in
        --scenarios)
            [[ $# -ge 2 && -d $2 ]] || { echo "--scenarios needs a directory" >&2; exit 2; }
            EXTRA_DIRS+=("$(cd "$2" && pwd)")
            shift 2 ;;
        --only)
            [[ $# -ge 2 ]] || { echo "--only needs a name" >&2; exit 2; }
            ONLY=$2
            shift 2 ;;
        --nodes)
            [[ ${2:-} == 2 || ${2:-} == 4 ]] || { echo "--nodes takes 2 or 4" >&2; exit 2; }
            NODES=$2
            shift 2 ;;
        --demo) MODE=demo; shift ;;
        --shell) MODE=shell; shift ;;
        --timeout)
            [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "--timeout takes seconds" >&2; exit 2; }
            TIMEOUT=$2
            shift 2 ;;
        --kvm-probe) KVM_PROBE=yes; shift ;;
        --no-build) BUILD=no; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

# 2 nodes x 2 pCPUs, or 4 nodes x 1 pCPU: 4 vCPUs and 4 GiB either way, as
# much as 2 host cores emulate at a useful speed (Xen scrubs free memory in
# its idle loop, so more RAM slows the boot). Two sockets of two cores in
# both: with one core per socket Xen reports no core ids and `xl info -n`
# prints no cpu_topology rows; 4 nodes on 2 sockets is like AMD's NPS2/4.
CPUS_PER_NODE=$((NODES == 4 ? 1 : 2))
SOCKETS=2
NODE_MB=$((4096 / NODES))
DOM0_MEM=1024M
DOM0_MAX=2048M
SCENARIO_TIMEOUT=600
ACCEL=tcg
WORK=$BUILD_DIR/work
STAGE=$WORK/stage
RUN_ID=$(date +%Y%m%d-%H%M%S)
SERIAL_LOG=$LOG_DIR/$RUN_ID-serial.log
REPORT=$LOG_DIR/$RUN_ID-report.json
STAGED=no
T_STAGE=0 T_READY="" T_QEMU=0 RESULT=FAIL RESULT_LINE=""

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: apt-get install $(grep -v '^#' "$E2E_DIR/host-packages.txt" | paste -sd' ')"
command -v jq >/dev/null || die "jq missing: apt-get install jq"
mkdir -p "$BUILD_DIR" "$LOG_DIR"
# One lab at a time on the host (any checkout): two QEMUs on 2 cores
# double every phase.  DOM0C_LAB_WAIT=1 waits for the other run instead.
LAB_LOCK=${DOM0C_LAB_LOCK:-/tmp/dom0c-lab.lock}
exec {LOCK_FD}>"$LAB_LOCK"
if [[ ${DOM0C_LAB_WAIT:-0} == 1 ]]; then
    flock -n "$LOCK_FD" || { say "waiting for $LAB_LOCK (another lab run)"; flock "$LOCK_FD"; }
else
    flock -n "$LOCK_FD" || die "another e2e run holds $LAB_LOCK (only one QEMU at a time; DOM0C_LAB_WAIT=1 waits)"
fi

# Keep the logs of the last 30 runs.
find "$LOG_DIR" -maxdepth 1 -type f -printf '%f\n' | sed -n 's/^\([0-9]\{8\}-[0-9]\{6\}\)-.*/\1/p' | sort -u | head -n -30 |
    while read -r old; do rm -f "$LOG_DIR/$old"-*; done

T0=$(now)
say "lab: mode=$MODE nodes=$NODES x $CPUS_PER_NODE pCPUs, timeout ${TIMEOUT}s, logs in $LOG_DIR"

# --- what to run ----------------------------------------------------------
rm -rf "$WORK"
mkdir -p "$WORK"
: >"$WORK/checks.tsv"
: >"$WORK/scenarios.tsv"
: >"$WORK/problems.txt"
case $MODE in
    scenarios) select_scripts "$E2E_DIR/scenarios" "${EXTRA_DIRS[@]}" >"$WORK/scripts.tsv" ;;
    demo) ONLY="" select_scripts "$E2E_DIR/demo" >"$WORK/scripts.tsv" ;;
    shell) select_scripts "$E2E_DIR/scenarios" "${EXTRA_DIRS[@]}" >"$WORK/scripts.tsv" ;;
esac
if [[ $MODE != shell && ! -s $WORK/scripts.tsv ]]; then
    ONLY="" select_scripts "$E2E_DIR/scenarios" "${EXTRA_DIRS[@]}" >"$WORK/all.tsv"
    die "no scenario to run${ONLY:+ matches --only $ONLY}; available: $(cut -f3 "$WORK/all.tsv" | paste -sd' ')"
fi
if [[ $MODE == scenarios ]]; then
    say "scenarios: $(cut -f3 "$WORK/scripts.tsv" | paste -sd' ')"
fi

# --- images ---------------------------------------------------------------
t=$(now)
IMG=$("$E2E_DIR/assemble.sh")
T_ASSEMBLY=$(elapsed "$t")
if [[ $BUILD == yes ]]; then
    t=$(now)
    if stage_project "$STAGE" "$LOG_DIR/$RUN_ID-build.log"; then STAGED=yes; fi
    T_STAGE=$(elapsed "$t")
else
    warn "--no-build: the project is NOT staged into dom0"
fi
t=$(now)
build_dom0_image "$IMG" "$WORK" "$MODE" "$([[ $STAGED == yes ]] && echo "$STAGE")" "$WORK/scripts.tsv"
T_IMAGE=$(elapsed "$t")

# --- interactive shell ----------------------------------------------------
if [[ $MODE == shell ]]; then
    qemu_args tcg shell
    say "starting QEMU: dom0 shell on this terminal in ~15 s. Quit QEMU: Ctrl-A x."
    say "Xen's own console: Ctrl-A a three times (Ctrl-A a is how Ctrl-A reaches the guest)."
    say "serial log: $SERIAL_LOG"
    qemu-system-x86_64 "${QEMU_ARGS[@]}" \
        -chardev "stdio,id=ser0,mux=on,signal=off,logfile=$SERIAL_LOG" \
        -serial chardev:ser0 -mon chardev=ser0,mode=readline
    exit 0
fi

# --- batch boot and marker parsing ----------------------------------------
PARTIAL=""
DONE=no

# on_line LINE: act on one serial line (markers, progress, demo output).
on_line() {
    local l=${1//$'\r'/} rest scen name res obs
    case $l in
        DOM0C-READY*)
            T_READY=$(elapsed "$T_BOOT")
            say "dom0 ready ${T_READY}s after QEMU start" ;;
        DOM0C-LAB\ *) say "dom0: ${l#DOM0C-LAB }" ;;
        DOM0C-SCENARIO-START\ *)
            if [[ $MODE == demo ]]; then
                say "demo ${l#DOM0C-SCENARIO-START demo-}:"
            else
                say "scenario ${l#DOM0C-SCENARIO-START }: running"
            fi ;;
        DOM0C-CHECK\ *)
            rest=${l#DOM0C-CHECK }
            read -r scen name res obs <<<"$rest"
            [[ $res == PASS || $res == FAIL ]] || res=FAIL
            printf '%s\t%s\t%s\t%s\n' "$scen" "$name" "$res" "$obs" >>"$WORK/checks.tsv"
            say "  $res $scen/$name $obs" ;;
        DOM0C-SCENARIO\ *)
            read -r scen res obs <<<"${l#DOM0C-SCENARIO }"
            printf '%s\t%s\t%s\n' "$scen" "$res" "$obs" >>"$WORK/scenarios.tsv"
            say "scenario $scen: $res in ${obs}s" ;;
        DOM0C-RESULT\ *)
            RESULT_LINE=${l#DOM0C-RESULT }
            DONE=yes ;;
        DEMO\|*)
            rest=${l#DEMO|}
            printf '%s\n' "${rest# }" ;;
        "(XEN)"*"Xen version"*) say "Xen is booting" ;;
        *"Linux version"*) [[ -n $T_READY ]] || say "dom0 kernel is booting" ;;
        *"Kernel panic"* | *"Panic on CPU"*)
            echo "panic seen on the console: $l" >>"$WORK/problems.txt"
            say "PANIC: $l" ;;
    esac
}

# boot ACCEL MODE LIMIT: boot, parse markers until the result, LIMIT
# seconds, or QEMU's end. Returns 0 when the result marker was seen.
boot() {
    local accel=$1 mode=$2 limit=$3 line status last_pause_check
    qemu_args "$accel" "$mode"
    : >"$SERIAL_LOG"
    T_BOOT=$(now)
    qemu_start_batch "$SERIAL_LOG"
    say "QEMU started (pid $QEMU_PID, $accel): $NODES NUMA nodes x $CPUS_PER_NODE pCPUs, $((NODES * NODE_MB)) MB"
    exec {TAIL_FD}< <(exec tail -n +1 -F "$SERIAL_LOG" 2>/dev/null)
    TAIL_PID=$!
    last_pause_check=$(now)
    DONE=no
    local deadline
    deadline=$(awk -v a="$T_BOOT" -v l="$limit" 'BEGIN { printf "%d", a + l }')
    while :; do
        status=0
        IFS= read -r -t 1 -u "$TAIL_FD" line || status=$?
        if [[ $status -eq 0 ]]; then
            on_line "$PARTIAL$line"
            PARTIAL=""
        elif [[ $status -gt 128 ]]; then
            PARTIAL+=$line
        fi
        if [[ $DONE == yes ]]; then
            [[ $mode != probe ]] || break
            break
        fi
        [[ $mode == probe && -n $T_READY ]] && break
        if ! qemu_alive; then
            # Drain what is left of the log before giving up.
            while IFS= read -r -t 2 -u "$TAIL_FD" line; do on_line "$line"; done
            [[ $DONE == yes ]] && break
            wait "$QEMU_PID" 2>/dev/null && status=0 || status=$?
            echo "QEMU exited (status $status) before the result marker: $(tail -n 3 "$WORK/qemu.err" | tr '\n' ' ')" >>"$WORK/problems.txt"
            say "QEMU exited early (status $status)"
            break
        fi
        if (($(date +%s) >= deadline)); then
            echo "timeout: no result after ${limit}s" >>"$WORK/problems.txt"
            say "TIMEOUT after ${limit}s"
            xen_debug_keys
            break
        fi
        if (($(date +%s) - ${last_pause_check%.*} >= 10)); then
            last_pause_check=$(now)
            if qemu_paused; then
                echo "QEMU paused: $(grep -m1 -i 'error' "$WORK/qemu.err" || echo 'no error on its stderr') (stderr: $WORK/qemu.err)" >>"$WORK/problems.txt"
                say "QEMU is paused: giving up"
                break
            fi
        fi
    done
    qemu_stop
    kill "$TAIL_PID" 2>/dev/null || true
    exec {TAIL_FD}<&-
    T_QEMU=$(elapsed "$T_BOOT")
    [[ $DONE == yes || ($mode == probe && -n $T_READY) ]]
}

cleanup() {
    qemu_stop 2>/dev/null || true
    [[ -z ${TAIL_PID:-} ]] || kill "$TAIL_PID" 2>/dev/null || true
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

if [[ $KVM_PROBE == yes ]]; then
    if [[ -r /dev/kvm && -w /dev/kvm ]]; then
        say "KVM probe: booting under KVM (limit 120 s)"
        if boot kvm probe 120; then
            ACCEL=kvm
            say "KVM probe: dom0 came up in ${T_READY}s: using KVM"
        else
            say "KVM probe failed ($(tail -n 1 "$WORK/problems.txt")): using TCG"
            cp "$SERIAL_LOG" "$LOG_DIR/$RUN_ID-kvm-probe-serial.log"
        fi
        : >"$WORK/problems.txt"
        T_READY=""
    else
        say "KVM probe: /dev/kvm not usable: using TCG"
    fi
fi

remaining=$((TIMEOUT - $(printf '%.0f' "$(elapsed "$T0")")))
((remaining > 60)) || remaining=60
boot "$ACCEL" "$MODE" "$remaining" || true

# --- verdict and report ---------------------------------------------------
T_TOTAL=$(elapsed "$T0")
RESULT=PASS
if [[ $DONE != yes ]]; then
    RESULT=FAIL
    echo "no DOM0C-RESULT marker" >>"$WORK/problems.txt"
fi
[[ $RESULT_LINE == PASS* ]] || RESULT=FAIL
grep -q $'\tFAIL' "$WORK/checks.tsv" "$WORK/scenarios.tsv" && RESULT=FAIL
if [[ $DONE == yes ]]; then
    want=$(sed -n 's/.*checks=\([0-9]*\).*/\1/p' <<<"$RESULT_LINE")
    got=$(wc -l <"$WORK/checks.tsv")
    if [[ $want != "$got" ]]; then
        echo "dom0 reported $want checks, the console showed $got (garbled markers?)" >>"$WORK/problems.txt"
        RESULT=FAIL
    fi
    nwant=$(wc -l <"$WORK/scripts.tsv")
    ngot=$(wc -l <"$WORK/scenarios.tsv")
    if [[ $nwant != "$ngot" ]]; then
        echo "$nwant scenario(s) selected, $ngot reported" >>"$WORK/problems.txt"
        RESULT=FAIL
    fi
fi
tr -d '\r' <"$SERIAL_LOG" >"$SERIAL_LOG.tmp" && mv "$SERIAL_LOG.tmp" "$SERIAL_LOG"
write_report "$REPORT"
cp "$REPORT" "$BUILD_DIR/report.json"
print_summary
[[ $RESULT == PASS ]]
