/*
 * request.c - parses a domU request given on a command line:
 * "memory=4096,vcpus=2[,epsilon=64][,nodes=0-1][,cpus=2-5]".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -EINVAL)

static int parse_u64(const char *v, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long x;

    if (*v < '0' || *v > '9')
        return -EINVAL;
    errno = 0;
    x = strtoull(v, &end, 10);
    if (errno || *end || x > max)
        return -EINVAL;
    *out = x;
    return 0;
}

static int set_nodes(const char *v, dom0c_request *r)
{
    d0_cpuset s;
    int rc = d0_cpuset_parse(v, DOM0C_MAX_NODES, &s);

    if (rc || d0_cpuset_next(&s, DOM0C_MAX_NODES) >= 0 || d0_cpuset_empty(&s))
        return -EINVAL;
    r->nodemap = s.w[0];
    return 0;
}

static int set_cpus(const char *v, dom0c_request *r)
{
    d0_cpuset s;

    if (d0_cpuset_parse(v, DOM0C_MAX_CPUS, &s) || d0_cpuset_empty(&s))
        return -EINVAL;
    memcpy(r->cpus, s.w, sizeof(r->cpus));
    return 0;
}

/* One "key=value" item. */
static int apply_item(char *item, dom0c_request *r, char *err, size_t errlen)
{
    char *v = strchr(item, '=');
    uint64_t x;

    if (!v)
        return ERR("--domu item '%s': expected key=value", item);
    *v++ = '\0';
    if (!strcmp(item, "memory")) {
        if (parse_u64(v, UINT64_C(1) << 40, &x) || !x)
            return ERR("--domu memory=%s: expected MB, 1 or more", v);
        r->memory_mb = x;
    } else if (!strcmp(item, "vcpus")) {
        if (parse_u64(v, DOM0C_MAX_CPUS, &x) || !x)
            return ERR("--domu vcpus=%s: expected 1 to %d", v,
                       DOM0C_MAX_CPUS);
        r->vcpus = (unsigned)x;
    } else if (!strcmp(item, "epsilon")) {
        if (parse_u64(v, UINT64_C(1) << 40, &x))
            return ERR("--domu epsilon=%s: expected MB, 0 or more", v);
        r->epsilon_mb = (int64_t)x;
    } else if (!strcmp(item, "nodes")) {
        if (set_nodes(v, r))
            return ERR("--domu nodes=%s: expected a node list such as "
                       "0-1,3 (nodes below %d)", v, DOM0C_MAX_NODES);
    } else if (!strcmp(item, "cpus")) {
        if (set_cpus(v, r))
            return ERR("--domu cpus=%s: expected a pCPU list such as 2-5",
                       v);
    } else {
        return ERR("--domu key '%s': expected memory, vcpus, epsilon, "
                   "nodes or cpus", item);
    }
    return 0;
}

/*
 * Splits at the commas that start a new key: "nodes=0,2,vcpus=2" is
 * nodes=0,2 then vcpus=2, so lists keep their usual syntax.
 */
static char *next_item(char **cursor)
{
    char *item = *cursor, *p = item;

    if (!item || !*item)
        return NULL;
    for (p = strchr(p, ','); p; p = strchr(p + 1, ',')) {
        const char *q = p + 1;
        while (*q && *q != ',' && *q != '=')
            q++;
        if (*q == '=')
            break;
    }
    if (p)
        *p++ = '\0';
    *cursor = p;
    return item;
}

int d0_request_parse(const char *spec, dom0c_request *out, char *err,
                     size_t errlen)
{
    dom0c_request r = { .epsilon_mb = -1 };
    char *copy = strdup(spec), *cursor = copy, *it;
    int rc = -ENOMEM;

    if (!copy)
        return rc;
    rc = 0;
    while (!rc && (it = next_item(&cursor)))
        rc = apply_item(it, &r, err, errlen);
    if (!rc && (!r.memory_mb || !r.vcpus))
        rc = ERR("--domu %s: memory= and vcpus= are required", spec);
    if (!rc)
        *out = r;
    free(copy);
    return rc;
}
