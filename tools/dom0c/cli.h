/*
 * cli.h - the dom0c command: one file per subcommand.
 */
#ifndef DOM0C_CLI_H
#define DOM0C_CLI_H

#include <errno.h>
#include <stdio.h>
#include <xentoollog.h>

#include "dom0c.h"

/* Exit codes of every subcommand. */
#define EXIT_OK 0
#define EXIT_INFEASIBLE 1
#define EXIT_USAGE 2
#define EXIT_FAILED 3

struct cli {
    xentoollog_logger *lg;
    const char *prog;
};

int cmd_plan(struct cli *cli, int argc, char **argv);
int cmd_facts(struct cli *cli, int argc, char **argv);
int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_reconcile(struct cli *cli, int argc, char **argv);
int cmd_exec(struct cli *cli, int argc, char **argv);
int cmd_account(struct cli *cli, int argc, char **argv);

/* live.c: options of every command that works on the live host. */
struct live_opts {
    dom0c_open_args args;
    int json;
};
#define LIVE_USAGE "[--config FILE] [--cgroup-root DIR] [--sysroot DIR]"
#define LIVE_LONG_OPTIONS \
    { "config", required_argument, NULL, 'c' }, \
    { "cgroup-root", required_argument, NULL, 'C' }, \
    { "sysroot", required_argument, NULL, 'S' }, \
    { "json", no_argument, NULL, 'j' }
/* 1 when c was one of the shared options. */
int live_option(struct live_opts *o, int c, const char *arg);
/* Parses argv when it has only shared options: 0, -1 (--help), or an
 * exit code. */
int live_parse(int argc, char **argv, struct live_opts *o, const char *cmd,
               const char *usage);
/* 0, or an exit code (the library has said why). */
int live_open(struct cli *cli, struct live_opts *o, dom0c_ctx **ctx);
/* The live host's facts, through libxl; 0 or an exit code. */
struct d0_facts;
int live_facts(struct cli *cli, const char *config, struct d0_facts *out);

/* Prints "dom0c: <msg>" to stderr; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes a finished yajl buffer to stdout with a final newline. */
struct yajl_gen_t;
void print_json(struct yajl_gen_t *g);

/* Base name of a path, for stable output. */
const char *base_name(const char *path);

#endif
