/*
 * plan.h - a whole dry run: dom0's layout, then each domU in turn placed
 * and carved against what the earlier ones took.  Pure.
 */
#ifndef D0_PLAN_H
#define D0_PLAN_H

#include <stdio.h>
#include <yajl/yajl_gen.h>

#include "policy.h"

struct d0_plan {
    const struct d0_facts *facts;
    const struct d0_config *cfg;
    struct d0_layout initial;       /* before any new domU */
    struct d0_layout final;         /* after every feasible one */
    unsigned nr_domus;
    const dom0c_request *requests;  /* borrowed, nr_domus entries */
    dom0c_decision *decisions;      /* owned, nr_domus entries */
};

/* Runs the plan.  -ENOMEM, or 0 (infeasibility is in the verdicts). */
int d0_plan_run(const struct d0_facts *f, const struct d0_config *c,
                const dom0c_request *reqs, unsigned nr, struct d0_plan *out);
void d0_plan_clear(struct d0_plan *p);
/* True when the layout and every domU are feasible. */
bool d0_plan_ok(const struct d0_plan *p);

/* The plan as JSON (the shape documented in dom0c(8)). */
int d0_plan_json(const struct d0_plan *p, const char *facts_name,
                 yajl_gen g);
/* The plan as readable tables. */
void d0_plan_text(const struct d0_plan *p, const char *facts_name, FILE *o);

/*
 * Parses a --domu argument: "memory=M,vcpus=V[,epsilon=E][,nodes=L]
 * [,cpus=L]".  0, or -EINVAL with a sentence in err naming the item.
 */
int d0_request_parse(const char *spec, dom0c_request *out, char *err,
                     size_t errlen);

#endif
