#!/bin/bash
# Stock libvirt 9.0 (Debian 12's libvirtd and its libxl driver; no libdom0c
# shim yet) drives a PV domU: define from XML, start, save + restore,
# daemon restart with the domain running (libvirt reconnects), setmem,
# guest shutdown, start again, destroy, undefine.  libvirtd runs with a
# LIBXL_SAVE_HELPER wrapper that only logs and execs the real helper: it
# shows that the daemon's environment reaches libxl (the shim's route).
# shellcheck disable=SC2016
# shellcheck source=lib.sh
. "${DOM0C_LIB:-/usr/lib/dom0c-lab/lib.sh}"

name=lv
ip=10.99.0.50
img=$LAB_IMAGES/$name.img
save=/tmp/$name.save
helper=/tmp/lv-save-helper
hlog=/tmp/lv-save-helper.log
libxl_log=$LAB_LIBVIRT_LOG/libxl/libxl-driver.log

cleanup() {
    lab_virsh destroy $name >/dev/null 2>&1
    lab_virsh undefine $name >/dev/null 2>&1
    lab_libvirt_stop
    xl destroy $name >/dev/null 2>&1
    rm -f "$img" "$save" /tmp/$name.xml $helper $hlog
}
at_exit cleanup
domid_of() { xl domid $name 2>/dev/null; }
mem_of() { xl list $name 2>/dev/null | awk 'NR == 2 { print $3 }'; }
vcpus_of() { xl list $name 2>/dev/null | awk 'NR == 2 { print $4 }'; }
state_of() { lab_virsh domstate $name 2>/dev/null | head -1 | tr ' ' _; }
running() { [[ $(state_of) == running ]]; }
shut_off() { [[ $(state_of) == shut_off ]] && ! xl domid $name >/dev/null 2>&1; }

# --- the daemon: libvirtd, no systemd/dbus/polkit, an extra environment ------
cat >$helper <<EOF
#!/bin/sh
echo "pid=\$\$ parent=\$(cat /proc/\$PPID/comm) \$*" >>$hlog
exec /usr/lib/xen-4.17/bin/libxl-save-helper "\$@"
EOF
chmod +x $helper
rm -f $hlog
t0=$(now)
lab_libvirt_start LIBXL_SAVE_HELPER=$helper
rc=$?
hv=$(lab_virsh version 2>&1 | sed -n 's/^Running hypervisor: *//p')
lib=$(lab_virsh version 2>&1 | sed -n 's/^Using library: *//p')
pid=$(cat "$LAB_LIBVIRT_PID" 2>/dev/null)
env_ok=$(tr '\0' '\n' <"/proc/${pid:-0}/environ" 2>/dev/null | grep -c "^LIBXL_SAVE_HELPER=$helper$")
hwcaps=$(xl info | sed -n 's/^hw_caps *: *//p')
model=$(lab_virsh capabilities 2>/dev/null | sed -n 's/.*<model>\(.*\)<\/model>.*/\1/p' | head -1)
drivers=$(cd /usr/lib/x86_64-linux-gnu/libvirt/connection-driver && printf '%s,' *.so)
check libvirtd-start "$rc" rc="$rc" start_s="$(since "$t0")" pid="${pid:-none}" \
    hypervisor="${hv:-none}" library="${lib:-none}" env_in_daemon="$env_ok" drivers="${drivers%,}" \
    host_cpu_model="${model:-none}" xen_hw_caps="$hwcaps"
if [[ $rc -ne 0 ]]; then exit 1; fi

# --- define from XML ----------------------------------------------------------
truncate -s 64M "$img"
lab_libvirt_xml $name 256 $ip "$img" >/tmp/$name.xml
out=$(lab_virsh define /tmp/$name.xml 2>&1)
rc=$?
check virsh-define "$rc" rc="$rc" state="$(state_of)" said="$out"

# --- start: xl sees it, 256 MB, 1 vCPU, the guest runs ------------------------
t0=$(now)
out=$(lab_virsh start $name 2>&1)
rc=$?
d1=$(domid_of)
check virsh-start "$rc" rc="$rc" start_s="$(since "$t0")" domid="${d1:-none}" said="$out"
[[ $rc -eq 0 ]] || { tail -n 30 "$libxl_log"; exit 1; }
expect xl-list-memory '[[ $(mem_of) == 256 && $(vcpus_of) == 1 ]]' \
    xl_list_mb="$(mem_of)" want_mb=256 vcpus="$(vcpus_of)" state="$(state_of)"
domu_wait_heartbeat $name 2 90
hb=$(domu_heartbeat $name)
ping -c 2 -W 2 $ip >/dev/null 2>&1
png=$?
expect domu-userspace '[[ $hb -ge 2 && $png -eq 0 ]]' heartbeat="$hb" ping_rc="$png" \
    start_to_userspace_s="$(since "$t0")"

# --- save to /tmp, restore -------------------------------------------------------
t0=$(now)
out=$(lab_virsh save $name $save 2>&1)
rc=$?
size=$(($(stat -c %s $save 2>/dev/null || echo 0) / 1048576))
expect virsh-save '[[ $rc -eq 0 ]] && shut_off' rc="$rc" save_s="$(since "$t0")" \
    file_mb="$size" state="$(state_of)" xl_domid="$(domid_of || echo none)" said="$out"
hb0=$(domu_heartbeat $name)
t0=$(now)
out=$(lab_virsh restore $save 2>&1)
rc=$?
d2=$(domid_of)
rs=$(since "$t0")
domu_wait_heartbeat $name $((hb0 + 2)) 30
hb1=$(domu_heartbeat $name)
expect virsh-restore '[[ $rc -eq 0 && -n $d2 && $d2 != "$d1" && $hb1 -ge $((hb0 + 2)) ]] && running' \
    rc="$rc" restore_s="$rs" old_domid="$d1" new_domid="${d2:-none}" \
    heartbeat_before="$hb0" heartbeat_after="$hb1" xl_list_mb="$(mem_of)" said="$out"
sv=$(grep -c -- '--save-domain' $hlog 2>/dev/null)
rv=$(grep -c -- '--restore-domain' $hlog 2>/dev/null)
expect save-helper-from-env '[[ $sv -ge 1 && $rv -ge 1 ]]' wrapper_saves="$sv" \
    wrapper_restores="$rv" first_call="$(head -1 $hlog 2>/dev/null | cut -c1-70)"
rm -f $save

# --- restart the daemon with the domain running: libvirt reconnects ------------
t0=$(now)
lab_libvirt_stop
alive=$(domid_of)
lab_libvirt_start LIBXL_SAVE_HELPER=$helper
rc=$?
expect libvirtd-restart '[[ $rc -eq 0 && $alive == "$d2" && $(domid_of) == "$d2" ]] && running' \
    rc="$rc" restart_s="$(since "$t0")" domid_while_stopped="${alive:-none}" \
    domid_after="$(domid_of || echo none)" state="$(state_of)" \
    listed="$(lab_virsh list --name 2>&1 | tr '\n' ,)"

# --- setmem on the running domain: the balloon follows -------------------------
t0=$(now)
out=$(lab_virsh setmem $name 192M --live 2>&1)
rc=$?
at_192() { [[ $(mem_of) == 192 ]]; }
wait_until 60 at_192
tgt=$(xenstore-read /local/domain/"$d2"/memory/target 2>/dev/null)
expect virsh-setmem '[[ $rc -eq 0 && $(mem_of) == 192 && $tgt == 196608 ]]' rc="$rc" \
    xl_list_mb="$(mem_of)" want_mb=192 target_kb="${tgt:-none}" setmem_s="$(since "$t0")" \
    dominfo_kb="$(lab_virsh dominfo $name 2>/dev/null | awk '/^Used memory/ { print $3 }')" said="$out"

# --- guest shutdown: the guest powers off, libvirt sees it (shut off) ---------
t0=$(now)
out=$(lab_virsh shutdown $name 2>&1)
rc=$?
wait_until 60 shut_off
con=/var/log/xen/console/guest-$name.log
said_guest=$(grep -c 'DOMU-INIT poweroff (shutdown request)' $con 2>/dev/null)
expect virsh-shutdown '[[ $rc -eq 0 ]] && shut_off' rc="$rc" shutdown_s="$(since "$t0")" \
    state="$(state_of)" xl_domid="$(domid_of || echo none)" guest_said_poweroff="$said_guest"

# --- start again, then destroy ---------------------------------------------------
lab_virsh start $name >/dev/null 2>&1
rc=$?
d3=$(domid_of)
t0=$(now)
out=$(lab_virsh destroy $name 2>&1)
rc2=$?
expect virsh-destroy '[[ $rc -eq 0 && -n $d3 && $rc2 -eq 0 ]] && shut_off' start_rc="$rc" \
    domid="${d3:-none}" destroy_rc="$rc2" destroy_s="$(since "$t0")" state="$(state_of)" \
    loops="$(losetup -a | cut -d: -f1 | tr '\n' ,)"

# --- undefine, stop the daemon: nothing left -------------------------------------
out=$(lab_virsh undefine $name 2>&1)
rc=$?
lab_libvirt_stop
left=$(xl list | awk 'NR > 2 { print $1 }' | tr '\n' ,)
expect libvirt-left-clean '[[ $rc -eq 0 && -z $left && ! -e $LAB_LIBVIRT_PID && ! -e /etc/libvirt/libxl/$name.xml ]]' \
    undefine_rc="$rc" domains="${left:-none}" daemon="$(pgrep -x libvirtd || echo none)"

# What libvirt asks of libxenlight (for the shim's author), from libxl's
# own log (libxl-driver.log, and NAME.log for what names a domain): the
# asynchronous calls with their ao_how (how=(nil): synchronous).
info "libxl async calls (libvirt's libxl logs in $LAB_LIBVIRT_LOG/libxl/):"
sed -En 's/.*libxl: ([a-z_]+\.c):[0-9]+:([a-z_]+): (Domain [0-9]+:)?ao [^:]+: create: (how=[^ ]+).*/\1 \2 \4/p' \
    "$libxl_log" "$LAB_LIBVIRT_LOG/libxl/$name.log" | sort | uniq -c
info "libvirtd.log: $(wc -l <"$LAB_LIBVIRT_LOG/libvirtd.log") lines; warnings and errors:"
grep -E ': (warning|error) :' "$LAB_LIBVIRT_LOG/libvirtd.log" | cut -c1-220 | tail -n 8
