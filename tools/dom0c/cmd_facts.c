/*
 * cmd_facts.c - dom0c facts: what libdom0c sees of a host.
 *
 *   dom0c facts --local [--sysroot DIR] [-j]   the running Linux (libnuma)
 *   dom0c facts --topology FILE [-j]           a facts file, re-emitted
 */
#include <getopt.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cli.h"
#include "ctx.h"
#include "facts.h"

struct facts_args {
    int local, json;
    const char *topology, *sysroot;
};

static void facts_help(FILE *o)
{
    fprintf(o, "usage: dom0c facts [--local [--sysroot DIR] | "
            "--topology FILE] [-j]\n"
            "Without --local or --topology: the live Xen host (libxl).\n");
}

static int parse_args(int argc, char **argv, struct facts_args *a)
{
    static const struct option opts[] = {
        { "local", no_argument, NULL, 'l' },
        { "topology", required_argument, NULL, 't' },
        { "sysroot", required_argument, NULL, 's' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, "lt:s:jh", opts, NULL)) != -1) {
        switch (c) {
        case 'l': a->local = 1; break;
        case 't': a->topology = optarg; break;
        case 's': a->sysroot = optarg; break;
        case 'j': a->json = 1; break;
        case 'h': facts_help(stdout); return -1;
        default: facts_help(stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return usage_error("facts: unexpected argument '%s'", argv[optind]);
    if (a->local && a->topology)
        return usage_error("facts: give at most one of --local and "
                           "--topology FILE (neither: the live Xen host)");
    return 0;
}

static void node_line(const struct d0_facts *f, unsigned n, FILE *o)
{
    char buf[4096];
    d0_cpuset cpus;

    d0_facts_node_cpus(f, n, &cpus);
    d0_cpuset_format(&cpus, buf, sizeof(buf));
    fprintf(o, "  %-5u %10llu %10llu  %s\n", n,
            (unsigned long long)f->nodes[n].size_mb,
            (unsigned long long)f->nodes[n].free_mb, buf[0] ? buf : "-");
}

static void text(const struct d0_facts *f, FILE *o)
{
    unsigned online = 0;

    for (unsigned p = 0; p < f->nr_pcpus; p++)
        online += f->pcpus[p].online;
    fprintf(o, "host %s: %u pCPUs (%u online), %u nodes, %llu MB, "
            "%u domains\n", f->source, f->nr_pcpus, online, f->nr_nodes,
            (unsigned long long)d0_facts_host_mb(f), f->nr_domains);
    fprintf(o, "  %-5s %10s %10s  %s\n", "node", "size MB", "free MB",
            "online pCPUs");
    for (unsigned n = 0; n < f->nr_nodes; n++)
        node_line(f, n, o);
}

static int load(struct cli *cli, const struct facts_args *a,
                struct d0_facts *f)
{
    if (!a->local && !a->topology)
        return live_facts(cli, NULL, f);

    char err[512];
    bool pv_dom0 = false;
    int rc;

    if (a->topology)
        rc = d0_facts_load(a->topology, f, err, sizeof(err));
    else
        rc = d0_facts_from_local(a->sysroot ? a->sysroot : "", f, err,
                                 sizeof(err), &pv_dom0);
    if (rc)
        return usage_error("%s", err);
    if (pv_dom0)
        fprintf(stderr, "dom0c: note: Linux sees a single NUMA node because "
                "this is a PV dom0 (Xen hides the SRAT from it); these are "
                "not the host's nodes.  Use the Xen backend's facts "
                "(libxl) for the real topology.\n");
    return 0;
}

int cmd_facts(struct cli *cli, int argc, char **argv)
{
    struct facts_args a = { 0 };
    struct d0_facts f = { 0 };
    int rc = parse_args(argc, argv, &a);

    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    rc = load(cli, &a, &f);
    if (rc)
        return rc;
    if (a.json) {
        yajl_gen g = yajl_gen_alloc(NULL);
        yajl_gen_config(g, yajl_gen_beautify, 1);
        d0_facts_to_json(&f, g);
        print_json((struct yajl_gen_t *)g);
        yajl_gen_free(g);
    } else {
        text(&f, stdout);
    }
    d0_facts_clear(&f);
    return EXIT_OK;
}
