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
    /* A dry run shows, on stdout, every change it would make. */
    xentoollog_logger *dry = NULL, *lg = cli->lg;
    if (flags & DOM0C_INIT_DRY_RUN) {
        dry = (xentoollog_logger *)xtl_createlogger_stdiostream(stdout,
                                                                XTL_INFO, 0);
        cli->lg = dry;
    }
    rc = live_open(cli, &o, &ctx);
    if (!rc) {
        rc = dom0c_init(ctx, flags, &changes) ? EXIT_FAILED : 0;
        dom0c_close(ctx);
    }
    cli->lg = lg;
    xtl_logger_destroy(dry);
    if (rc)
        return rc;
    printf("dom0c init: %u change%s%s\n", changes, changes == 1 ? "" : "s",
           flags & DOM0C_INIT_DRY_RUN ? " would be made (dry run)" : "");
    return EXIT_OK;
}
