/*
 * dom0cd - the libdom0c daemon.  Every period, and at once when xenstore
 * says a domain came, went or a backend changed:
 *  - reconciles the ledger with the live domains (@releaseDomain carries
 *    no domid in 4.17: every event means a rescan), and at start-up;
 *  - runs Algorithm 1 on each reserved domU's I/O rate (io.c);
 *  - moves each reserved domU's backends and IRQs next to it (backends.c);
 *  - optionally writes the accounting for node_exporter's textfile
 *    collector.
 * State that must survive a restart lives in the ledger, not here.
 *
 *   dom0cd [-f] [-v] [--period SECS] [--pidfile FILE] [--prometheus FILE]
 *          [--config FILE] [--cgroup-root DIR] [--sysroot DIR]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"
#include "io.h"
#include "log.h"

struct opts {
    dom0c_open_args args;
    int foreground, verbose;
    double period;
    const char *pidfile, *prometheus;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    stop = sig;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        { "foreground", no_argument, NULL, 'f' },
        { "verbose", no_argument, NULL, 'v' },
        { "period", required_argument, NULL, 'p' },
        { "pidfile", required_argument, NULL, 'P' },
        { "prometheus", required_argument, NULL, 'm' },
        { "config", required_argument, NULL, 'c' },
        { "cgroup-root", required_argument, NULL, 'C' },
        { "sysroot", required_argument, NULL, 'S' },
        { 0 },
    };
    char *end;
    int c;

    while ((c = getopt_long(argc, argv, "fv", lo, NULL)) != -1) {
        switch (c) {
        case 'f': o->foreground = 1; break;
        case 'v': o->verbose++; break;
        case 'p':
            o->period = strtod(optarg, &end);
            if (*end || o->period < 0.1 || o->period > 3600) {
                fprintf(stderr, "dom0cd: --period %s: expected seconds "
                        "from 0.1 to 3600\n", optarg);
                return 2;
            }
            break;
        case 'P': o->pidfile = optarg; break;
        case 'm': o->prometheus = optarg; break;
        case 'c': o->args.config_path = optarg; break;
        case 'C': o->args.cgroup_root = optarg; break;
        case 'S': o->args.sysroot = optarg; break;
        default:
            fprintf(stderr, "usage: dom0cd [-f] [-v] [--period SECS] "
                    "[--pidfile FILE] [--prometheus FILE] [--config FILE] "
                    "[--cgroup-root DIR] [--sysroot DIR]\n");
            return 2;
        }
    }
    return optind < argc ? 2 : 0;
}

static int write_pidfile(const char *path)
{
    FILE *f = fopen(path, "w");

    if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
        fprintf(stderr, "dom0cd: writing %s: %m\n", path);
        return -1;
    }
    return 0;
}

/* Opens the library, waiting for xenstored/libxl while they are slow. */
static dom0c_ctx *open_ctx(const struct opts *o, xentoollog_logger *lg)
{
    dom0c_ctx *ctx = NULL;

    while (!stop) {
        if (!dom0c_open(&o->args, lg, &ctx) && !dom0c_ready(ctx))
            return ctx;
        dom0c_close(ctx);
        ctx = NULL;
        D0_WARN(lg, "not ready (dom0c init run? xenstored up?); retrying");
        sleep(5);
    }
    return NULL;
}

static int watch_all(dom0c_ctx *ctx)
{
    static const char *const w[][2] = {
        { "@releaseDomain", "release" }, { "@introduceDomain", "introduce" },
        { "/local/domain/0/backend", "backend" },
    };
    int rc = 0;

    for (size_t i = 0; !rc && i < sizeof(w) / sizeof(w[0]); i++)
        rc = ctx->be.ops->xs_watch(ctx->be.h, w[i][0], w[i][1]);
    if (rc)
        D0_ERR(ctx->lg, -rc, "watching xenstore");
    return rc;
}

/* Waits a period or an event; true when a domain went (reconcile). */
static bool wait_events(dom0c_ctx *ctx, double period)
{
    struct pollfd p = { .fd = ctx->be.ops->xs_fd(ctx->be.h),
                        .events = POLLIN };
    char *path, *token;
    bool released = false;

    if (p.fd >= 0)
        poll(&p, 1, (int)(period * 1000));
    else
        usleep((useconds_t)(period * 1e6));
    while (!ctx->be.ops->xs_next_watch(ctx->be.h, &path, &token)) {
        released |= !strcmp(token, "release");
        free(path);
        free(token);
    }
    return released;
}

static double ms_since(double *t)
{
    double n = now_s(), d = (n - *t) * 1e3;

    *t = n;
    return d;
}

static void period(dom0c_ctx *ctx, const struct opts *o,
                   struct d0_io_state *io, struct d0_backend_state *bs,
                   bool reconcile)
{
    unsigned moves = 0, placed = 0;
    dom0c_reconcile_report r;
    double t = now_s(), ms[5] = { 0 };

    if (d0_ctx_refresh(ctx))
        return;                     /* said why; try again next period */
    ms[0] = ms_since(&t);
    if (reconcile && !dom0c_reconcile(ctx, &r) && (r.dropped || r.adopted))
        D0_LOG(ctx->lg, XTL_INFO, -1, "reconciled: %u dropped, %u adopted",
               r.dropped, r.adopted);
    ms[1] = ms_since(&t);
    d0_io_tick(ctx, io, now_s(), &moves);
    ms[2] = ms_since(&t);
    d0_place_backends(ctx, bs, &placed);
    ms[3] = ms_since(&t);
    if (placed)
        D0_LOG(ctx->lg, XTL_INFO, -1, "placed %u backend threads/IRQs",
               placed);
    if (o->prometheus)
        d0_account_prometheus(ctx, o->prometheus);
    ms[4] = ms_since(&t);
    D0_DEBUG(ctx->lg, "period: facts %.1f ms, reconcile %.1f, io %.1f, "
             "backends %.1f, prometheus %.1f", ms[0], ms[1], ms[2], ms[3],
             ms[4]);
}

int main(int argc, char **argv)
{
    struct opts o = { .period = 2.0, .pidfile = "/run/dom0cd.pid" };
    static struct d0_io_state io;
    static struct d0_backend_state bs = { .first = true };
    xentoollog_logger *lg;
    dom0c_ctx *ctx;
    int rc = parse(argc, argv, &o);

    if (rc)
        return rc;
    lg = (xentoollog_logger *)xtl_createlogger_stdiostream(stderr,
            o.verbose ? XTL_DEBUG : XTL_INFO, XTL_STDIOSTREAM_SHOW_DATE);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    if (!o.foreground && daemon(0, 1)) {
        perror("dom0cd: daemon");
        return 1;
    }
    if (write_pidfile(o.pidfile))
        return 1;
    ctx = open_ctx(&o, lg);
    rc = ctx ? watch_all(ctx) : 0;
    D0_LOG(lg, XTL_INFO, -1, "dom0cd %d running, period %.1f s", getpid(),
           o.period);
    for (bool rec = true; ctx && !rc && !stop;
         rec = wait_events(ctx, o.period))
        period(ctx, &o, &io, &bs, rec);
    D0_LOG(lg, XTL_INFO, -1, "dom0cd stopping (signal %d)", (int)stop);
    dom0c_close(ctx);
    unlink(o.pidfile);
    xtl_logger_destroy(lg);
    return rc ? 1 : 0;
}
