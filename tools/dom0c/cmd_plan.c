/*
 * cmd_plan.c - dom0c plan: a dry run on a facts file, no Xen needed.
 *
 *   dom0c plan --topology FILE [--config FILE]
 *              [--domu memory=M,vcpus=V[,epsilon=E][,nodes=L][,cpus=L]]...
 *              [-j]
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cli.h"
#include "config.h"
#include "ctx.h"
#include "facts.h"
#include "plan.h"

#define MAX_DOMUS 4096

struct plan_args {
    const char *topology, *config;
    int json, live;
    unsigned nr;
    dom0c_request *reqs;
};

static void plan_help(FILE *o)
{
    fprintf(o, "usage: dom0c plan (--topology FILE | --live) "
            "[--config FILE]\n"
            "                  [--domu memory=M,vcpus=V[,epsilon=E]"
            "[,nodes=L][,cpus=L]]... [-j]\n"
            "Exit: 0 feasible, 1 infeasible (said why), 2 bad usage or "
            "input.\n");
}

static int add_domu(struct plan_args *a, const char *spec)
{
    char err[256];

    if (a->nr == MAX_DOMUS)
        return usage_error("--domu: at most %d domUs", MAX_DOMUS);
    if (d0_request_parse(spec, &a->reqs[a->nr], err, sizeof(err)))
        return usage_error("%s", err);
    a->nr++;
    return 0;
}

static int parse_args(int argc, char **argv, struct plan_args *a)
{
    static const struct option opts[] = {
        { "topology", required_argument, NULL, 't' },
        { "live", no_argument, NULL, 'l' },
        { "config", required_argument, NULL, 'c' },
        { "domu", required_argument, NULL, 'd' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, "t:c:d:jh", opts, NULL)) != -1) {
        switch (c) {
        case 't': a->topology = optarg; break;
        case 'l': a->live = 1; break;
        case 'c': a->config = optarg; break;
        case 'j': a->json = 1; break;
        case 'd':
            if (add_domu(a, optarg))
                return EXIT_USAGE;
            break;
        case 'h': plan_help(stdout); return -1;
        default: plan_help(stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return usage_error("plan: unexpected argument '%s'", argv[optind]);
    if (!a->topology == !a->live)
        return usage_error("plan: give --topology FILE (a facts file, "
                           "docs/facts-format.md) or --live (this host)");
    return 0;
}

static int load_inputs(struct cli *cli, const struct plan_args *a,
                       struct d0_facts *f, struct d0_config *cfg)
{
    char err[512];

    if (d0_config_load(a->config ? a->config : D0_DEFAULT_CONFIG,
                       a->config != NULL, cfg, err, sizeof(err)))
        return usage_error("%s", err);
    if (a->live)
        return live_facts(cli, a->config, f);
    if (d0_facts_load(a->topology, f, err, sizeof(err)))
        return usage_error("%s", err);
    return 0;
}

static void output(const struct d0_plan *p, const struct plan_args *a)
{
    if (a->json) {
        yajl_gen g = yajl_gen_alloc(NULL);
        yajl_gen_config(g, yajl_gen_beautify, 1);
        d0_plan_json(p, a->live ? "live" : base_name(a->topology), g);
        print_json((struct yajl_gen_t *)g);
        yajl_gen_free(g);
    } else {
        d0_plan_text(p, a->live ? "live" : base_name(a->topology), stdout);
        if (!d0_plan_ok(p))
            fprintf(stdout, "\nplan infeasible (see the lines above)\n");
    }
}

int cmd_plan(struct cli *cli, int argc, char **argv)
{
    struct plan_args a = { 0 };
    struct d0_facts f = { 0 };
    struct d0_config cfg;
    struct d0_plan p = { 0 };
    int rc;

    a.reqs = calloc(MAX_DOMUS, sizeof(*a.reqs));
    if (!a.reqs)
        return EXIT_FAILED;
    rc = parse_args(argc, argv, &a);
    if (rc)
        goto out;
    rc = load_inputs(cli, &a, &f, &cfg);
    if (rc)
        goto out;
    if (d0_plan_run(&f, &cfg, a.reqs, a.nr, &p)) {
        rc = EXIT_FAILED;
        goto out;
    }
    output(&p, &a);
    rc = d0_plan_ok(&p) ? EXIT_OK : EXIT_INFEASIBLE;
out:
    d0_plan_clear(&p);
    d0_facts_clear(&f);
    free(a.reqs);
    return rc < 0 ? EXIT_OK : rc;
}
