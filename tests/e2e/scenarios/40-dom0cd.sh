#!/bin/bash
# dom0cd (issue 6): a domU writing to its disk gets its blkback thread and
# IRQ on its node, and Algorithm 1 moves memory to dom0 by the configured
# levels and gives it back when the writes stop; an idle domU beside it
# gets nothing; dom0c account charges dom0's CPU to the busy domU; a
# kill -9 of dom0cd during the ramp leaves ledger and targets consistent.
# shellcheck disable=SC2016
# shellcheck source=lib.sh
. "${DOM0C_LIB:-/usr/lib/dom0c-lab/lib.sh}"

XL=xl-dom0c
EPS=64
DOMU_MEMORY=256 DOMU_MAXMEM=320

start_dom0cd() {
    dom0cd -f --period 1 --pidfile /run/dom0cd.pid \
        --prometheus /tmp/dom0c.prom >>/tmp/dom0cd.log 2>&1 &
    echo $!
}
at_exit dom0c_teardown
at_exit 'for d in busy idle; do $XL destroy $d 2>/dev/null; domu_destroy $d; done'
at_exit 'kill $(cat /run/dom0cd.pid 2>/dev/null) 2>/dev/null; sleep 1'
dom0c_teardown
dom0c_lab_conf
cat >>/etc/xen/dom0c.conf <<'CONF'
# Algorithm 1 in the lab: two levels the emulated disk reaches.
io_levels = [ "256:16", "2048:32" ]
io_hysteresis = "0.25"
CONF
dom0c init >/dev/null
: >/tmp/dom0cd.log
pid=$(start_dom0cd)
domid_of() { $XL domid "$1" 2>/dev/null; }
entry() { xenstore-read /tool/dom0c/domains/"$1"/"$2" 2>/dev/null; }
irq_counts() {  # "IRQ COUNT" of every blkif-backend line
    awk '/blkif-backend/ { s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i
                           sub(":", "", $1); print $1, s }' /proc/interrupts
}

DOMU_VCPUS=2 cfg=$(domu_config busy 10.99.0.31)
$XL create "$cfg" >/tmp/busy.log 2>&1
DOMU_VCPUS=1 cfg=$(domu_config idle 10.99.0.32)
$XL create "$cfg" >/tmp/idle.log 2>&1
db=$(domid_of busy) di=$(domid_of idle)
domu_wait_heartbeat busy 2 90
domu_wait_heartbeat idle 2 90
base_kb=$(dom0_target_kb)
given=$(entry "$db" given_mb)

# --- the busy domU writes: its blkback and IRQ sit on its node -------------
before=$(irq_counts)
xenstore-write /local/domain/"$db"/data/dom0c-lab dd
t0=$(now)
wait_until 120 eval '[[ $(entry "$db" io_level) -ge 1 ]]'
rise_s=$(since "$t0")
sleep 4
bb=$(grep -lx "$db.xvda-0" /proc/[0-9]*/comm 2>/dev/null | head -1 | cut -d/ -f3)
bbcg=$(cg_of "$bb")
bbcpu=$(taskset -p -c "$bb" 2>/dev/null | awk '{ print $NF }')
# The busy domU's IRQ: the blkif-backend line that counted most since.
irq=$(awk 'NR == FNR { b[$1] = $2; next } $2 - b[$1] > m { m = $2 - b[$1]; k = $1 }
           END { print k }' <(echo "$before") <(irq_counts))
irqcpu=$(cat /proc/irq/"$irq"/smp_affinity_list 2>/dev/null)
expect backend-on-node '[[ $bbcg == /dom0c/node1/dom$db && ( $bbcpu == 2 || $bbcpu == 3 ) && ( $irqcpu == 2 || $irqcpu == 3 ) ]]' \
    blkback_pid="${bb:-none}" cgroup="${bbcg:-none}" cpus="${bbcpu:-none}" irq="${irq:-none}" \
    irq_affinity="${irqcpu:-none}" effective="$(cat /proc/irq/"$irq"/effective_affinity_list 2>/dev/null)" \
    thread_and_irq_same_vcpu="$([[ $bbcpu == "$irqcpu" ]] && echo yes || echo no)"
lvl=$(entry "$db" io_level) res=$(entry "$db" io_reserve_mb)
dtarget=$(xenstore-read /local/domain/"$db"/memory/target)
expect reserve-rises '[[ $lvl -ge 1 && ( $res == 16 || $res == 48 ) && $(dom0_target_kb) == $((base_kb + res * 1024)) && $dtarget == $(((given - res) * 1024)) ]]' \
    io_level="$lvl" reserve_mb="$res" rise_s="$rise_s" dom0_target_kb="$(dom0_target_kb)" \
    base_kb="$base_kb" domu_target_kb="$dtarget" \
    trajectory="$(grep -o 'level [0-9] -> [0-9]: [+-][0-9]* MB' /tmp/dom0cd.log | tr ' ' _ | tr '\n' ';')"
expect idle-gets-nothing '[[ $(entry "$di" io_level) == 0 && $(entry "$di" io_reserve_mb) == 0 ]]' \
    io_level="$(entry "$di" io_level)" reserve_mb="$(entry "$di" io_reserve_mb)"

# --- kill -9 during the ramp, restart: consistent --------------------------
kill -9 "$pid"; wait "$pid" 2>/dev/null
held=$(entry "$db" io_reserve_mb)
pid=$(start_dom0cd)
sleep 5
st=$(dom0c status -j | tr -d ' \n')
drift=$(echo "$st" | grep -o '"drift_mb":-*[0-9]*' | cut -d: -f2)
res=$(entry "$db" io_reserve_mb)
expect restart-consistent '[[ $drift == 0 && $res -ge 16 && $(dom0_target_kb) == $((base_kb + res * 1024)) && $(xenstore-read /local/domain/$db/memory/target) == $(((given - res) * 1024)) ]]' \
    reserve_before_kill="$held" reserve_after_restart="$res" drift_mb="$drift" \
    dom0_target_kb="$(dom0_target_kb)"

# --- the writes stop: everything comes back ---------------------------------
xenstore-write /local/domain/"$db"/data/dom0c-lab idle
t0=$(now)
wait_until 60 eval '[[ $(entry "$db" io_reserve_mb) == 0 ]]'
expect reserve-returns '[[ $(entry "$db" io_reserve_mb) == 0 && $(entry "$db" io_level) == 0 && $(dom0_target_kb) == $base_kb && $(xenstore-read /local/domain/$db/memory/target) == $((given * 1024)) ]]' \
    fall_s="$(since "$t0")" reserve_mb="$(entry "$db" io_reserve_mb)" dom0_target_kb="$(dom0_target_kb)" \
    base_kb="$base_kb"

# --- accounting --------------------------------------------------------------
acc=$(dom0c account -j | tr -d ' \n')
cb=$(echo "$acc" | grep -o "\"domid\":$db,[^}]*" | grep -o '"dom0_cpu_seconds":[0-9.e+-]*' | cut -d: -f2)
ci=$(echo "$acc" | grep -o "\"domid\":$di,[^}]*" | grep -o '"dom0_cpu_seconds":[0-9.e+-]*' | cut -d: -f2)
prom=$(grep -c '^dom0c_domu_dom0_cpu_seconds_total{' /tmp/dom0c.prom 2>/dev/null)
expect account-charges-busy 'awk -v b="$cb" -v i="$ci" "BEGIN { exit !(b > 0.05 && b > 10 * i) }"' \
    busy_dom0_cpu_s="${cb:-none}" idle_dom0_cpu_s="${ci:-none}" prometheus_series="${prom:-0}"
# --- a live migration with dom0cd running: backends re-placed ----------------
t0=$(now)
timeout 180 $XL migrate -s "" busy "$XL migrate-receive" >/tmp/busy-migrate.log 2>&1; rc=$?
dn=$(domid_of busy)
wait_until 20 eval 'bb=$(grep -lx "$dn.xvda-0" /proc/[0-9]*/comm 2>/dev/null | head -1 | cut -d/ -f3); [[ -n $bb && $(cg_of "$bb") == /dom0c/node*/dom$dn ]]'
expect migrate-replaced '[[ $rc == 0 && -n $dn && $dn != "$db" && $(cg_of "$bb") == /dom0c/node*/dom$dn ]]' \
    rc="$rc" migrate_s="$(since "$t0")" old_domid="$db" new_domid="${dn:-none}" \
    blkback_cgroup="$(cg_of "$bb")" blkback_cpus="$(taskset -p -c "$bb" 2>/dev/null | awk '{ print $NF }')"
db=$dn

tail -5 /tmp/dom0cd.log
