/*
 * cmd_exec.c - dom0c exec --for DOMID --op OP -- CMD...: place this
 * process for work on a domU (Algorithm 2), then run CMD there, so that
 * unpatched tools benefit too (like taskset or numactl).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int parse_op(const char *s, dom0c_op *op)
{
    static const struct { const char *name; dom0c_op op; } ops[] = {
        { "migrate", DOM0C_OP_MIGRATE }, { "save", DOM0C_OP_SAVE },
        { "destroy", DOM0C_OP_DESTROY }, { "restore", DOM0C_OP_RESTORE },
    };

    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (!strcmp(s, ops[i].name)) {
            *op = ops[i].op;
            return 0;
        }
    return usage_error("exec --op %s: expected migrate, save, destroy or "
                       "restore", s);
}

static int parse_domid(const char *s, uint32_t *domid)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);

    if (*s < '0' || *s > '9' || *end || v == 0 || v >= 0x7ff0)
        return usage_error("exec --for %s: expected a domU's domid (1 to "
                           "32751)", s);
    *domid = (uint32_t)v;
    return 0;
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        LIVE_LONG_OPTIONS,
        { "for", required_argument, NULL, 'f' },
        { "op", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    struct live_opts o = { 0 };
    dom0c_op op = 0;
    uint32_t domid = 0;
    dom0c_ctx *ctx;
    int c, rc = 0;

    while (!rc && (c = getopt_long(argc, argv, "+f:o:h", opts, NULL)) != -1) {
        if (live_option(&o, c, optarg))
            continue;
        if (c == 'f')
            rc = parse_domid(optarg, &domid);
        else if (c == 'o')
            rc = parse_op(optarg, &op);
        else
            rc = usage_error("usage: dom0c exec --for DOMID --op "
                             "migrate|save|destroy " LIVE_USAGE " -- CMD...");
    }
    if (rc)
        return rc;
    if (!domid || !op || optind >= argc)
        return usage_error("exec: --for DOMID, --op OP and a command after "
                           "-- are required");
    rc = live_open(cli, &o, &ctx);
    if (rc)
        return rc;
    rc = dom0c_place(ctx, domid, op);
    dom0c_close(ctx);
    if (rc)
        return EXIT_FAILED;
    execvp(argv[optind], argv + optind);
    fprintf(stderr, "dom0c: exec %s: %m\n", argv[optind]);
    return 127;
}
