/*
 * cmd_account.c - dom0c account [-j]: dom0 CPU seconds and MB per domU.
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "cli.h"

static int print_text(const char *json)
{
    char err[256];
    yajl_val a = yajl_tree_parse(json, err, sizeof(err));

    if (!a || !YAJL_IS_ARRAY(a))
        return usage_error("account: %s", err);
    printf("  %-6s %-16s %14s %14s %9s\n", "domid", "name", "dom0 CPU s",
           "dom0 MB held", "I/O level");
    for (size_t i = 0; i < YAJL_GET_ARRAY(a)->len; i++) {
        yajl_val r = YAJL_GET_ARRAY(a)->values[i];
        const char *k[][2] = { { "domid", NULL }, { "name", NULL },
                               { "dom0_cpu_seconds", NULL },
                               { "dom0_memory_mb", NULL },
                               { "io_level", NULL } };
        printf("  %-6lld %-16.16s %14.2f %14lld %9lld\n",
               YAJL_GET_INTEGER(yajl_tree_get(r, k[0], yajl_t_number)),
               YAJL_GET_STRING(yajl_tree_get(r, k[1], yajl_t_string)),
               YAJL_GET_DOUBLE(yajl_tree_get(r, k[2], yajl_t_number)),
               YAJL_GET_INTEGER(yajl_tree_get(r, k[3], yajl_t_number)),
               YAJL_GET_INTEGER(yajl_tree_get(r, k[4], yajl_t_number)));
    }
    yajl_tree_free(a);
    return EXIT_OK;
}

int cmd_account(struct cli *cli, int argc, char **argv)
{
    struct live_opts o = { 0 };
    char *json = NULL;
    dom0c_ctx *ctx;
    int rc = live_parse(argc, argv, &o, "account", LIVE_USAGE " [-j]");

    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    rc = live_open(cli, &o, &ctx);
    if (rc)
        return rc;
    rc = dom0c_account_json(ctx, &json);
    dom0c_close(ctx);
    if (rc)
        return EXIT_FAILED;
    rc = o.json ? (printf("%s\n", json), EXIT_OK) : print_text(json);
    free(json);
    return rc;
}
