#!/bin/bash
# Baseline with the stock xl: the emulated NUMA host is what the lab says,
# dom0 has one vCPU per pCPU pinned 1:1, and a PV domU with a file-backed
# disk and a vif on the bridge boots, survives a live migration to
# localhost and is destroyed without leaving anything behind.
# Conditions given to expect are evaluated by it, hence single quotes.
# shellcheck disable=SC2016
# shellcheck source=lib.sh
. "${DOM0C_LIB:-/usr/lib/dom0c-lab/lib.sh}"

nodes=${LAB_NODES:-2}
cpn=${LAB_CPUS_PER_NODE:-2}
ncpus=$((nodes * cpn))
name=baseline
ip=10.99.0.2

# --- topology -------------------------------------------------------------
xl info -n >/tmp/xl-info-n.txt 2>&1
got_nodes=$(awk -F': *' '$1 ~ /^nr_nodes/ { print $2 }' /tmp/xl-info-n.txt)
got_cpus=$(awk -F': *' '$1 ~ /^nr_cpus/ { print $2 }' /tmp/xl-info-n.txt)
# cpu_topology rows: "  3:    1    0    1" (cpu: core socket node), up to
# the next section ("device topology", "numa_info").
map=$(awk '/^cpu_topology/ { t = 1; next } /^(device|numa)/ { t = 0 }
           t && $1 ~ /^[0-9]+:$/ { sub(":", "", $1); printf "%s%s:%s", s, $1, $4; s = "," }' \
      /tmp/xl-info-n.txt)
want_map=$(for ((c = 0; c < ncpus; c++)); do printf '%s%d:%d' "${c:+,}" "$c" $((c / cpn)); done)
want_map=${want_map#,}
# numa_info rows: "   0:  3072  1234  10,20" (node: memsize memfree distances)
node_mem=$(awk '/^numa_info/ { t = 1; next } /^[a-z]/ && !/^node:/ { t = 0 }
                t && $1 ~ /^[0-9]+:$/ { printf "%s%s%s", s, $1, $2; s = "," }' /tmp/xl-info-n.txt)
sed -n '/^nr_cpus/,/^nr_nodes/p; /^cpu_topology/,$p' /tmp/xl-info-n.txt
expect xl-info-nodes '[[ $got_nodes == "$nodes" && $got_cpus == "$ncpus" ]]' \
    nr_nodes="$got_nodes" want_nodes="$nodes" nr_cpus="$got_cpus" want_cpus="$ncpus" \
    node_mem_mb="$node_mem"
expect xl-info-cpu-node-map '[[ $map == "$want_map" ]]' map="$map" want="$want_map"

# --- dom0 vCPUs: one per pCPU, vCPU i pinned to pCPU i --------------------
# "Domain-0 0 <vcpu> <cpu> <state> <time> <hard> / <soft>"
vcpus=$(xl vcpu-list 0 | awk '$2 == "0" { printf "%s%s:%s", s, $3, $7; s = "," }')
nv=$(xl vcpu-list 0 | awk '$2 == "0"' | wc -l)
want_pin=$(for ((c = 0; c < ncpus; c++)); do printf '%s%d:%d' "${c:+,}" "$c" "$c"; done)
want_pin=${want_pin#,}
expect dom0-vcpus-pinned '[[ $nv == "$ncpus" && $vcpus == "$want_pin" ]]' \
    vcpus="$nv" want_vcpus="$ncpus" vcpu_hard="$vcpus" want="$want_pin"

# --- a PV domU: disk + vif, boots to userspace ------------------------------
at_exit domu_destroy "$name"
cfg=$(domu_config "$name" "$ip")
t0=$(now)
xl create "$cfg" >/tmp/$name-create.log 2>&1
rc=$?
create_s=$(since "$t0")
domid=$(xl domid "$name" 2>/dev/null)
check domu-create "$rc" rc="$rc" domid="${domid:-none}" create_s="$create_s"
if [[ $rc -ne 0 ]]; then
    tail -20 /tmp/$name-create.log
    tail -20 /var/log/xen/xl-$name.log 2>/dev/null
    exit 1
fi
domu_wait_heartbeat "$name" 2 90
hb=$(domu_heartbeat "$name")
expect domu-userspace '[[ $hb -ge 2 ]]' heartbeat="$hb" create_to_userspace_s="$(since "$t0")"
con=/var/log/xen/console/guest-$name.log
xsname=$(sed -n 's/.*DOMU-INIT xenstore name=//p' "$con" 2>/dev/null | tr -d '\r' | tail -n 1)
expect domu-xenstore-read '[[ $xsname == "$name" ]]' guest_reads_name="${xsname:-none}" console_log="$con"
loop=$(losetup -a | grep "$LAB_IMAGES/$name.img" | cut -d: -f1)
expect domu-disk-loop '[[ -n $loop ]]' loop="${loop:-none}" image="$LAB_IMAGES/$name.img"
ping -c 2 -W 2 "$ip" >/dev/null 2>&1
png=$?
brif=$(cd "/sys/class/net/$LAB_BRIDGE/brif" 2>/dev/null && printf "%s," *)
expect domu-vif-bridge '[[ $png -eq 0 && ,$brif == *",vif$domid.0,"* ]]' \
    bridge_ports="${brif%,}" ping_rc="$png" ip="$ip"

# --- live migration to localhost (no ssh: the transport is a command) ------
hb0=$(domu_heartbeat "$name")
t0=$(now)
xl migrate -s "" "$name" "xl migrate-receive" >/tmp/$name-migrate.log 2>&1
rc=$?
mig_s=$(since "$t0")
newid=$(xl domid "$name" 2>/dev/null)
check domu-migrate "$rc" rc="$rc" migrate_s="$mig_s" old_domid="$domid" new_domid="${newid:-none}"
[[ $rc -eq 0 ]] || tail -30 /tmp/$name-migrate.log
stale=$(xl list | awk 'NR > 1 && ($1 ~ /--incoming$/ || $1 ~ /--migratedaway$/) { print $1 }' | tr '\n' ',')
expect migrate-domid-changed '[[ -n $newid && $newid != "$domid" && -z $stale ]]' \
    old_domid="$domid" new_domid="${newid:-none}" stale_domains="${stale:-none}"
domu_wait_heartbeat "$name" $((hb0 + 3)) 30
hb1=$(domu_heartbeat "$name")
ping -c 2 -W 2 "$ip" >/dev/null 2>&1
png=$?
expect migrate-guest-alive '[[ $hb1 -ge $((hb0 + 3)) && $png -eq 0 ]]' \
    heartbeat_before="$hb0" heartbeat_after="$hb1" ping_rc="$png"

# --- destroy leaves nothing behind -----------------------------------------
t0=$(now)
xl destroy "$name"
rc=$?
check domu-destroy "$rc" rc="$rc" destroy_s="$(since "$t0")"
left_over() {
    doms=$(xl list | awk 'NR > 1 { print $1 }' | grep -vx Domain-0 | tr '\n' ',')
    be=""
    local t id
    for t in $(xenstore-list /local/domain/0/backend 2>/dev/null); do
        for id in $domid $newid; do
            xenstore-exists "/local/domain/0/backend/$t/$id" 2>/dev/null && be+="$t/$id,"
        done
    done
    xs=""
    for id in $domid $newid; do
        xenstore-exists "/local/domain/$id" 2>/dev/null && xs+="/local/domain/$id,"
        xenstore-exists "/libxl/$id" 2>/dev/null && xs+="/libxl/$id,"
    done
    loops=$(losetup -a | cut -d: -f1 | tr '\n' ',')
    [[ -z $doms && -z $be && -z $xs && -z $loops ]]
}
wait_until 10 left_over
expect destroy-no-domain '[[ -z $doms ]]' domains="${doms:-none}"
expect destroy-no-backend '[[ -z $be ]]' backend_dirs="${be:-none}" domids="$domid,$newid"
expect destroy-no-xenstore '[[ -z $xs ]]' xenstore_nodes="${xs:-none}"
expect destroy-no-loop '[[ -z $loops ]]' loop_devices="${loops:-none}"
