/*
 * cgroup.h - libdom0c's cgroup v2 layout and the parsers of what the
 * cgroup files say.  Pure: no I/O (the I/O is cgroup_ops.c, behind the
 * ops table).
 *
 * Layout, relative to the cgroup v2 root:
 *
 *   dom0c/main                  T0-T2: the main container
 *   dom0c/node<N>               the secondary container of NUMA node N
 *   dom0c/node<N>/dom<ID>       the work done for domU ID on node N
 */
#ifndef D0_CGROUP_H
#define D0_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/* Enough for every name below: "dom0c/node4294967295/dom4294967295". */
#define D0_CG_NAME_MAX 40

/* Each writes the cgroup's path (no leading '/') into buf.  Returns 0,
 * or -ENAMETOOLONG when len is too short (buf is then left as it was).
 * Example: d0_cg_leaf(buf, len, 1, 7) gives "dom0c/node1/dom7". */
int d0_cg_main(char *buf, size_t len);
int d0_cg_node(char *buf, size_t len, unsigned node);
int d0_cg_leaf(char *buf, size_t len, unsigned node, uint32_t domid);
/* "dom0c/node<N>/incoming<PID>": a restore or incoming migration before
 * its domid exists (dom0c_place_prepared). */
int d0_cg_incoming(char *buf, size_t len, unsigned node, int pid);

/*
 * Checks a cgroup path or file name before it reaches the file system:
 * -EINVAL when p is NULL, empty, starts with '/', has an empty component
 * ("a//b", "a/"), a "." component or contains ".." anywhere; else 0.
 * Names may be built from xenstore values a guest can write, so this is
 * defence in depth, not the only check.
 */
int d0_cg_check_path(const char *p);

/* The CPU time a cgroup used (cpu.stat), in microseconds. */
struct d0_cg_cpu {
    uint64_t usage_usec;
    uint64_t user_usec;
    uint64_t system_usec;
};

/*
 * Parses cpu.stat ("usage_usec 123\nuser_usec 100\n...").  Other keys
 * (nr_periods, throttled_usec...) are ignored.  Returns 0 with *out, or
 * -EINVAL when one of the three keys is missing, repeated or not a
 * decimal number.  *out written only on success.
 */
int d0_cg_parse_cpu_stat(const char *text, struct d0_cg_cpu *out);

/*
 * Parses memory.current, memory.max, memory.peak...: a decimal number of
 * bytes, or "max" (no limit) as UINT64_MAX.  One trailing newline is
 * allowed.  Returns 0 with *bytes, or -EINVAL (-ERANGE above UINT64_MAX).
 */
int d0_cg_parse_bytes(const char *text, uint64_t *bytes);

#endif
