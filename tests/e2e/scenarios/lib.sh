# shellcheck shell=bash
# Helpers for e2e scenarios, sourced inside dom0 (bash):
#     . "${DOM0C_LIB:-/usr/lib/dom0c-lab/lib.sh}"
#
# A scenario is a script NN-name.sh. It reports with check/expect, one
# marker line per check, always with the observed values:
#     DOM0C-CHECK <scenario> <check> PASS|FAIL <key=value ...>
# and must leave dom0 as it found it (at_exit helps). Do not use `set -e`:
# a failed check should not stop the cleanup.
#
#   check NAME RESULT [key=value ...]   RESULT: 0/PASS/true pass, else fail
#   expect NAME 'CONDITION' [key=value ...]   evaluates CONDITION, then check
#   info TEXT...        a progress line (not a marker)
#   at_exit CMD...      run CMD when the scenario exits (last registered first)
#   wait_until SECS CMD...   poll CMD every 0.5 s; 0 when it succeeded
#   now / since T0      uptime in seconds; seconds since T0 (one decimal)
#   domu_config NAME IP [xl.cfg lines...]   PV domU config + 64 MB sparse disk
#   domu_heartbeat NAME      last heartbeat count the domU wrote (0 if none)
#   domu_wait_heartbeat NAME MIN SECS   wait until heartbeat >= MIN
#   domu_destroy NAME        destroy if running; remove its config and disk

DOM0C_SCENARIO=${DOM0C_SCENARIO:-$(basename "$0" .sh | sed 's/^[0-9][0-9]-//')}
DOM0C_RESULTS=${DOM0C_RESULTS:-/tmp/$DOM0C_SCENARIO.checks}
LAB_IMAGES=/var/lib/xen/images
LAB_DOMU_KERNEL=/usr/lib/dom0c-lab/domU/vmlinux.gz
LAB_DOMU_RAMDISK=/usr/lib/dom0c-lab/domU/initrd.cpio
LAB_BRIDGE=xenbr0
if [[ -r /etc/dom0c-lab/lab.conf ]]; then
    # shellcheck source=/dev/null
    . /etc/dom0c-lab/lab.conf
fi

# _kv ARG: one observed value as a single token (whitespace becomes ',').
_kv() {
    local v=$1
    v=${v//$'\n'/,}
    v=${v//$'\t'/,}
    v=${v// /,}
    printf '%s' "$v"
}

# Locals are _-prefixed: expect evaluates the caller's condition, and
# wait_until runs the caller's command, inside these functions.
check() {
    local _name=$1 _res=$2 _verdict=FAIL _a _obs=""
    shift 2
    case $_res in 0 | PASS | pass | true) _verdict=PASS ;; esac
    for _a in "$@"; do _obs+=" $(_kv "$_a")"; done
    [[ -n $_obs ]] || _obs=" (no-observed-values)"
    echo "DOM0C-CHECK $DOM0C_SCENARIO $_name $_verdict${_obs}"
    echo "$_verdict $_name" >>"$DOM0C_RESULTS"
    [[ $_verdict == PASS ]]
}

expect() {
    local _name=$1 _cond=$2 _rc=0
    shift 2
    eval "$_cond" || _rc=$?
    check "$_name" "$_rc" "$@"
}

info() { echo "[$DOM0C_SCENARIO] $*"; }

_exit_cmds=()
at_exit() {
    _exit_cmds=("$*" "${_exit_cmds[@]}")
    trap _run_exit_cmds EXIT
}
_run_exit_cmds() {
    local _c
    for _c in "${_exit_cmds[@]}"; do eval "$_c" || true; done
}

now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

wait_until() {
    local _secs=$1 _t0
    shift
    _t0=$(now)
    until "$@"; do
        awk -v a="$_t0" -v b="$(now)" -v s="$_secs" 'BEGIN { exit !(b - a < s) }' ||
            return 1
        sleep 0.5
    done
}

domu_config() {
    local name=$1 ip=$2 line
    shift 2
    mkdir -p "$LAB_IMAGES"
    rm -f "$LAB_IMAGES/$name.img"
    truncate -s 64M "$LAB_IMAGES/$name.img"
    {
        echo "name = \"$name\""
        echo 'type = "pv"'
        echo "kernel = \"$LAB_DOMU_KERNEL\""
        echo "ramdisk = \"$LAB_DOMU_RAMDISK\""
        echo "extra = \"console=hvc0 loglevel=4 dom0c_ip=$ip\""
        echo "memory = ${DOMU_MEMORY:-192}"
        echo "maxmem = ${DOMU_MAXMEM:-256}"
        echo "vcpus = ${DOMU_VCPUS:-2}"
        echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=$LAB_IMAGES/$name.img' ]"
        echo "vif = [ 'bridge=$LAB_BRIDGE' ]"
        echo 'on_crash = "preserve"'
        for line in "$@"; do echo "$line"; done
    } >"/tmp/$name.cfg"
    echo "/tmp/$name.cfg"
}

domu_heartbeat() {
    local n
    n=$(dd if="$LAB_IMAGES/$1.img" bs=512 count=1 2>/dev/null | tr -d '\000' |
        awk '$1 == "HB" { print $2; exit }')
    echo "${n:-0}"
}

domu_wait_heartbeat() {
    wait_until "$3" _hb_at_least "$1" "$2"
}
_hb_at_least() { [[ $(domu_heartbeat "$1") -ge $2 ]]; }

domu_destroy() {
    local name=$1
    if xl domid "$name" >/dev/null 2>&1; then
        xl destroy "$name" || true
    fi
    rm -f "/tmp/$name.cfg" "$LAB_IMAGES/$name.img"
}

# ---- libdom0c helpers --------------------------------------------------
#   dom0c_lab_conf           writes /etc/xen/dom0c.conf for the lab
#   dom0c_teardown           undoes dom0c init: processes back to the root
#                            cgroup, dom0c/* removed, /tool/dom0c removed,
#                            dom0 back to DOM0_MB (1024), config removed
#   dom0c_snapshot           ledger, dom0 target, cgroup tree and limits,
#                            as text: equal snapshots mean equal state
#   dom0_target_kb           dom0's memory target from xenstore
#   cg_of PID                the process's cgroup v2 path
DOM0C_CG=/sys/fs/cgroup/dom0c
DOM0_MB=${DOM0_MB:-1024}
# Each node container's base.  The thesis's 75 MB assumes that a save
# file's pages can be written back to disk; the lab's /tmp is RAM, so a
# node container must hold a whole saved domU (320 MB) or `xl save`,
# placed in it, is killed by memory.max.
LAB_BASE=320
LAB_MAIN=640

dom0c_lab_conf() {
    cat >/etc/xen/dom0c.conf <<CONF
# The lab's dom0 (booted dom0_mem=1024M,max:2048M on 2 x 2 pCPUs): one
# main vCPU with $LAB_MAIN MB, $LAB_BASE MB per node container (saves go
# to RAM here), eps 64 MB.
main_profile = "explicit"
main_vcpus = 1
main_memory = $LAB_MAIN
epsilon = 64
secondary_base = $LAB_BASE
domu_min_memory = 64
CONF
}

dom0_target_kb() { xenstore-read /local/domain/0/memory/target; }

cg_of() { sed -n 's/^0:://p' "/proc/$1/cgroup" 2>/dev/null; }

dom0c_snapshot() {
    echo "target_kb $(dom0_target_kb)"
    xenstore-ls -p /tool/dom0c 2>&1
    [ -d "$DOM0C_CG" ] || return 0
    find "$DOM0C_CG" -type d | sort
    for f in "$DOM0C_CG"/*/memory.max "$DOM0C_CG"/*/cpuset.cpus; do
        [ -e "$f" ] && echo "$f $(cat "$f")"
    done
}

dom0c_teardown() {
    local d p
    if [ -d "$DOM0C_CG" ]; then
        for d in $(find "$DOM0C_CG" -depth -type d); do
            for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
                echo "$p" >/sys/fs/cgroup/cgroup.procs 2>/dev/null
                taskset -a -p -c 0-$(($(nproc) - 1)) "$p" >/dev/null 2>&1
            done
            rmdir "$d" 2>/dev/null
        done
    fi
    xenstore-rm /tool/dom0c 2>/dev/null
    xl mem-set 0 "$DOM0_MB" >/dev/null 2>&1
    rm -f /etc/xen/dom0c.conf
}

# ---- libvirt (issue 7) -------------------------------------------------
#   lab_libvirt_start [VAR=VALUE...]   writes /etc/libvirt/{libvirtd,libxl}.conf,
#                            starts libvirtd (Debian 12 has no virtxend) in the
#                            background with VAR=VALUE added to its environment
#                            (LD_PRELOAD=..., LIBXL_SAVE_HELPER=...), waits until
#                            `virsh -c xen:///system version` answers (60 s)
#   lab_libvirt_stop         SIGTERM, waits for the exit (KILL after 20 s);
#                            running domains stay up, a new start reconnects
#   lab_virsh ARGS...        virsh -c xen:///system ARGS...
# No systemd, dbus or polkit: root on the unix socket, auth "none".  Logs:
# /var/log/libvirt/libvirtd.log (libvirt's libxl driver and API calls at
# debug, the rest from warnings), libxl/libxl-driver.log (libxenlight's own
# messages, debug), libxl/NAME.log (per domain), libvirtd.out (stdout/err).
LAB_LIBVIRT_URI=xen:///system
LAB_LIBVIRT_PID=/run/libvirtd.pid
LAB_LIBVIRT_LOG=/var/log/libvirt

# Xen PV in libvirt's words: <domain type='xen'>, machine='xenpv', the
# kernel and initrd given directly (no pygrub).  A file disk with the 'phy'
# driver is what xl's target= does here (the block script, a loop device);
# driver 'qemu' would need QEMU's qdisk backend, which this dom0 lacks.  The
# vif's script is libxl's default, vif-bridge.
# lab_libvirt_xml NAME MB IP DISK: a PV domU of MB MiB and 1 vCPU.
lab_libvirt_xml() {
    cat <<EOF
<domain type='xen'>
  <name>$1</name>
  <memory unit='MiB'>$2</memory>
  <currentMemory unit='MiB'>$2</currentMemory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='xenpv'>linux</type>
    <kernel>$LAB_DOMU_KERNEL</kernel>
    <initrd>$LAB_DOMU_RAMDISK</initrd>
    <cmdline>console=hvc0 loglevel=4 dom0c_ip=$3</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='phy' type='raw'/>
      <source file='$4'/>
      <target dev='xvda' bus='xen'/>
    </disk>
    <interface type='bridge'>
      <source bridge='$LAB_BRIDGE'/>
    </interface>
    <console type='pty'><target type='xen' port='0'/></console>
  </devices>
</domain>
EOF
}

lab_virsh() { virsh -q -c "$LAB_LIBVIRT_URI" "$@"; }

lab_libvirt_start() {
    local pid i
    if [[ -s $LAB_LIBVIRT_PID ]] && kill -0 "$(cat "$LAB_LIBVIRT_PID")" 2>/dev/null; then
        info "libvirtd already runs (pid $(cat "$LAB_LIBVIRT_PID"))"
        return 1
    fi
    mkdir -p /etc/libvirt "$LAB_LIBVIRT_LOG/libxl" /var/lib/libvirt /run/libvirt
    cat >/etc/libvirt/libvirtd.conf <<CONF
# The lab's libvirtd: local unix socket only, root, no polkit.
listen_tls = 0
listen_tcp = 0
unix_sock_group = "root"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
mdns_adv = 0
audit_level = 0
host_uuid = "2e6b0a1c-3d4e-4f50-8a61-7b2c9d0e1f23"
# log_level 1 also makes libxl-driver.log (libxenlight's logger) debug.
log_level = 1
log_filters = "1:libxl 1:libvirt 3:*"
log_outputs = "1:file:$LAB_LIBVIRT_LOG/libvirtd.log"
CONF
    cat >/etc/libvirt/libxl.conf <<CONF
# dom0 has dom0_mem= and the lab's xl.conf autoballoon="off": same here.
autoballoon = 0
CONF
    # Not daemonized (-d would send early errors to /dev/null): a session of
    # its own, stdout/err to a file, the pid file written by libvirtd.
    setsid env "$@" /usr/sbin/libvirtd --pid-file "$LAB_LIBVIRT_PID" \
        >>"$LAB_LIBVIRT_LOG/libvirtd.out" 2>&1 </dev/null &
    pid=$!
    for ((i = 0; i < 120; i++)); do
        lab_virsh version >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    info "libvirtd (pid $pid) did not answer; tail of its logs:"
    tail -n 15 "$LAB_LIBVIRT_LOG/libvirtd.out" "$LAB_LIBVIRT_LOG/libvirtd.log" 2>/dev/null
    return 1
}

lab_libvirt_stop() {
    local pid
    pid=$(cat "$LAB_LIBVIRT_PID" 2>/dev/null)
    if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$LAB_LIBVIRT_PID"
        return 0
    fi
    kill -TERM "$pid"
    wait_until 20 _lab_gone "$pid" || { kill -KILL "$pid"; wait_until 5 _lab_gone "$pid"; }
    rm -f "$LAB_LIBVIRT_PID"
}
_lab_gone() {   # no such process, or a zombie not reaped yet
    [[ ! -e /proc/$1 ]] || [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]
}
