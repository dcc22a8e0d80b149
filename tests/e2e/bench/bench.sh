#!/bin/bash
# bench.sh MODE: the lab benchmarks, run in dom0 as an e2e scenario
# (10-bench-native.sh, 20-bench-dom0c.sh source it).  MODE:
#   native  stock xl; dom0 sized like dom0c's main container (1 vCPU
#           online, 640 MB), no containers, no daemon
#   dom0c   xl-dom0c; dom0c init with the lab config; dom0cd -f --period 1
# Every figure is a console line the host-side collector (run-bench.sh)
# parses:   DOM0C-BENCH mode=M test=T key=value ...
#   test=b1        domus=N rep=R main_cpu_pct=P     (dom0 main vCPUs, /proc/stat)
#   test=b2        load=idle|half|full rep=R migrate_s=S rc=RC
#   test=locality  domid= node= blkback_on_node_pct= blkback_ticks= irq_on_node_pct= irqs=
#   test=helper    cpus_seen= on_node_pct= samples=   (libxl-save-helper during B2)
#   test=overhead  xl=stock|dom0c op=create|destroy rep=R seconds=S rc=RC
# A time budget keeps the scenario under run-suite's 600 s limit: a step
# that would not fit is skipped and said so (test=skipped).
# shellcheck disable=SC2016
# shellcheck source=../scenarios/lib.sh
. "${DOM0C_LIB:-/usr/lib/dom0c-lab/lib.sh}"

MODE=${1:?usage: bench.sh native|dom0c [dirty|nodirty]}
DIRTY=${2:-nodirty}            # B2's domU runs guest/dirty (dirty) or idles
REPS=${BENCH_REPS:-3}          # repetitions of every measurement
OV_REPS=${BENCH_OV_REPS:-5}    # repetitions of the overhead pairs
WIN=${BENCH_WIN:-5}            # seconds of one B1 window
BUDGET=${BENCH_BUDGET:-560}    # seconds for the whole scenario
T_BEGIN=$(now)
# shellcheck disable=SC2034 # read by domu_config (lib.sh)
DOMU_MEMORY=256 DOMU_MAXMEM=320 DOMU_VCPUS=1
CPN=${LAB_CPUS_PER_NODE:-2}

bench() { echo "DOM0C-BENCH mode=$MODE $*"; }
tnow() { echo "$EPOCHREALTIME"; }
tsince() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
# fits SECS: true when SECS more seconds stay within the budget.
fits() { awk -v a="$T_BEGIN" -v b="$(now)" -v s="$1" -v B="$BUDGET" 'BEGIN { exit !(b - a + s <= B) }'; }
domid_of() { $XL domid "$1" 2>/dev/null; }
node_of_cpu() { echo $(($1 / CPN)); }

# --- mode setup ---------------------------------------------------------------
loads=()
# Never a bare `wait`: with no loads it would wait for every child of this
# shell, dom0cd included, for ever (what looked like a migration hang).
stop_loads() {
    local p
    ((${#loads[@]})) || return 0
    for p in "${loads[@]}"; do kill "$p" 2>/dev/null; done
    wait "${loads[@]}" 2>/dev/null
    loads=()
}
at_exit stop_loads
if [[ $MODE == dom0c ]]; then
    XL=xl-dom0c
    at_exit dom0c_teardown
    at_exit 'kill $(cat /run/dom0cd.pid 2>/dev/null) 2>/dev/null; sleep 1'
    dom0c_teardown
    dom0c_lab_conf
    dom0c init >/tmp/dom0c-init.log 2>&1; rc=$?
    dom0cd -f --period 1 --pidfile /run/dom0cd.pid >/tmp/dom0cd.log 2>&1 &
    sleep 2
    MAIN=$(cat "$DOM0C_CG/main/cpuset.cpus.effective" 2>/dev/null)
    check bench-setup "$rc" init_rc="$rc" shell_cgroup="$(cg_of $$)" main_cpus="${MAIN:-none}" \
        dom0_target_kb="$(dom0_target_kb)" dom0cd_pid="$(cat /run/dom0cd.pid 2>/dev/null)"
    at_exit 'for p in $(cat $CTRL_CG/cgroup.procs 2>/dev/null); do echo $p >$DOM0C_CG/main/cgroup.procs; done; rmdir $CTRL_CG 2>/dev/null'
else
    XL=xl
    # dom0 sized statically like the main container: vCPU 0 only, 640 MB.
    for c in /sys/devices/system/cpu/cpu[1-9]*/online; do echo 0 >"$c"; done
    at_exit 'for c in /sys/devices/system/cpu/cpu[1-9]*/online; do echo 1 >$c; done; xl mem-set 0 $DOM0_MB'
    xl mem-set 0 "$LAB_MAIN" >/dev/null 2>&1; rc=$?
    MAIN=$(cat /sys/devices/system/cpu/online)
    check bench-setup "$rc" online_cpus="$MAIN" mem_set_rc="$rc" dom0_target_kb="$(dom0_target_kb)"
fi
# MAIN as a list of cpu numbers ("0", "0-1", "0,2" forms).
MAIN_CPUS=$(echo "$MAIN" | awk -F, '{ for (i = 1; i <= NF; i++) { n = split($i, r, "-");
    for (c = r[1]; c <= (n > 1 ? r[2] : r[1]); c++) printf "%d ", c } }')
NMAIN=$(wc -w <<<"$MAIN_CPUS")
bench test=setup main_cpus="${MAIN_CPUS// /,}" main_vcpus="$NMAIN" xl="$XL"

# cpu_sample: "busy total" jiffies of the main vCPUs (steal excluded).
cpu_sample() {
    awk -v want=" $MAIN_CPUS" '$1 ~ /^cpu[0-9]+$/ { c = substr($1, 4)
        if (index(want, " " c " ")) { b += $2 + $3 + $4 + $7 + $8; t += $2 + $3 + $4 + $5 + $6 + $7 + $8 } }
        END { print b + 0, t + 0 }' /proc/stat
}
# irq_snapshot: "IRQ CPU COUNT" for every blkif-backend line.
irq_snapshot() {
    awk 'NR == 1 { for (i = 1; i <= NF; i++) cpu[i] = substr($i, 4); n = NF; next }
         /blkif-backend/ { sub(":", "", $1); for (i = 1; i <= n; i++) print $1, cpu[i], $(i + 1) }' /proc/interrupts
}
blkif_irqs() { irq_snapshot | awk '{ print $1 }' | sort -u; }

# --- domUs --------------------------------------------------------------------
declare -A DNODE=() DIRQ=() ON_T=() ALL_T=() LAST_T=() NSAMP=()
doms=()
at_exit 'for n in b1 b2 b3 ov; do $XL destroy $n >/dev/null 2>&1; xl destroy $n >/dev/null 2>&1; domu_destroy $n; done'
# domU_node DOMID: the node holding most of its memory (Xen's 'u' debug
# key, read back from xl dmesg); else xl list -n; else the ledger.
domU_node() {
    local n
    xl debug-keys u >/dev/null 2>&1
    n=$(xl dmesg 2>/dev/null | awk -v d="$1" '
        { sub(/^\(XEN\) */, ""); if (substr($0, 1, 1) == "[") $0 = substr($0, index($0, "]") + 1) }
        $1 == "Domain" && $2 == d && $3 == "(total:" { on = 1; best = -1; node = ""; next }
        on && $1 == "Node" { sub(":", "", $2); if ($3 + 0 > best) { best = $3 + 0; node = $2 }; next }
        { if (on) res = node; on = 0 }
        END { if (on) res = node; print res }')
    [[ $n =~ ^[0-9]+$ ]] || n=$($XL list -n 2>/dev/null | awk -v d="$1" '$2 == d { print $NF }')
    if ! [[ $n =~ ^[0-9]+$ ]]; then
        n=$(xenstore-read /tool/dom0c/domains/"$1"/nodemap 2>/dev/null)
        case $n in 1) n=0 ;; 2) n=1 ;; 4) n=2 ;; 8) n=3 ;; *) n=${n:-?} ;; esac
    fi
    echo "$n"
}
start_domU() {   # NAME IP: create, wait for its heartbeat, start dd
    local name=$1 ip=$2 cfg before d t0
    cfg=$(domu_config "$name" "$ip")
    before=$(blkif_irqs)
    t0=$(now)
    $XL create "$cfg" >/tmp/"$name".log 2>&1 || { info "create $name failed: $(tail -2 /tmp/"$name".log)"; return 1; }
    d=$(domid_of "$name")
    domu_wait_heartbeat "$name" 2 120
    DNODE[$d]=$(domU_node "$d")
    DIRQ[$d]=$(blkif_irqs | grep -vxF -e "${before:-none}" | head -1)
    xenstore-write /local/domain/"$d"/data/dom0c-lab dd
    doms+=("$d")
    bench test=domu name="$name" domid="$d" node="${DNODE[$d]}" irq="${DIRQ[$d]:-none}" \
        create_to_hb_s="$(since "$t0")" vcpu_pcpus="$($XL vcpu-list "$name" | awk 'NR > 1 { printf "%s%s", s, $4; s = "," }')"
}
# sample_backends: one sample of every dd domU's blkback thread.  No
# fork (bash builtins only): the sampler runs on the main vCPU it measures.
declare -A BBPID=()
sample_backends() {
    local d pid f ticks dt
    for d in "${doms[@]}"; do
        pid=${BBPID[$d]:-}
        if [[ -z $pid || ! -r /proc/$pid/stat ]]; then
            pid=$(grep -lx "$d.xvda-0" /proc/[0-9]*/comm 2>/dev/null | head -1 | cut -d/ -f3)
            BBPID[$d]=$pid LAST_T[$d]=""
        fi
        [[ -n $pid ]] || continue
        read -r -a f <"/proc/$pid/stat" 2>/dev/null || continue
        ticks=$((f[13] + f[14]))
        if [[ -n ${LAST_T[$d]} ]]; then
            dt=$((ticks - ${LAST_T[$d]}))
            ((dt >= 0)) || dt=0
            ALL_T[$d]=$((${ALL_T[$d]:-0} + dt))
            [[ ${DNODE[$d]} =~ ^[0-9]+$ ]] && (( f[38] / CPN == DNODE[$d] )) &&
                ON_T[$d]=$((${ON_T[$d]:-0} + dt))
        fi
        LAST_T[$d]=$ticks
        NSAMP[$d]=$((${NSAMP[$d]:-0} + 1))
    done
}
# threads: "PID/TID COMM CPU TICKS" of every thread in dom0.
threads() {
    awk '{ split(FILENAME, p, "/"); print p[3] "/" p[5], $2, $39, $14 + $15 }' /proc/[0-9]*/task/[0-9]*/stat 2>/dev/null
}
IRQ0=""
# b1_window LEVEL REP: WIN seconds; main-vCPU use; backends sampled.
b1_window() {
    local b0 t0 b1 t1 end
    read -r b0 t0 < <(cpu_sample)
    end=$(awk -v a="$(now)" -v w="$WIN" 'BEGIN { print a + w }')
    while awk -v e="$end" -v n="$(now)" 'BEGIN { exit !(n < e) }'; do
        [[ ${#doms[@]} -gt 0 ]] && sample_backends
        sleep 1
    done
    read -r b1 t1 < <(cpu_sample)
    bench test=b1 domus="$1" rep="$2" main_cpu_pct="$(awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) 'BEGIN { if (t > 0) printf "%.1f", 100 * b / t; else print "na" }')" \
        jiffies=$((t1 - t0))
}

# --- B2: live migration of a memory-dirtying domU, main container loaded ------
# A fresh domU, before B1: in dom0c mode dom0cd's Algorithm 1 has lent
# none of its memory to dom0 yet, so both modes migrate the same guest.
cfg=$(domu_config b1 10.99.0.40)
$XL create "$cfg" >/tmp/b1.log 2>&1
domu_wait_heartbeat b1 2 120
d=$(domid_of b1)
[[ $DIRTY == dirty ]] && xenstore-write /local/domain/"$d"/data/dom0c-lab dirty
sleep 3
bench test=b2-setup dirty="$DIRTY" domid="$d" mem_mb="$($XL list b1 | awk 'NR == 2 { print $3 }')" node="$(domU_node "$d")"
busy() { while :; do :; done; }
half() {   # 50 % duty cycle: 50 ms busy, 50 ms asleep
    local e
    while :; do
        e=$((${EPOCHREALTIME/./} + 50000))
        while ((${EPOCHREALTIME/./} < e)); do :; done
        sleep 0.05
    done
}
start_load() {   # idle|half|full|ctrl: busy loops from this shell (dom0c/main in dom0c mode)
    local i
    case $1 in
        ctrl) for ((i = 0; i < NMAIN; i++)); do
                  (echo "$BASHPID" >"$CTRL_CG/cgroup.procs" && taskset -pc "$CTRL_CPU" "$BASHPID" >/dev/null && busy) &
                  loads+=($!)
              done ;;
        full) for ((i = 0; i < NMAIN; i++)); do busy & loads+=($!); done ;;
        half) if ((NMAIN >= 2)); then
                  for ((i = 0; i < NMAIN / 2; i++)); do busy & loads+=($!); done
              else
                  half & loads+=($!)
              fi ;;
    esac
}
sample_helper() {   # the CPU of every libxl-save-helper, every 0.2 s
    local c
    while :; do
        for c in $(grep -l '^libxl-save-hel' /proc/[0-9]*/comm 2>/dev/null); do
            awk '{ print $39 }' "${c%/comm}/stat" 2>/dev/null
        done
        sleep 0.2
    done
}
: >/tmp/helper.samples
node_b1=$(domU_node "$d")
# B2's other-node load (dom0c mode): the same loop in the secondary
# container of the node the domU is not on, instead of main.
if [[ $MODE == dom0c && $node_b1 =~ ^[01]$ ]]; then
    CTRL_CG=$DOM0C_CG/node$((1 - node_b1))/benchload
    CTRL_CPU=$(cut -d, -f1 "${CTRL_CG%/*}/cpuset.cpus.effective" | cut -d- -f1)
    mkdir -p "$CTRL_CG"
    bench test=b2-control node="$((1 - node_b1))" cpu="$CTRL_CPU"
fi
for r in $(seq 1 "$REPS"); do
    for load in idle half full ${CTRL_CG:+ctrl}; do
        fits 60 || { bench test=skipped what=b2-$load-$r; continue; }
        start_load "$load"
        sleep 1
        sample_helper >>/tmp/helper.samples 2>/dev/null &
        sp=$!
        t0=$(tnow)
        timeout -s KILL 90 $XL migrate -s "" b1 "$XL migrate-receive" >/tmp/b1-migrate.log 2>&1; rc=$?
        s=$(tsince "$t0")
        kill "$sp" 2>/dev/null; wait "$sp" 2>/dev/null
        nl=${#loads[@]}
        stop_loads
        bench test=b2 load="$load" rep="$r" migrate_s="$s" rc="$rc" loops="$nl" dirty="$DIRTY"
        if [[ $rc != 0 ]]; then
            tail -6 /tmp/b1-migrate.log | sed 's/^/[bench] /'
            $XL list | sed 's/^/[bench] /'
            # A migration cut by the timeout may leave the pair behind.
            $XL list | awk '/--incoming|--migratedaway/ { print $1 }' | while read -r x; do $XL destroy "$x"; done
            domid_of b1 >/dev/null || { bench test=skipped what=b2-rest reason=domU-lost; break 2; }
        fi
    done
done
node_b1=$(domU_node "$(domid_of b1)")
bench test=helper node="$node_b1" samples="$(wc -l </tmp/helper.samples)" \
    cpus_seen="$(sort -n /tmp/helper.samples | uniq -c | awk '{ printf "%s%s:%s", s, $2, $1; s = "," }')" \
    on_node_pct="$(awk -v node="$node_b1" -v cpn="$CPN" '{ n++; if (int($1 / cpn) == node) o++ }
        END { if (n) printf "%.1f", 100 * o / n; else print "na" }' /tmp/helper.samples)"
$XL destroy b1 >/dev/null 2>&1
domu_destroy b1

# --- Overhead: xl create / destroy, stock vs patched, alternated --------------
# On a quiet host (no other domU; dom0cd running): what the library adds
# to the toolstack, not the contention of B1's busy domUs.
if [[ $MODE == dom0c ]]; then
    cfg=$(domu_config ov 10.99.0.49)
    for r in $(seq 1 "$OV_REPS"); do
        for x in stock dom0c; do
            fits 45 || { bench test=skipped what=overhead-$x-$r; continue; }
            bin=xl; [[ $x == dom0c ]] && bin=xl-dom0c
            t0=$(tnow); $bin create "$cfg" >/tmp/ov.log 2>&1; rc=$?
            bench test=overhead xl="$x" op=create rep="$r" seconds="$(tsince "$t0")" rc="$rc"
            sleep 1
            t0=$(tnow); $bin destroy ov >/tmp/ov.log 2>&1; rc=$?
            bench test=overhead xl="$x" op=destroy rep="$r" seconds="$(tsince "$t0")" rc="$rc"
            sleep 1
        done
    done
fi
# --- B1: main vCPUs' use with 0..3 domUs running dd ---------------------------
IRQ0=$(irq_snapshot)
ips=(10.99.0.41 10.99.0.42 10.99.0.43)
for level in 0 1 2 3; do
    if ((level > 0)); then
        fits 60 || { bench test=skipped what=b1-level-$level; break; }
        start_domU b$level "${ips[level - 1]}" || break
        sleep 2
    fi
    th0=$(threads)
    for r in $(seq 1 "$REPS"); do b1_window "$level" "$r"; done
    # Who used the main vCPUs in this level's windows (top 6 threads).
    bench test=b1-top domus="$level" threads="$(awk -v want=" $MAIN_CPUS" '
        NR == FNR { b[$1] = $4; next }
        index(want, " " $3 " ") && $4 - b[$1] > 0 { print $4 - b[$1], $2 }' <(echo "$th0") <(threads) |
        sort -rn | head -6 | awk '{ gsub(/[()]/, "", $2); printf "%s%s:%s", s, $2, $1; s = "," }')"
done
IRQ1=$(irq_snapshot)
for d in "${doms[@]}"; do
    irqs=$(awk -v q="${DIRQ[$d]}" -v node="${DNODE[$d]}" -v cpn="$CPN" '
        NR == FNR { if ($1 == q) b[$2] = $3; next }
        $1 == q { dlt = $3 - b[$2]; all += dlt; if (int($2 / cpn) == node) on += dlt }
        END { if (all > 0) printf "%.1f %d", 100 * on / all, all; else print "na 0" }' \
        <(echo "$IRQ0") <(echo "$IRQ1"))
    bench test=locality domid="$d" node="${DNODE[$d]}" \
        blkback_on_node_pct="$(awk -v o="${ON_T[$d]:-0}" -v a="${ALL_T[$d]:-0}" 'BEGIN { if (a > 0) printf "%.1f", 100 * o / a; else print "na" }')" \
        blkback_ticks="${ALL_T[$d]:-0}" samples="${NSAMP[$d]:-0}" \
        irq_on_node_pct="${irqs% *}" irqs="${irqs#* }"
done
# The IRQ lines per CPU (all blkif-backend IRQs together), for the record.
bench test=irq-per-cpu "$(awk 'NR == FNR { b[$1" "$2] = $3; next } { c[$2] += $3 - b[$1" "$2] }
    END { for (k in c) printf "cpu%s=%d ", k, c[k] }' <(echo "$IRQ0") <(echo "$IRQ1"))"

check bench-done 0 elapsed_s="$(since "$T_BEGIN")"
