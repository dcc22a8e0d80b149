/*
 * config.h - /etc/xen/dom0c.conf, in xl.conf syntax, read with
 * libxlutil.  See man/dom0c.conf.5 for every key.
 */
#ifndef D0_CONFIG_H
#define D0_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuset.h"

#define D0_DEFAULT_CONFIG "/etc/xen/dom0c.conf"
#define D0_MAX_IO_LEVELS 8
#define D0_MAX_CLASS_RULES 32       /* per class_t* key */
#define D0_CLASS_GLOB_MAX 128       /* a rule's glob, with its NUL */

enum d0_profile {
    D0_PROFILE_OPENSTACK,   /* 2 vCPU, 2048 MB */
    D0_PROFILE_OPENNEBULA,  /* 2 vCPU, 1850 MB */
    D0_PROFILE_EUCALYPTUS,  /* 1 vCPU, 1536 MB */
    D0_PROFILE_ORACLE,      /* 2 vCPU, 502 + int(host_MB * 0.0205) MB */
    D0_PROFILE_EXPLICIT,    /* main_vcpus and main_memory given */
};

enum d0_on_error {
    D0_ON_ERROR_STRICT,     /* a failed reservation fails the operation */
    D0_ON_ERROR_DEGRADE,    /* log it, let the domU operation go on */
};

struct d0_io_level {
    uint64_t rate_kbps;     /* I/O rate threshold, KiB/s (disk + net) */
    uint64_t reserve_mb;    /* moved from the domU to dom0 when crossed */
};

/* What a process class rule matches (classify.h). */
enum d0_match_field {
    D0_MATCH_COMM,          /* "comm:GLOB": /proc/PID/stat's name */
    D0_MATCH_EXE,           /* "exe:GLOB": the full path of the binary */
    D0_MATCH_CMDLINE,       /* "cmdline:GLOB": arguments, space-joined */
};

struct d0_class_rule {
    enum d0_match_field field;
    char glob[D0_CLASS_GLOB_MAX];   /* fnmatch(3) pattern, flags 0 */
};

/* One class_t* key: its rules in the order given. */
struct d0_class_rules {
    unsigned nr;
    struct d0_class_rule rule[D0_MAX_CLASS_RULES];
};

struct d0_config {
    enum d0_profile profile;
    unsigned main_vcpus;        /* from the profile unless explicit */
    uint64_t main_mb;           /* 0 with ORACLE: computed per host */
    bool has_main_cpus;
    d0_cpuset main_cpus;        /* explicit main pCPUs (main_cpus=) */
    uint64_t epsilon_mb;        /* default eps per node */
    uint64_t secondary_base_mb; /* each node container's base */
    uint64_t domu_min_mb;       /* smallest domU after carving */
    unsigned nr_levels;
    struct d0_io_level levels[D0_MAX_IO_LEVELS]; /* rising rates */
    double hysteresis;          /* fraction in [0, 1) */
    enum d0_on_error on_error;
    /* Process class rules, tried before the built-in ones, in the
     * order t2, t1, t0 (classify.h).  Empty by default. */
    struct d0_class_rules class_t2, class_t1, class_t0;
};

/* The built-in defaults (openstack, eps 64, base 75, min 128...). */
void d0_config_defaults(struct d0_config *c);

/*
 * Parses a dom0c.conf text.  fname is only used in messages.
 * Returns 0 with *out, or -EINVAL with one sentence in err naming the
 * key, the value and what is accepted.  *out written only on success.
 * Also -ENOMEM.  err may be NULL; it is "" on success.  text and fname
 * may be NULL (empty text: the defaults; "dom0c.conf" in messages).
 */
int d0_config_parse(const char *text, size_t len, const char *fname,
                    struct d0_config *out, char *err, size_t errlen);

/*
 * Reads and parses the file at path (NULL: D0_DEFAULT_CONFIG).  A
 * missing file gives the defaults when !must_exist, else -ENOENT with
 * a message.  Other read errors: -errno (-EFBIG above 1 MiB).  Parse
 * errors as d0_config_parse.  *out written only on success.
 */
int d0_config_load(const char *path, bool must_exist, struct d0_config *out,
                   char *err, size_t errlen);

/*
 * Finds the keys of a dom0c.conf text without reading values (libxlutil
 * cannot list them): the identifier before each '=' or '+=' outside
 * comments, quoted strings and [ lists ] (which may span lines).  Calls
 * fn for each key in order, line counted from 1; stops at the first
 * non-zero return and returns it, else returns 0.
 */
typedef int d0_config_key_fn(const char *key, size_t len, unsigned line,
                             void *arg);
int d0_config_scan_keys(const char *text, size_t len, d0_config_key_fn *fn,
                        void *arg);

/* The main container's memory for a host of host_mb MiB. */
uint64_t d0_config_main_mb(const struct d0_config *c, uint64_t host_mb);

const char *d0_profile_name(enum d0_profile p);
const char *d0_on_error_name(enum d0_on_error e);

#endif
