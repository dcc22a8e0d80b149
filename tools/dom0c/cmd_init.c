/*
 * cmd_init.c - dom0c init [--dry-run]: build dom0's containers at boot.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

int cmd_init(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        LIVE_LONG_OPTIONS,
        { "dry-run", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    struct live_opts o = { 0 };
    unsigned flags = 0, changes = 0;
    dom0c_ctx *ctx;
    int c, rc;

    while ((c = getopt_long(argc, argv, "nh", opts, NULL)) != -1) {
        if (live_option(&o, c, optarg))
            continue;
        if (c == 'n') {
            flags |= DOM0C_INIT_DRY_RUN;
            continue;
        }
        fprintf(c == 'h' ? stdout : stderr, "usage: dom0c init [--dry-run] "
                LIVE_USAGE "\n");
        return c == 'h' ? EXIT_OK : EXIT_USAGE;
    }
    if (optind < argc)
        return usage_error("init: unexpected argument '%s'", argv[optind]);
    rc = live_open(cli, &o, &ctx);
    if (rc)
        return rc;
    rc = dom0c_init(ctx, flags, &changes);
    dom0c_close(ctx);
    if (rc)
        return EXIT_FAILED;
    printf("dom0c init: %u change%s%s\n", changes, changes == 1 ? "" : "s",
           flags & DOM0C_INIT_DRY_RUN ? " would be made (dry run)" : "");
    return EXIT_OK;
}
