/*
 * cmd_reconcile.c - dom0c reconcile: repair what a crash left behind.
 */
#include "cli.h"

int cmd_reconcile(struct cli *cli, int argc, char **argv)
{
    struct live_opts o = { 0 };
    dom0c_reconcile_report r;
    dom0c_ctx *ctx;
    int rc = live_parse(argc, argv, &o, "reconcile", LIVE_USAGE " [-j]");

    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    rc = live_open(cli, &o, &ctx);
    if (rc)
        return rc;
    rc = dom0c_reconcile(ctx, &r);
    dom0c_close(ctx);
    if (rc)
        return EXIT_FAILED;
    if (o.json)
        printf("{ \"entries\": %u, \"dropped\": %u, \"adopted\": %u, "
               "\"target_fix_mb\": %lld }\n", r.entries, r.dropped,
               r.adopted, (long long)r.target_fix_mb);
    else
        printf("dom0c reconcile: %u reservation%s checked, %u dropped, "
               "%u adopted, dom0 target corrected by %+lld MB\n", r.entries,
               r.entries == 1 ? "" : "s", r.dropped, r.adopted,
               (long long)r.target_fix_mb);
    return EXIT_OK;
}
