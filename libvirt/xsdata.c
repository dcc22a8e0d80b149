/*
 * xsdata.c - the dom0c keys of c_info.xsdata (carve.h, shared with the
 * patched xl):
 *   dom0c = 0            the domain is left alone (opt-out)
 *   dom0c-epsilon = MB   its eps, instead of dom0c.conf's
 *   dom0c-mb, dom0c-max-mb   what it asked for before any carving
 * libvirt never sets them; a config that travels from xl carries them.
 */
#include <stdlib.h>
#include <string.h>

#include "carve.h"

const char *carve_xsdata_get(const libxl_domain_config *c, const char *key)
{
    char **kv = c->c_info.xsdata;

    for (int i = 0; kv && kv[i] && kv[i + 1]; i += 2)
        if (!strcmp(kv[i], key))
            return kv[i + 1];
    return NULL;
}

uint64_t carve_xsdata_mb(const libxl_domain_config *c, const char *key,
                        uint64_t dflt)
{
    const char *v = carve_xsdata_get(c, key);
    char *end;
    unsigned long long mb;

    if (!v || *v < '0' || *v > '9')
        return dflt;
    mb = strtoull(v, &end, 10);
    return *end ? dflt : (uint64_t)mb;
}

bool carve_opted_out(const libxl_domain_config *c)
{
    const char *v = carve_xsdata_get(c, "dom0c");

    return v && !strcmp(v, "0");
}

char **carve_xsdata_add(char **kv, const char *const *pairs, size_t nr)
{
    size_t n = 0, i;
    char **out;

    while (kv && kv[n])
        n++;
    out = calloc(n + 2 * nr + 1, sizeof(*out));
    if (!out)
        return NULL;
    if (n)
        memcpy(out, kv, n * sizeof(*out));
    for (i = 0; i < 2 * nr && (out[n + i] = strdup(pairs[i])); i++)
        ;
    if (i == 2 * nr)
        return out;
    while (i--)
        free(out[n + i]);
    free(out);
    return NULL;
}
