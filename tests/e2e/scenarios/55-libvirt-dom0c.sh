#!/bin/bash
# libvirt through libdom0c (issue 7): Debian's libvirtd runs with the
# installed drop-in's environment (LD_PRELOAD=libdom0c-libxl-shim.so,
# LIBXL_SAVE_HELPER=dom0c-save-helper) and the libxl hook.  A PV domU is
# carved and reserved as `xl create` does; save + restore place the save
# helper in the domU's leaf and carve once; setmem keeps the ledger
# right; a libvirtd restart loses and doubles nothing; shutdown and
# destroy give everything back; a domU no node fits is refused with
# nothing reserved.
# shellcheck disable=SC2016
# shellcheck source=lib.sh
. "${DOM0C_LIB:-/usr/lib/dom0c-lab/lib.sh}"

name=lvd
ip=10.99.0.55
img=$LAB_IMAGES/$name.img
save=/tmp/$name.save
dropin=/etc/systemd/system/libvirtd.service.d/dom0c.conf
hook_src=/usr/share/dom0c/libvirt/hooks/libxl
EPS=64

cleanup() {
    kill "$sampler" 2>/dev/null
    for n in $name big; do
        lab_virsh destroy $n >/dev/null 2>&1
        lab_virsh undefine $n >/dev/null 2>&1
    done
    lab_libvirt_stop
    xl destroy $name >/dev/null 2>&1
    rm -f "$img" "$save" /tmp/$name.xml /tmp/big.xml /etc/libvirt/hooks/libxl
    dom0c_teardown
}
sampler=""
at_exit cleanup
domid_of() { xl domid "${1:-$name}" 2>/dev/null; }
mem_of() { xl list "${1:-$name}" 2>/dev/null | awk 'NR == 2 { print $3 }'; }
state_of() { lab_virsh domstate $name 2>/dev/null | head -1 | tr ' ' _; }
shut_off() { [[ $(state_of) == shut_off ]] && ! xl domid $name >/dev/null 2>&1; }
running() { [[ $(state_of) == running ]]; }
ledger() { xenstore-read "/tool/dom0c/domains/$1/$2" 2>/dev/null; }
entries() { xenstore-list /tool/dom0c/domains 2>/dev/null | tr '\n' ,; }
# save_helpers: every 0.1 s, the cgroup and CPUs of each save helper
# (one that exits between the reads is left out).
save_helpers() {
    local c cg cpus
    while :; do
        for c in $(grep -l '^libxl-save-hel' /proc/[0-9]*/comm 2>/dev/null); do
            cg=$(cg_of "$(basename "${c%/comm}")")
            cpus=$(sed -n 's/^Cpus_allowed_list:\t*//p' "${c%/comm}/status" 2>/dev/null)
            [[ -n $cg && -n $cpus ]] && echo "${c%/comm} $cg $cpus"
        done
        sleep 0.1
    done
}

# --- dom0c on, libvirtd with the installed drop-in and hook ---------------------
dom0c_teardown
dom0c_lab_conf
dom0c init >/dev/null
base_kb=$(dom0_target_kb)
before=$(dom0c_snapshot)
env=()
while IFS= read -r kv; do env+=("$kv"); done < <(sed -n 's/^Environment=//p' "$dropin" 2>/dev/null)
mkdir -p /etc/libvirt/hooks
cp "$hook_src" /etc/libvirt/hooks/libxl && chmod 755 /etc/libvirt/hooks/libxl
lab_libvirt_start "${env[@]}" DOM0C_SHIM_DEBUG=1
rc=$?
pid=$(cat "$LAB_LIBVIRT_PID" 2>/dev/null)
mapped=$(grep -c 'libdom0c-libxl-shim.so' "/proc/${pid:-0}/maps" 2>/dev/null)
check shim-loaded "$rc" rc="$rc" env="$(echo "${env[*]}" | tr ' ' ,)" shim_mappings="$mapped" \
    libvirtd_cgroup="$(cg_of "${pid:-0}")" hook="$(ls /etc/libvirt/hooks/libxl 2>/dev/null || echo none)"
[[ $rc -eq 0 && $mapped -ge 1 ]] || exit 1

# --- define + start: carved and reserved like xl create -------------------------
truncate -s 64M "$img"
lab_libvirt_xml $name 256 $ip "$img" >/tmp/$name.xml
lab_virsh define /tmp/$name.xml >/dev/null
out=$(lab_virsh start $name 2>&1)
rc=$?
d1=$(domid_of)
leaf=$(find "$DOM0C_CG" -maxdepth 2 -name "dom${d1:-x}" 2>/dev/null)
expect start-carved '[[ $rc -eq 0 && $(mem_of) == $((256 - EPS)) && $(ledger "$d1" requested_mb) == 256 &&
        $(ledger "$d1" given_mb) == $((256 - EPS)) && $(dom0_target_kb) == $((base_kb + EPS * 1024)) && -n $leaf ]]' \
    rc="$rc" domid="${d1:-none}" xl_list_mb="$(mem_of)" ledger_requested="$(ledger "$d1" requested_mb)" \
    ledger_given="$(ledger "$d1" given_mb)" target_kb="$(dom0_target_kb)" base_kb="$base_kb" \
    leaf="${leaf:-none}" said="$(echo "$out" | head -2 | tr '\n' ' ')"
domu_wait_heartbeat $name 2 90

# --- save: the save helper runs in the domU's leaf; the reservation goes --------
save_helpers >/tmp/$name.helpers 2>/dev/null &
sampler=$!
out=$(lab_virsh save $name $save 2>&1)
rc=$?
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
seen=$(awk '{ print $2 ":" $3 }' /tmp/$name.helpers | sort | uniq -c | awk '{ printf "%s%s(x%s)", s, $2, $1; s = "," }')
expect save-placed '[[ $rc -eq 0 ]] && shut_off && grep -q " /dom0c/node[0-9]*/dom$d1 " /tmp/$name.helpers &&
        ! grep -qv " /dom0c/node[0-9]*/dom$d1 " /tmp/$name.helpers && [[ -z $(entries) && $(dom0_target_kb) == "$base_kb" ]]' \
    rc="$rc" helper_cgroup_cpus="${seen:-none}" entries="$(entries)" target_kb="$(dom0_target_kb)" \
    said="$(echo "$out" | tr '\n' ' ' | cut -c1-120)"

# --- restore: placed again, carved once (from M, not from M - eps) --------------
save_helpers >/tmp/$name.helpers 2>/dev/null &
sampler=$!
out=$(lab_virsh restore $save 2>&1)
rc=$?
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
d2=$(domid_of)
seen=$(awk '{ print $2 ":" $3 }' /tmp/$name.helpers | sort | uniq -c | awk '{ printf "%s%s(x%s)", s, $2, $1; s = "," }')
expect restore-once '[[ $rc -eq 0 && -n $d2 && $(mem_of) == $((256 - EPS)) && $(entries) == "$d2," &&
        $(ledger "$d2" given_mb) == $((256 - EPS)) && $(dom0_target_kb) == $((base_kb + EPS * 1024)) ]] && running &&
        grep -q " /dom0c/node[0-9]*/dom$d2 " /tmp/$name.helpers' \
    rc="$rc" domid="${d2:-none}" xl_list_mb="$(mem_of)" entries="$(entries)" \
    ledger_given="$(ledger "$d2" given_mb)" target_kb="$(dom0_target_kb)" helper_cgroup_cpus="${seen:-none}" \
    said="$(echo "$out" | tr '\n' ' ' | cut -c1-120)"
rm -f $save

# --- restart libvirtd with the domain running: nothing lost or doubled ----------
snap=$(dom0c_snapshot)
lab_libvirt_stop
lab_libvirt_start "${env[@]}" DOM0C_SHIM_DEBUG=1
rc=$?
rec=$(dom0c reconcile 2>&1)
expect restart-nothing-to-fix '[[ $rc -eq 0 && $(domid_of) == "$d2" && "$(dom0c_snapshot)" == "$snap" ]] &&
        [[ $rec == *"0 dropped"* && $rec == *"0 adopted"* ]] && running' \
    rc="$rc" domid="$(domid_of || echo none)" reconcile="$(echo "$rec" | tr '\n' ' ')" \
    snapshot_diff="$(diff <(echo "$snap") <(dom0c_snapshot) | grep -c '^[<>]')"

# --- setmem: the ledger records the new M, the domU gets M - eps ----------------
out=$(lab_virsh setmem $name 200M --live 2>&1)
rc=$?
at() { [[ $(mem_of) == "$1" ]]; }
wait_until 60 at $((200 - EPS))
expect setmem-ledger '[[ $rc -eq 0 && $(ledger "$d2" requested_mb) == 200 && $(ledger "$d2" given_mb) == $((200 - EPS)) &&
        $(mem_of) == $((200 - EPS)) && $(dom0_target_kb) == $((base_kb + EPS * 1024)) ]]' \
    rc="$rc" ledger_requested="$(ledger "$d2" requested_mb)" ledger_given="$(ledger "$d2" given_mb)" \
    xl_list_mb="$(mem_of)" target_kb="$(dom0_target_kb)" said="$(echo "$out" | tr '\n' ' ' | cut -c1-120)"

# --- guest shutdown: released, the leaf gone ------------------------------------
lab_virsh shutdown $name >/dev/null 2>&1
wait_until 60 shut_off
sleep 1
expect shutdown-released 'shut_off && [[ -z $(entries) && $(dom0_target_kb) == "$base_kb" ]] &&
        [[ -z $(find "$DOM0C_CG" -name "dom$d2") ]]' \
    state="$(state_of)" entries="$(entries)" target_kb="$(dom0_target_kb)" \
    leaf="$(find "$DOM0C_CG" -name "dom$d2" | head -1)"

# --- start again, destroy: released; everything as before the first start -------
lab_virsh start $name >/dev/null 2>&1
d3=$(domid_of)
given3=$(ledger "$d3" given_mb)
out=$(lab_virsh destroy $name 2>&1)
rc=$?
sleep 1
expect destroy-released '[[ $rc -eq 0 && -n $d3 && $given3 == $((256 - EPS)) ]] && shut_off &&
        [[ "$(dom0c_snapshot)" == "$before" ]]' \
    rc="$rc" domid="${d3:-none}" given_before_destroy="${given3:-none}" \
    snapshot_diff="$(diff <(echo "$before") <(dom0c_snapshot) | grep -c '^[<>]')"

# --- a domU no node fits: refused, nothing reserved ------------------------------
lab_libvirt_xml big 8000 10.99.0.56 "$img" >/tmp/big.xml
lab_virsh define /tmp/big.xml >/dev/null
out=$(lab_virsh start big 2>&1)
rc=$?
why=$(grep 'domain big is not created' "$LAB_LIBVIRT_LOG/libvirtd.out" | tail -1)
expect too-big-refused '[[ $rc -ne 0 && -n $why ]] && ! xl domid big >/dev/null 2>&1 &&
        [[ "$(dom0c_snapshot)" == "$before" ]]' \
    rc="$rc" virsh_said="$(echo "$out" | tr '\n' ' ' | cut -c1-120)" shim_said="${why:-none}" \
    snapshot_diff="$(diff <(echo "$before") <(dom0c_snapshot) | grep -c '^[<>]')"
lab_virsh undefine big >/dev/null 2>&1

info "shim lines in libvirtd's stderr:"
grep 'dom0c' "$LAB_LIBVIRT_LOG/libvirtd.out" | tail -n 12
