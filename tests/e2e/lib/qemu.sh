# shellcheck shell=bash
# QEMU for the lab (sourced by run.sh): command line, start, monitor, stop.
# Only the QEMU started here is ever signalled, by its pid.

# xen_cmdline: Xen's command line for the emulated host.
xen_cmdline() {
    local ncpus=$((NODES * CPUS_PER_NODE))
    printf '%s' "dom0_mem=$DOM0_MEM,max:$DOM0_MAX dom0_max_vcpus=$ncpus dom0_vcpus_pin" \
        " console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all console_timestamps=boot"
}

# qemu_args ACCEL MODE: the command line (without the serial and monitor
# plumbing, which depends on batch or interactive use) into QEMU_ARGS.
qemu_args() {
    local accel=$1 mode=$2 n cpus ncpus=$((NODES * CPUS_PER_NODE))
    local dom0_args="console=hvc0 earlyprintk=xen dom0c_lab_mode=$mode"
    # shellcheck disable=SC2054 # commas are part of QEMU's option values
    case $accel in
        tcg) QEMU_ARGS=(-accel tcg,thread=multi -cpu qemu64) ;;
        kvm) QEMU_ARGS=(-accel kvm -cpu "${E2E_KVM_CPU:-host,-arch-capabilities}") ;;
        *) die "unknown accelerator $accel" ;;
    esac
    QEMU_ARGS+=(-machine pc -nodefaults -display none -vga none -no-reboot
        -m "$((NODES * NODE_MB))M"
        -smp "$ncpus,sockets=$SOCKETS,cores=$((ncpus / SOCKETS)),threads=1")
    for ((n = 0; n < NODES; n++)); do
        cpus=$((n * CPUS_PER_NODE))
        ((CPUS_PER_NODE == 1)) || cpus+="-$((n * CPUS_PER_NODE + CPUS_PER_NODE - 1))"
        QEMU_ARGS+=(-object "memory-backend-ram,id=m$n,size=${NODE_MB}M"
            -numa "node,nodeid=$n,cpus=$cpus,memdev=m$n")
    done
    # Multiboot modules: "kernel args,initramfs" (a comma inside a module
    # command line would have to be written ",,").
    [[ $WORK != *,* ]] || die "the work directory $WORK contains a comma: QEMU cannot take it"
    QEMU_ARGS+=(-kernel "$IMG/xen" -append "$(xen_cmdline)"
        -initrd "$IMG/vmlinux $dom0_args,$WORK/dom0.cpio")
}

# qemu_start_batch LOG: start QEMU in the background with the serial console
# and the HMP monitor on FIFOs. Sets QEMU_PID, SERIAL_IN, MON_IN, MON_LOG.
qemu_start_batch() {
    local log=$1 f
    for f in serial.in serial.out mon.in mon.out; do
        rm -f "$WORK/$f"
        mkfifo "$WORK/$f"
    done
    SERIAL_IN=$WORK/serial.in
    MON_IN=$WORK/mon.in
    MON_LOG=$WORK/monitor.log
    : >"$MON_LOG"
    qemu-system-x86_64 "${QEMU_ARGS[@]}" \
        -chardev "pipe,id=ser0,path=$WORK/serial" -serial chardev:ser0 \
        -chardev "pipe,id=mon0,path=$WORK/mon" -mon chardev=mon0,mode=readline \
        </dev/null >"$WORK/qemu.out" 2>"$WORK/qemu.err" &
    QEMU_PID=$!
    # QEMU opens the FIFOs read-write, so these never block.
    cat "$WORK/serial.out" >>"$log" &
    SERIAL_CAT_PID=$!
    cat "$WORK/mon.out" >>"$MON_LOG" &
    MON_CAT_PID=$!
    # Keep our write ends open for the whole run.
    exec {SERIAL_FD}<>"$SERIAL_IN" {MON_FD}<>"$MON_IN"
}

qemu_alive() { [[ -n ${QEMU_PID:-} ]] && kill -0 "$QEMU_PID" 2>/dev/null; }

# qemu_paused: true when the monitor says the VM is paused (QEMU stops,
# and does not exit, on a KVM internal error or an I/O error).
qemu_paused() {
    qemu_alive || return 1
    printf 'info status\n' >&"$MON_FD"
    sleep 0.5
    tail -n 5 "$MON_LOG" | tr -d '\r' | grep -q 'VM status: paused'
}

# xen_debug_keys: switch the serial input to Xen (Ctrl-A three times) and
# ask for vCPU registers (0), run queues (r) and domains (q), for the log.
xen_debug_keys() {
    qemu_alive || return 0
    say "sending Xen debug keys 0 r q to get the state into the serial log"
    printf '\001\001\001' >&"$SERIAL_FD"
    sleep 1
    local k
    for k in 0 r q; do
        printf '%s' "$k" >&"$SERIAL_FD"
        sleep 3
    done
}

# qemu_stop: power the VM off through the monitor, then by signal; only the
# QEMU this run started (QEMU_PID), and our own helper processes.
qemu_stop() {
    local i
    [[ -n ${QEMU_PID:-} ]] || return 0
    if qemu_alive; then
        { printf 'quit\n' >&"$MON_FD"; } 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            qemu_alive || break
            sleep 0.1
        done
        if qemu_alive; then
            kill -TERM "$QEMU_PID" 2>/dev/null || true
            sleep 2
            qemu_alive && kill -KILL "$QEMU_PID" 2>/dev/null
        fi
    fi
    wait "$QEMU_PID" 2>/dev/null || true
    QEMU_PID=""
    exec {SERIAL_FD}>&- {MON_FD}>&-
    # The cat readers end at EOF once QEMU has closed the FIFOs.
    for i in ${SERIAL_CAT_PID:-} ${MON_CAT_PID:-}; do
        kill "$i" 2>/dev/null || true
        wait "$i" 2>/dev/null || true
    done
    SERIAL_CAT_PID="" MON_CAT_PID=""
}
