#!/bin/bash
# The patched xl (issue 5): every domU operation reserves and places its
# dom0 share.  create (carved, reserved on the chosen node); two domUs on
# different nodes; live migration to localhost with the save helper
# sampled in its leaf; save + restore; guest poweroff and reboot (the
# monitor's destroy, no double carve); xl destroy; ten migrations with no
# drift; a domU with dom0c = 0 left alone.
# shellcheck disable=SC2016
# shellcheck source=lib.sh
. "${DOM0C_LIB:-/usr/lib/dom0c-lab/lib.sh}"

XL=xl-dom0c
EPS=64
DOMU_MEMORY=256 DOMU_MAXMEM=320

at_exit dom0c_teardown
at_exit 'for d in xa xb xoff; do $XL destroy $d 2>/dev/null; domu_destroy $d; done'
dom0c_teardown
dom0c_lab_conf
dom0c init >/dev/null
base_kb=$(dom0_target_kb)
nres() { xenstore-list /tool/dom0c/domains 2>/dev/null | wc -l; }
domid_of() { $XL domid "$1" 2>/dev/null; }
mem_of() { $XL list "$1" 2>/dev/null | awk 'NR == 2 { print $3 }'; }
nodes_of() { xenstore-read /tool/dom0c/domains/"$1"/nodemap 2>/dev/null; }
guest_do() { xenstore-write /local/domain/"$(domid_of "$1")"/data/dom0c-lab "$2"; }

# --- create: carved, reserved, on the chosen node --------------------------
DOMU_VCPUS=2 cfg_a=$(domu_config xa 10.99.0.11)
t0=$(now)
$XL create "$cfg_a" >/tmp/xa.log 2>&1; rc=$?
da=$(domid_of xa)
check xl-create "$rc" rc="$rc" domid="${da:-none}" create_s="$(since "$t0")" \
    said="$(grep dom0c: /tmp/xa.log | head -1)"
kb=$(dom0_target_kb)
expect create-carved '[[ $(mem_of xa) == $((256 - EPS)) && $kb == $((base_kb + EPS * 1024)) && $(nodes_of "$da") == 2 && -d $DOM0C_CG/node1/dom$da ]]' \
    xl_list_mb="$(mem_of xa)" target_kb="$kb" base_kb="$base_kb" nodemap="$(nodes_of "$da")"
domu_wait_heartbeat xa 2 90

# --- a second domU lands on the other node ---------------------------------
DOMU_VCPUS=1 cfg_b=$(domu_config xb 10.99.0.12)
$XL create "$cfg_b" >/tmp/xb.log 2>&1; rc=$?
db=$(domid_of xb)
expect two-domus-two-nodes '[[ $rc == 0 && $(nodes_of "$da") == 2 && $(nodes_of "$db") == 1 && $(nres) == 2 ]]' \
    xa_nodemap="$(nodes_of "$da")" xb_nodemap="$(nodes_of "${db:-x}")" reservations="$(nres)" \
    target_kb="$(dom0_target_kb)"

# --- live migration: the save helper runs in the domU's leaf ---------------
sample_helper() {   # every libxl-save-helper seen: mode, cgroup, CPUs
    local c p
    while :; do
        for c in $(grep -l '^libxl-save-hel' /proc/[0-9]*/comm 2>/dev/null); do
            p=${c%/comm}
            echo "$(tr '\0' ' ' <"$p/cmdline" | awk '{ print $2 }') $(sed -n 's/^0:://p' "$p/cgroup") $(awk '/Cpus_allowed_list/ { print $2 }' "$p/status")"
        done
        sleep 0.2
    done
}
vcpus_at=$($XL vcpu-list xa | awk 'NR > 1 { printf "%s%s", s, $4; s = "," }')
sample_helper >/tmp/helper.samples 2>/dev/null &
sampler=$!
t0=$(now)
$XL migrate -s "" xa "$XL migrate-receive" >/tmp/xa-migrate.log 2>&1; rc=$?
mig_s=$(since "$t0")
kill $sampler 2>/dev/null; wait $sampler 2>/dev/null
da2=$(domid_of xa)
send=$(grep -m1 -- '--save-domain' /tmp/helper.samples)
recv=$(grep -m1 -- '--restore-domain' /tmp/helper.samples)
send_cg=$(echo "$send" | awk '{ print $2 }') send_cpu=$(echo "$send" | awk '{ print $3 }')
recv_cg=$(echo "$recv" | awk '{ print $2 }')
check xl-migrate "$rc" rc="$rc" migrate_s="$mig_s" old_domid="$da" new_domid="${da2:-none}"
# The domU's vCPUs move between samples (hard affinity 1-3), so the check
# is the placement's invariant: one dom0 vCPU of the memory node (2 or 3);
# the vCPUs' pCPUs seen just before are reported beside it.
expect migrate-helper-placed '[[ $send_cg == /dom0c/node1/dom$da && ( $send_cpu == 2 || $send_cpu == 3 ) && $recv_cg == /dom0c/node1/incoming* ]]' \
    sender_helper_cgroup="${send_cg:-none}" sender_helper_cpus="${send_cpu:-none}" \
    domu_vcpus_on_pcpus="$vcpus_at" receiver_helper_cgroup="${recv_cg:-none}" \
    samples="$(wc -l </tmp/helper.samples)"
left=$(xenstore-list /tool/dom0c/domains | tr '\n' ,)
expect migrate-one-reservation '[[ $(nres) == 2 && -n $(nodes_of "$da2") && -z $(nodes_of "$da") && $(dom0_target_kb) == $((base_kb + 2 * EPS * 1024)) && ! -d $DOM0C_CG/node1/dom$da ]]' \
    ledger_domids="$left" target_kb="$(dom0_target_kb)" stale_leaf="$(ls -d $DOM0C_CG/node*/dom"$da" 2>/dev/null || echo none)"
domu_wait_heartbeat xa "$(( $(domu_heartbeat xa) + 2 ))" 60
check migrate-guest-alive $? heartbeat="$(domu_heartbeat xa)"

# --- save + restore --------------------------------------------------------
free_mb() { $XL info | awk '$1 == "free_memory" { print $3 }'; }
free_before=$(free_mb)
$XL save xb /tmp/xb.save >/tmp/xb-save.log 2>&1; rc=$?
expect xl-save-releases '[[ $rc == 0 && -z $(domid_of xb) && $(nres) == 1 && $(dom0_target_kb) == $((base_kb + EPS * 1024)) ]]' \
    rc="$rc" reservations="$(nres)" target_kb="$(dom0_target_kb)" \
    said="$(tail -2 /tmp/xb-save.log | tr '\n' ' ')"
# Xen counts a destroyed domain's pages as free only once scrubbed: wait,
# so that the node choice sees the host as it is at rest.
wait_until 30 eval '[[ $(free_mb) -ge $((free_before + 180)) ]]'
$XL restore /tmp/xb.save >/tmp/xb-restore.log 2>&1; rc=$?
grep -E 'dom0c:|error' /tmp/xb-restore.log | head -5
db=$(domid_of xb)
n=$(( ($(nodes_of "$db") & 1) + ($(nodes_of "$db") >> 1 & 1) ))
given=$((256 - n * EPS))
wait_until 30 eval '[[ $(mem_of xb) == $given ]]'
expect xl-restore-carves '[[ $rc == 0 && $(mem_of xb) == $given && $(nres) == 2 && $(dom0_target_kb) == $((base_kb + (1 + n) * EPS * 1024)) ]]' \
    rc="$rc" nodemap="$(nodes_of "$db")" given_mb="$given" xl_list_mb="$(mem_of xb)" \
    reservations="$(nres)" target_kb="$(dom0_target_kb)"
rm -f /tmp/xb.save

# --- the guest reboots: the monitor re-creates it, no double carve ---------
domu_wait_heartbeat xb 2 90
guest_do xb reboot
wait_until 120 eval 'd=$(domid_of xb); [[ -n $d && $d != "$db" && $(nres) == 2 ]]'
db2=$(domid_of xb)
n2=$(( ($(nodes_of "$db2") & 1) + ($(nodes_of "$db2") >> 1 & 1) ))
wait_until 30 eval '[[ $(mem_of xb) == $((256 - n2 * EPS)) ]]'
expect guest-reboot-no-double-carve '[[ -n $db2 && $db2 != "$db" && $(mem_of xb) == $((256 - n2 * EPS)) && $(nres) == 2 && $(dom0_target_kb) == $((base_kb + (1 + n2) * EPS * 1024)) ]]' \
    old_domid="$db" new_domid="${db2:-none}" nodemap="$(nodes_of "$db2")" \
    xl_list_mb="$(mem_of xb)" asked=256 reservations="$(nres)" \
    target_kb="$(dom0_target_kb)"

# --- the guest powers off: the monitor's destroy releases ------------------
domu_wait_heartbeat xb 2 90
guest_do xb poweroff
wait_until 60 eval '[[ -z $(domid_of xb) && $(nres) == 1 ]]'
expect guest-poweroff-releases '[[ -z $(domid_of xb) && $(nres) == 1 && $(dom0_target_kb) == $((base_kb + EPS * 1024)) && -z $(ls -d $DOM0C_CG/node*/dom"$db2" 2>/dev/null) ]]' \
    domain="$(domid_of xb || echo gone)" reservations="$(nres)" target_kb="$(dom0_target_kb)"

# --- ten migrations in a row: no drift -------------------------------------
fails=0 times=""
for i in 1 2 3 4 5 6 7 8 9 10; do
    t0=$(now)
    $XL migrate -s "" xa "$XL migrate-receive" >/tmp/xa-m$i.log 2>&1 || fails=$((fails + 1))
    times+="$(since "$t0"),"
done
ledger=$(xenstore-list /tool/dom0c/domains | tr '\n' ,)
expect ten-migrations-no-drift '[[ $fails == 0 && $(nres) == 1 && $ledger == "$(domid_of xa)," && $(dom0_target_kb) == $((base_kb + EPS * 1024)) && $(mem_of xa) == $((256 - EPS)) ]]' \
    failures="$fails" migrate_s="${times%,}" ledger_domids="$ledger" \
    target_kb="$(dom0_target_kb)" xl_list_mb="$(mem_of xa)"

# --- xl destroy --------------------------------------------------------------
$XL destroy xa; rc=$?
expect xl-destroy-releases '[[ $rc == 0 && $(nres) == 0 && $(dom0_target_kb) == $base_kb && -z $(ls -d $DOM0C_CG/node*/dom* 2>/dev/null) ]]' \
    rc="$rc" reservations="$(nres)" target_kb="$(dom0_target_kb)" base_kb="$base_kb"

# --- dom0c = 0: left alone ---------------------------------------------------
DOMU_VCPUS=1 cfg_o=$(domu_config xoff 10.99.0.13 'dom0c = 0')
$XL create "$cfg_o" >/tmp/xoff.log 2>&1; rc=$?
do=$(domid_of xoff)
expect opt-out-untouched '[[ $rc == 0 && $(mem_of xoff) == 256 && $(nres) == 0 && $(dom0_target_kb) == $base_kb && -z $(ls -d $DOM0C_CG/node*/dom* 2>/dev/null) ]]' \
    rc="$rc" xl_list_mb="$(mem_of xoff)" reservations="$(nres)" target_kb="$(dom0_target_kb)"
$XL destroy xoff
expect opt-out-destroy-untouched '[[ $(dom0_target_kb) == $base_kb && $(nres) == 0 ]]' \
    target_kb="$(dom0_target_kb)" reservations="$(nres)"
