/*
 * affinity.c - the calling thread's CPU affinity, set for the length of
 * one libxl call and put back after it.  Only this thread: libvirtd is
 * one long-lived multi-threaded process and never moves (sched_setaffinity
 * on a thread id, pthread_setaffinity_np, changes one thread).
 *
 * The thread stays in libvirtd's cgroup; when that cgroup's cpuset does
 * not hold the vCPU (libvirtd in dom0c/main) the kernel refuses with
 * EINVAL and the thread keeps its mask: only the children libxl forks
 * move (atfork.c, dom0c-save-helper).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "shim.h"

int shim_affinity_pin(struct shim_affinity *a, int cpu)
{
    size_t size = CPU_ALLOC_SIZE(DOM0C_MAX_CPUS);
    cpu_set_t *saved = CPU_ALLOC(DOM0C_MAX_CPUS);
    cpu_set_t *one = CPU_ALLOC(DOM0C_MAX_CPUS);
    int rc = saved && one ? 0 : ENOMEM;

    a->saved = NULL;
    if (!rc && (cpu < 0 || cpu >= DOM0C_MAX_CPUS))
        rc = EINVAL;
    if (!rc)
        rc = pthread_getaffinity_np(pthread_self(), size, saved);
    if (!rc) {
        CPU_ZERO_S(size, one);
        CPU_SET_S((size_t)cpu, size, one);
        rc = pthread_setaffinity_np(pthread_self(), size, one);
    }
    CPU_FREE(one);
    if (rc) {
        CPU_FREE(saved);
        return -rc;
    }
    a->saved = saved;
    a->size = size;
    return 0;
}

int shim_affinity_restore(struct shim_affinity *a)
{
    int rc = 0;

    if (!a->saved)
        return 0;
    rc = pthread_setaffinity_np(pthread_self(), a->size, a->saved);
    CPU_FREE(a->saved);
    a->saved = NULL;
    return -rc;
}
