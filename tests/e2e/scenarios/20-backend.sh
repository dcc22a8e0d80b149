#!/bin/bash
# The real Xen backend (issue 4): dom0c init builds the containers, the
# example toolstack creates and destroys a domU through libdom0c (carved,
# reserved, released byte for byte), a toolstack killed between create and
# commit or between destroy and release is repaired by dom0c reconcile,
# and a guest can neither read nor write the ledger.
# shellcheck disable=SC2016
# shellcheck source=lib.sh
. "${DOM0C_LIB:-/usr/lib/dom0c-lab/lib.sh}"

MINI=/usr/lib/dom0c/mini-toolstack
M=256           # what each domU asks for
EPS=64

at_exit dom0c_teardown
dom0c_teardown
dom0c_lab_conf

# --- dom0c init --dry-run changes nothing -----------------------------------
pre=$(dom0c_snapshot; cg_of $$)
out=$(dom0c init --dry-run 2>&1); rc=$?
post=$(dom0c_snapshot; cg_of $$)
would=$(echo "$out" | grep -c 'dry run: would')
expect init-dry-run-changes-nothing '[[ $rc == 0 && $would -gt 10 && $pre == "$post" ]]' \
    rc="$rc" would_lines="$would" summary="$(echo "$out" | tail -1)"

# --- dom0c init -------------------------------------------------------------
out=$(dom0c init 2>&1); rc=$?
echo "$out"
changes=$(echo "$out" | awk '/^dom0c init:/ { print $3 }')
check init-runs "$rc" rc="$rc" changes="$changes"
main_cpus=$(cat $DOM0C_CG/main/cpuset.cpus 2>&1)
n0=$(cat $DOM0C_CG/node0/cpuset.cpus 2>&1)
n1=$(cat $DOM0C_CG/node1/cpuset.cpus 2>&1)
expect init-cpusets '[[ $main_cpus == 0 && $n0 == 1 && $n1 == 2-3 ]]' \
    main="$main_cpus" node0="$n0" node1="$n1"
mm=$(cat $DOM0C_CG/main/memory.max) m1=$(cat $DOM0C_CG/node1/memory.max)
expect init-memory-max '[[ $mm == $((LAB_MAIN << 20)) && $m1 == $((LAB_BASE << 20)) ]]' \
    main="$mm" node1="$m1"
base_kb=$(dom0_target_kb)
expect init-dom0-target '[[ $base_kb == $(((LAB_MAIN + 2 * LAB_BASE) * 1024)) ]]' \
    target_kb="$base_kb" planned_kb=$(((LAB_MAIN + 2 * LAB_BASE) * 1024))
pins=$(xl vcpu-list 0 | awk '$2 == "0" { printf "%s%s:%s", s, $3, $7; s = "," }')
expect init-dom0-pinned '[[ $pins == "0:0,1:1,2:2,3:3" ]]' vcpu_hard="$pins"
perms=$(xenstore-ls -p /tool/dom0c | tr -s ' ' | tr '\n' ';')
expect init-ledger-dom0-only \
    '[[ $perms == *version* && $(xenstore-ls -p /tool/dom0c | grep -vc "(n0)") == 0 ]]' \
    ledger="$perms"
xs=$(cg_of "$(pidof xenstored | cut -d' ' -f1)")
me=$(cg_of $$)
kwpid=$(grep -l '^kworker' /proc/[0-9]*/comm 2>/dev/null | head -1 | cut -d/ -f3)
kw=$(cg_of "$kwpid")
expect init-process-classes '[[ $xs == /dom0c/main && $me == /dom0c/main && $kw == / ]]' \
    xenstored="$xs" this_script="$me" kworker="${kw:-none}"
out=$(dom0c init 2>&1)
expect init-idempotent '[[ $out == "dom0c init: 0 changes" ]]' output="$out"

# --- live facts round-trip into an offline plan ----------------------------
dom0c facts -j >/tmp/host.json 2>/tmp/facts.err
nodes=$(grep -c '"size_mb"' /tmp/host.json)
plan=$(dom0c plan -j --topology /tmp/host.json --config /etc/xen/dom0c.conf \
       --domu memory=$M,vcpus=2); prc=$?
pnodes=$(echo "$plan" | awk -F'"' '/"nodes"/ { print $4; exit }')
live=$(dom0c plan -j --live --domu memory=$M,vcpus=2 | grep -v '"facts"')
offline=$(echo "$plan" | grep -v '"facts"')
expect facts-live-plan '[[ $nodes == 2 && $prc == 0 && $pnodes == 1 && $live == "$offline" ]]' \
    facts_nodes="$nodes" plan_rc="$prc" plan_nodes="$pnodes" \
    live_equals_roundtrip="$([[ $live == "$offline" ]] && echo yes || echo no)"

# --- create and destroy through the example toolstack ----------------------
clean=$(dom0c_snapshot)
image() { truncate -s 64M "$LAB_IMAGES/$1.img"; echo "$LAB_IMAGES/$1.img"; }
mkdir -p "$LAB_IMAGES"
at_exit 'for d in m1 m2 m3; do xl destroy $d 2>/dev/null; rm -f $LAB_IMAGES/$d.img; done'
out=$($MINI create m1 "$LAB_DOMU_KERNEL" "$LAB_DOMU_RAMDISK" $M 2 "$(image m1)" 2>&1); rc=$?
echo "$out"
domid=$(echo "$out" | awk '/^domid/ { print $2 }')
check create-example "$rc" rc="$rc" domid="${domid:-none}" out="$out"
mem=$(xl list m1 2>/dev/null | awk 'NR == 2 { print $3 }')
expect create-carved '[[ $mem == $((M - EPS)) ]]' xl_list_mb="$mem" asked=$M eps=$EPS
kb=$(dom0_target_kb)
expect create-dom0-grew '[[ $kb == $((base_kb + EPS * 1024)) ]]' \
    target_kb="$kb" before_kb="$base_kb"
leaf=$(ls -d $DOM0C_CG/node*/dom"$domid" 2>/dev/null)
m1max=$(cat $DOM0C_CG/node1/memory.max)
expect create-leaf '[[ -n $leaf && $m1max == $(((LAB_BASE + EPS) << 20)) ]]' \
    leaf="${leaf:-none}" node1_memory_max="$m1max"
st=$(dom0c status -j | tr -d ' \n')
expect status-shows-reservation '[[ $st == *"\"domid\":$domid,"* && $st == *"\"given_mb\":$((M - EPS))"* ]]' \
    status="$(echo "$st" | grep -o '"reservations":\[[^]]*' | head -c 300)"

# The guest boots with its carved memory; it cannot see or touch the ledger.
domu_wait_heartbeat m1 1 90
hb=$(domu_heartbeat m1)
log=/var/log/xen/console/guest-m1.log
wait_until 20 grep -q 'DOMU-PROBE write path=/tool/dom0c/x' "$log"
probes=$(grep DOMU-PROBE "$log" | tr -d '\r' | tr '\n' ';')
reads_ok=$(grep 'DOMU-PROBE read' "$log" | grep -c ' rc=0 ')
writes_ok=$(grep 'DOMU-PROBE write' "$log" | grep -c ' rc=0 ')
ledger_given=$(xenstore-read /tool/dom0c/domains/"$domid"/given_mb)
written=$(xenstore-read /tool/dom0c/x 2>/dev/null || echo absent)
expect guest-cannot-touch-ledger \
    '[[ $hb -ge 1 && -n $probes && $reads_ok == 0 && $writes_ok == 0 && $ledger_given == $((M - EPS)) && $written == absent ]]' \
    heartbeat="$hb" probes="$probes" ledger_given_mb="$ledger_given" tool_x="$written"

# dom0c exec places any command for a domU (Algorithm 2): the leaf of the
# node holding its memory, the dom0 vCPU of the pCPU its vCPU runs on.
ex=$(dom0c exec --for "$domid" --op save -- sh -c 'cat /proc/self/cgroup; taskset -p -c $$' 2>&1)
excg=$(echo "$ex" | sed -n 's/^0:://p')
excpu=$(echo "$ex" | awk '/affinity list/ { print $NF }')
vcpu_at=$(xl vcpu-list "$domid" | awk 'NR > 1 { printf "%s%s", s, $4; s = "," }')
expect exec-placed '[[ $excg == /dom0c/node1/dom$domid && ( $excpu == 2 || $excpu == 3 ) ]]' \
    cgroup="$excg" cpus="$excpu" domu_vcpus_on_pcpus="$vcpu_at"

# A second init at this point moves the domU's blkback thread next to it.
dom0c init >/dev/null 2>&1
bb=$(grep -lx "$domid.xvda-0" /proc/[0-9]*/comm 2>/dev/null | head -1 | cut -d/ -f3)
bbcg=$(cg_of "$bb")
bbcpu=$(taskset -p -c "$bb" 2>/dev/null | awk '{ print $NF }')
expect backend-thread-placed '[[ $bbcg == /dom0c/node1/dom$domid && ( $bbcpu == 2 || $bbcpu == 3 ) ]]' \
    pid="${bb:-none}" cgroup="${bbcg:-none}" cpus="${bbcpu:-none}"

$MINI destroy "$domid"; rc=$?
after=$(dom0c_snapshot)
check destroy-example "$rc" rc="$rc" domain_left="$(xl domid m1 2>/dev/null || echo none)"
expect destroy-restores-byte-for-byte '[[ $after == "$clean" ]]' \
    target_kb="$(dom0_target_kb)" diff="$(diff <(echo "$clean") <(echo "$after") | tr '\n' ';' | head -c 300)"

# --- kill -9 between create and commit -------------------------------------
DOM0C_EXAMPLE_STALL=create $MINI create m2 "$LAB_DOMU_KERNEL" "$LAB_DOMU_RAMDISK" $M 2 \
    "$(image m2)" >/tmp/m2.log 2>&1 &
pid=$!
wait_until 90 grep -q stalled /tmp/m2.log
kill -9 $pid; wait $pid 2>/dev/null
d2=$(xl domid m2 2>/dev/null)
pending=$(xenstore-list /tool/dom0c/pending 2>/dev/null | wc -l)
entry=$(xenstore-read /tool/dom0c/domains/"$d2"/uuid 2>/dev/null || echo none)
expect killed-before-commit '[[ -n $d2 && $pending == 1 && $entry == none ]]' \
    domid="${d2:-none}" pending="$pending" entry="$entry" target_kb="$(dom0_target_kb)"
out=$(dom0c reconcile 2>&1)
kb=$(dom0_target_kb)
entry=$(xenstore-read /tool/dom0c/domains/"$d2"/uuid 2>/dev/null || echo none)
expect reconcile-adopts '[[ $out == *"1 adopted"* && $entry != none && $kb == $((base_kb + EPS * 1024)) && -d $DOM0C_CG/node1/dom$d2 ]]' \
    output="$out" entry="$entry" target_kb="$kb"
$MINI destroy "$d2" >/dev/null 2>&1
after=$(dom0c_snapshot)
expect adopted-then-destroyed-clean '[[ $after == "$clean" ]]' \
    diff="$(diff <(echo "$clean") <(echo "$after") | tr '\n' ';' | head -c 300)"

# --- kill -9 between destroy and release -----------------------------------
out=$($MINI create m3 "$LAB_DOMU_KERNEL" "$LAB_DOMU_RAMDISK" $M 2 "$(image m3)" 2>&1)
d3=$(echo "$out" | awk '/^domid/ { print $2 }')
DOM0C_EXAMPLE_STALL=destroy $MINI destroy "$d3" >/tmp/m3.log 2>&1 &
pid=$!
wait_until 60 grep -q stalled /tmp/m3.log
kill -9 $pid; wait $pid 2>/dev/null
gone=$(xl domid m3 >/dev/null 2>&1 && echo no || echo yes)
entry=$(xenstore-read /tool/dom0c/domains/"$d3"/uuid 2>/dev/null || echo none)
kb=$(dom0_target_kb)
expect killed-before-release '[[ $gone == yes && $entry != none && $kb == $((base_kb + EPS * 1024)) ]]' \
    domid="${d3:-none}" domain_gone="$gone" entry="$entry" target_kb="$kb"
out=$(dom0c reconcile 2>&1)
after=$(dom0c_snapshot)
expect reconcile-drops '[[ $out == *"1 dropped"* && $after == "$clean" ]]' \
    output="$out" diff="$(diff <(echo "$clean") <(echo "$after") | tr '\n' ';' | head -c 300)"
