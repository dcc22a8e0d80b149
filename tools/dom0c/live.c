/*
 * live.c - what every subcommand working on the live host shares: the
 * options that say where the host is, and opening the context.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ctx.h"

int live_option(struct live_opts *o, int c, const char *arg)
{
    switch (c) {
    case 'c': o->args.config_path = arg; return 1;
    case 'C': o->args.cgroup_root = arg; return 1;
    case 'S': o->args.sysroot = arg; return 1;
    case 'j': o->json = 1; return 1;
    }
    return 0;
}

int live_open(struct cli *cli, struct live_opts *o, dom0c_ctx **ctx)
{
    int rc = dom0c_open(&o->args, cli->lg, ctx);

    if (rc == -EINVAL || rc == -ENOENT)
        return EXIT_USAGE;
    return rc ? EXIT_FAILED : 0;
}

/* Parses only the shared options; anything else is a usage error. */
int live_parse(int argc, char **argv, struct live_opts *o, const char *cmd,
               const char *usage)
{
    static const struct option opts[] = {
        LIVE_LONG_OPTIONS,
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
        if (live_option(o, c, optarg))
            continue;
        fprintf(c == 'h' ? stdout : stderr, "usage: dom0c %s %s\n", cmd,
                usage);
        return c == 'h' ? -1 : EXIT_USAGE;
    }
    if (optind < argc)
        return usage_error("%s: unexpected argument '%s'", cmd,
                           argv[optind]);
    return 0;
}

int live_facts(struct cli *cli, const char *config, struct d0_facts *out)
{
    struct live_opts o = { .args.config_path = config };
    dom0c_ctx *ctx;
    int rc = live_open(cli, &o, &ctx);

    if (rc)
        return rc;
    *out = ctx->facts;                  /* taken over from the context */
    memset(&ctx->facts, 0, sizeof(ctx->facts));
    dom0c_close(ctx);
    return 0;
}
