/*
 * atfork.c - the processes libxl forks during a call are what moves:
 * the destroy child (xc_domain_destroy), the save helper, the hotplug
 * scripts.  A pthread_atfork child handler, armed only on the calling
 * thread and only for the length of the call (a thread-local flag),
 * writes "0" to the leaf's cgroup.procs and then pins the child to the
 * dom0 vCPU: in that order, as cpuset_attach() resets the affinity.
 *
 * The child of a multi-threaded process may only make async-signal-safe
 * calls: the path and the mask are made in the parent, the child only
 * open()s, write()s, close()s and sched_setaffinity()s, and keeps errno.
 * A fork libxl makes from another thread (a callback that libvirt's
 * event loop thread runs) is not armed and runs where libvirtd runs:
 * dom0c-save-helper still places the save helper; a destroy child
 * missed that way only loses its locality.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

#define WORDS (DOM0C_MAX_CPUS / (8 * sizeof(unsigned long)))

static __thread struct {
    bool armed;
    char procs[sizeof(((dom0c_spot *)0)->cgroup_dir) + 16];
    unsigned long mask[WORDS];      /* a cpu_set_t of DOM0C_MAX_CPUS */
} arm;

int shim_arm(const dom0c_spot *s)
{
    int n;

    if (s->dom0_vcpu < 0 || s->dom0_vcpu >= DOM0C_MAX_CPUS)
        return -EINVAL;
    n = snprintf(arm.procs, sizeof(arm.procs), "%s/cgroup.procs",
                 s->cgroup_dir);
    if (n < 0 || (size_t)n >= sizeof(arm.procs))
        return -ENAMETOOLONG;
    memset(arm.mask, 0, sizeof(arm.mask));
    CPU_SET_S((size_t)s->dom0_vcpu, sizeof(arm.mask),
              (cpu_set_t *)arm.mask);
    arm.armed = true;
    return 0;
}

void shim_disarm(void)
{
    arm.armed = false;
}

void shim_atfork_child(void)
{
    int saved = errno, fd;

    if (!arm.armed)
        return;
    arm.armed = false;              /* the child is not in the call */
    fd = open(arm.procs, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t w = write(fd, "0", 1);  /* if not: libvirtd's cgroup */
        (void)w;
        close(fd);
    }
    sched_setaffinity(0, sizeof(arm.mask), (cpu_set_t *)arm.mask);
    errno = saved;
}

int shim_atfork_register(void)
{
    return -pthread_atfork(NULL, NULL, shim_atfork_child);
}
