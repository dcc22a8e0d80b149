/*
 * cmd_status.c - dom0c status [-j]: containers, reservations, dom0's
 * target against the plan.  The text form is read off the JSON.
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "cli.h"

static long long num(yajl_val v, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val n = yajl_tree_get(v, path, yajl_t_number);

    return n ? YAJL_GET_INTEGER(n) : -1;
}

static const char *text(yajl_val v, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val s = yajl_tree_get(v, path, yajl_t_string);

    return s ? YAJL_GET_STRING(s) : "";
}

static yajl_val array(yajl_val v, const char *key)
{
    const char *path[] = { key, NULL };

    return yajl_tree_get(v, path, yajl_t_array);
}

static long long mb(long long bytes)
{
    return bytes < 0 ? -1 : bytes >> 20;
}

static void print_containers(yajl_val root)
{
    yajl_val a = array(root, "containers");

    printf("\n  %-14s %-12s %12s %10s %12s\n", "container", "cpuset.cpus",
           "memory.max", "used MB", "CPU s");
    for (size_t i = 0; a && i < YAJL_GET_ARRAY(a)->len; i++) {
        yajl_val c = YAJL_GET_ARRAY(a)->values[i];
        printf("  %-14s %-12s %9lld MB %10lld %12.2f\n", text(c, "path"),
               text(c, "cpuset.cpus"), mb(num(c, "memory.max")),
               mb(num(c, "memory.current")),
               (double)num(c, "cpu_usage_usec") / 1e6);
    }
}

static void print_reservations(yajl_val root)
{
    yajl_val a = array(root, "reservations");

    printf("\n  %-6s %-12s %8s %8s %5s %-6s %8s %10s\n", "domid", "name",
           "asked", "given", "eps", "nodes", "io MB", "dom0 CPU s");
    for (size_t i = 0; a && i < YAJL_GET_ARRAY(a)->len; i++) {
        yajl_val r = YAJL_GET_ARRAY(a)->values[i];
        printf("  %-6lld %-12.12s %8lld %8lld %5lld %-6s %8lld %10.2f\n",
               num(r, "domid"), text(r, "name"), num(r, "requested_mb"),
               num(r, "given_mb"), num(r, "epsilon_mb"), text(r, "nodes"),
               num(r, "io_reserve_mb"),
               (double)num(r, "dom0_cpu_usec") / 1e6);
    }
    a = array(root, "pending");
    for (size_t i = 0; a && i < YAJL_GET_ARRAY(a)->len; i++)
        printf("  pending: %s (pid %lld)\n",
               text(YAJL_GET_ARRAY(a)->values[i], "uuid"),
               num(YAJL_GET_ARRAY(a)->values[i], "pid"));
}

static int print_text(const char *json)
{
    char err[256];
    yajl_val root = yajl_tree_parse(json, err, sizeof(err));
    const char *path[] = { "dom0", NULL };
    yajl_val d0;

    if (!root)
        return usage_error("status: %s", err);
    d0 = yajl_tree_get(root, path, yajl_t_object);
    if (!YAJL_IS_TRUE(yajl_tree_get(root, (const char *[]){ "initialised",
                                                          NULL }, yajl_t_any)))
        printf("dom0c is not initialised on this host: run 'dom0c init'\n");
    printf("dom0 target %lld MB, planned %lld MB (drift %+lld MB)\n",
           num(d0, "target_mb"), num(d0, "planned_mb"), num(d0, "drift_mb"));
    print_containers(root);
    print_reservations(root);
    yajl_tree_free(root);
    return EXIT_OK;
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
    struct live_opts o = { 0 };
    char *json = NULL;
    dom0c_ctx *ctx;
    int rc = live_parse(argc, argv, &o, "status", LIVE_USAGE " [-j]");

    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    rc = live_open(cli, &o, &ctx);
    if (rc)
        return rc;
    rc = dom0c_status_json(ctx, &json);
    dom0c_close(ctx);
    if (rc)
        return EXIT_FAILED;
    if (o.json)
        printf("%s", json);
    else
        rc = print_text(json);
    free(json);
    return rc;
}
