/*
 * cli.h - the dom0c command: one file per subcommand.
 */
#ifndef DOM0C_CLI_H
#define DOM0C_CLI_H

#include <stdio.h>
#include <xentoollog.h>

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

/* Prints "dom0c: <msg>" to stderr; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes a finished yajl buffer to stdout with a final newline. */
struct yajl_gen_t;
void print_json(struct yajl_gen_t *g);

/* Base name of a path, for stable output. */
const char *base_name(const char *path);

#endif
