/*
 * main.c - dom0c: plan, inspect and (later) apply dom0's containers.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(struct cli *, int, char **);
    const char *help;
} commands[] = {
    { "plan", cmd_plan, "plan dom0's layout and domUs on a facts file" },
    { "facts", cmd_facts, "show host facts (live Xen, --local, --topology)" },
    { "init", cmd_init, "build dom0's containers at boot [--dry-run]" },
    { "status", cmd_status, "containers, reservations, dom0 target, drift" },
    { "reconcile", cmd_reconcile, "repair what a crash left behind" },
    { "account", cmd_account, "dom0 CPU seconds and MB spent per domU" },
    { "exec", cmd_exec, "run a command placed for a domU (--for, --op)" },
};

int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("dom0c: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

void print_json(struct yajl_gen_t *g)
{
    const unsigned char *buf;
    size_t len;

    yajl_gen_get_buf(g, &buf, &len);
    fwrite(buf, 1, len, stdout);
    if (!len || buf[len - 1] != '\n')
        fputc('\n', stdout);
}

const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

static void help(FILE *o)
{
    fprintf(o, "usage: dom0c [-v] COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(o, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(o, "\n'dom0c COMMAND --help' for a command's options; "
            "man dom0c(8).\n");
}

int main(int argc, char **argv)
{
    struct cli cli = { .prog = "dom0c" };
    xentoollog_level lvl = XTL_WARN;
    int rc;

    while (argc > 1 && !strcmp(argv[1], "-v")) {
        lvl = lvl > XTL_DEBUG ? lvl - 1 : lvl;
        argv++, argc--;
    }
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name))
            continue;
        cli.lg = (xentoollog_logger *)
            xtl_createlogger_stdiostream(stderr, lvl, 0);
        rc = commands[i].fn(&cli, argc - 1, argv + 1);
        xtl_logger_destroy(cli.lg);
        return rc;
    }
    return usage_error("unknown command '%s'; 'dom0c --help' lists them",
                       argv[1]);
}
