/*
 * logger.c - a xentoollog logger on stderr (libvirtd's log, the
 * journal) that puts who speaks first: "dom0c-shim: dom0c: ..." for
 * libdom0c's messages, "dom0c-shim: ..." for the shim's own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

static void __attribute__((format(printf, 5, 0)))
prefixed(xentoollog_logger *lg, xentoollog_level level, int errnoval,
         const char *context, const char *format, va_list al)
{
    struct shim_log *l = (struct shim_log *)lg;
    char who[64];

    if (!l->out)
        return;
    if (context)
        snprintf(who, sizeof(who), "%s: %s", l->prefix, context);
    else
        snprintf(who, sizeof(who), "%s", l->prefix);
    l->out->vmessage(l->out, level, errnoval, who, format, al);
}

static void destroyed(xentoollog_logger *lg)
{
    (void)lg;                       /* shim_log_close() frees */
}

static xentoollog_level level(void)
{
    const char *d = getenv("DOM0C_SHIM_DEBUG");

    return d && *d && strcmp(d, "0") ? XTL_DEBUG : XTL_INFO;
}

void shim_log_open(struct shim_log *l, const char *prefix)
{
    memset(l, 0, sizeof(*l));
    l->vt.vmessage = prefixed;
    l->vt.destroy = destroyed;
    l->prefix = prefix;
    l->out = (xentoollog_logger *)xtl_createlogger_stdiostream(stderr,
        level(), XTL_STDIOSTREAM_HIDE_PROGRESS);
}

void shim_log_close(struct shim_log *l)
{
    xtl_logger_destroy(l->out);
    l->out = NULL;
}

void shim_say(struct shim_log *l, xentoollog_level lvl, const char *fmt,
              ...)
{
    va_list al;

    va_start(al, fmt);
    xtl_logv(&l->vt, lvl, -1, NULL, fmt, al);
    va_end(al);
}
