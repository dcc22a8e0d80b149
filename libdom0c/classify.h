/*
 * classify.h - which container each dom0 process belongs to (thesis
 * table 3.1), and which domU a backend thread or event-channel IRQ
 * serves.  Pure: it reads a struct d0_proc (proc_ops.c fills it) and the
 * configuration, does no I/O and logs nothing.
 *
 * Classes:
 *   T0  the base Linux system (every user process not matched below);
 *   T1  data-center agents (nova-compute, neutron-*, ovs-vswitchd...);
 *   T2  VM administration (xl, libvirtd, xenstored, xenconsoled...);
 *   T0-T2 live in the main container;
 *   T3  I/O work for ONE domU, with its domid: blkback and netback
 *       kernel threads and that domU's qemu; they go to its secondary
 *       container;
 *   KTHREAD_PINNED  every other kernel thread: libdom0c leaves it where
 *       it is (per-CPU threads and kworkers cannot move; xenwatch and
 *       xenbus serve every domU).
 *
 * The built-in rules and the class_t* keys are listed in classify.c and
 * in dom0c.conf(5), section PROCESS CLASSES.
 */
#ifndef D0_CLASSIFY_H
#define D0_CLASSIFY_H

#include <stdbool.h>

#include "config.h"
#include "ops.h"

enum d0_class {
    D0_CLASS_T0,
    D0_CLASS_T1,
    D0_CLASS_T2,
    D0_CLASS_T3,
    D0_CLASS_KTHREAD_PINNED,
};

/* "T0", "T1", "T2", "T3", "kthread"; "?" for anything else. */
const char *d0_class_name(enum d0_class c);

/*
 * The class of p.  c may be NULL (built-in rules only).  *domid (domid
 * may be NULL) is the domU served for T3 and -1 for every other class.
 * Kernel threads are never matched by the class_t* rules: they are T3
 * when d0_backend_domid() names a domU, else KTHREAD_PINNED.
 */
enum d0_class d0_classify(const struct d0_proc *p, const struct d0_config *c,
                          int *domid);

/*
 * The domU (1..D0_FACTS_MAX_DOMID) that p does I/O for, or -1:
 *  - a kernel thread named "<domid>.<vdev>-<ring>" (blkback, "7.xvda-0")
 *    or "vif<domid>.<n>-q<k>-guest-rx" / "-dealloc" (netback), either
 *    whole or cut to 15 characters as comm is ("vif12.0-q0-gues");
 *  - a user process that is Xen's qemu ("xen-qemu-system" or
 *    "qemu-system-*") with "-xen-domid <domid>" in its cmdline.
 * A user process named like a backend thread is not one (any user can
 * name a process "7.xvda-0"; only the kernel makes kernel threads), and
 * domid 0 (dom0's own disk backend, the bootloader's attach) is -1.
 */
int d0_backend_domid(const struct d0_proc *p);

/*
 * The domU of a netback event-channel IRQ: a "xen-*" chip and the name
 * "vif<domid>.<n>-q<k>", "vif<domid>.<n>-q<k>-tx" or "-rx", or
 * "vif<domid>.<n>"; else -1.  blkback IRQs are all named
 * "blkif-backend", whatever the domain: they cannot be mapped by name
 * and give -1 (find them through the event channel in xenstore).
 * A vif renamed by the hotplug script (xl's vifname=) gives -1 too.
 */
int d0_irq_domid(const struct d0_irq *q);

/*
 * Parses one class_t* item: "comm:GLOB", "exe:GLOB" or "cmdline:GLOB",
 * GLOB a non-empty fnmatch(3) pattern of at most D0_CLASS_GLOB_MAX - 1
 * characters, no control characters.  0 with *out, or -EINVAL.
 */
int d0_class_rule_parse(const char *item, struct d0_class_rule *out);

/* Whether rule r matches p (fnmatch, flags 0: '*' matches '/' too). */
bool d0_class_rule_match(const struct d0_class_rule *r,
                         const struct d0_proc *p);

#endif
