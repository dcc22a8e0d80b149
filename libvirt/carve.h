/*
 * carve.h - a libxl domain config and a dom0c decision, both ways: what
 * the domain asks for (M, vCPUs, eps, explicit nodes) and the carved
 * config (M - n*eps, nodemap, affinity, M kept in c_info.xsdata).  Pure;
 * one implementation for the patched xl (xl-patches/xl_dom0c.c, built
 * with these files) and the libvirt shim.
 */
#ifndef DOM0C_CARVE_H
#define DOM0C_CARVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libxl.h>
#include <dom0c.h>

/* ---- xsdata.c: the dom0c keys of c_info.xsdata ------ */

const char *carve_xsdata_get(const libxl_domain_config *c, const char *key);
/* The value as MB, dflt when absent or not a decimal number. */
uint64_t carve_xsdata_mb(const libxl_domain_config *c, const char *key,
                        uint64_t dflt);
/* xsdata "dom0c" = "0": this domain is left alone. */
bool carve_opted_out(const libxl_domain_config *c);
/* A new list: kv's pointers (not copied), then the nr key/value pairs
 * of pairs copied, then NULL.  kv is left as it was; free() it (only
 * the array) once the new list replaces it.  NULL when out of memory. */
char **carve_xsdata_add(char **kv, const char *const *pairs, size_t nr);

/* ---- request.c: d_config -> dom0c_request (pure) ------------------- */

/* M from xsdata dom0c-mb when a carved config travels,
 * else the target; vCPUs; eps override; vNUMA pnodes; cpus= from the
 * hard affinity.  r->uuid points to uuid. */
void carve_request(const libxl_domain_config *c, dom0c_request *r,
                  char uuid[37]);

/* ---- apply.c: a decision -> d_config->b_info (pure) ---------------- */

struct carve_sizes {
    unsigned max_cpus;              /* libxl_get_max_cpus() */
    unsigned max_nodes;             /* libxl_get_max_nodes() */
};

/* Memory M - n*eps (maximum carved alike), the nodemap
 * with numa_placement off, hard and soft affinity per vCPU unless the
 * config has its own, dom0c-mb and dom0c-max-mb recorded in xsdata
 * when absent.  incoming (restore, migration): memory never below the
 * image's; *balloon_kb is then the target to set after the commit (0:
 * none).  All or nothing: a failure leaves c as it was: -EINVAL (not a
 * feasible decision), -ERANGE (sz cannot hold its nodes), -ENOMEM. */
int carve_apply(libxl_domain_config *c, const dom0c_decision *d,
               bool incoming, const struct carve_sizes *sz,
               uint64_t *balloon_kb);

#endif
