/*
 * plan.c - pure: a sequential dry run of the policy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

int d0_plan_run(const struct d0_facts *f, const struct d0_config *c,
                const dom0c_request *reqs, unsigned nr, struct d0_plan *out)
{
    struct d0_host_load *load = malloc(sizeof(*load));
    dom0c_decision *d = calloc(nr ? nr : 1, sizeof(*d));
    int rc = -ENOMEM;

    if (!load || !d)
        goto out;
    memset(out, 0, sizeof(*out));
    out->facts = f;
    out->cfg = c;
    out->nr_domus = nr;
    out->requests = reqs;
    d0_policy_layout(f, c, &out->initial);
    out->final = out->initial;
    d0_policy_load(f, &out->final, load);
    for (unsigned i = 0; i < nr; i++) {
        d0_policy_prepare(load, &out->final, c, f, &reqs[i], &d[i]);
        d0_policy_account(load, &out->final, &d[i], reqs[i].vcpus);
    }
    out->decisions = d;
    d = NULL;
    rc = 0;
out:
    free(load);
    free(d);
    return rc;
}

void d0_plan_clear(struct d0_plan *p)
{
    if (!p)
        return;
    free(p->decisions);
    p->decisions = NULL;
}

bool d0_plan_ok(const struct d0_plan *p)
{
    if (p->initial.verdict != DOM0C_OK)
        return false;
    for (unsigned i = 0; i < p->nr_domus; i++)
        if (p->decisions[i].verdict != DOM0C_OK)
            return false;
    return true;
}
