/*
 * xl_dom0c.c - the calls xl makes into libdom0c (see xl_dom0c.h).
 *
 * The library handle is opened on first use.  After a fork (xl
 * daemonizes into the domain's monitor) the parent's handle is not ours:
 * it is dropped, not closed, and a new one is opened, as postfork() does
 * for xl's own libxl ctx.
 */
#define _GNU_SOURCE             /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxl.h>
#include <libxl_utils.h>
#include <libxlutil.h>

#include "xl.h"
#include "carve.h"
#include "xl_dom0c.h"
#include "xl_utils.h"

static dom0c_ctx *dc;
static pid_t dc_pid;
static int active;                  /* 0 unknown, 1 yes, -1 no */
static dom0c_decision decision;
static bool have_decision;
static uint64_t balloon_to_kb;      /* incoming: the target after commit */
static struct {                     /* the domain last placed */
    uint32_t domid;
    char uuid[37];
} placed;

static dom0c_ctx *dom0c(void)
{
    if (dc_pid != getpid()) {       /* new process: a fresh handle */
        dc = NULL;
        active = 0;
        dc_pid = getpid();
    }
    if (active)
        return active > 0 ? dc : NULL;
    active = -1;
    if (dom0c_open(NULL, (xentoollog_logger *)logger, &dc)) {
        fprintf(stderr, "dom0c: libdom0c could not be opened; going on "
                "without it\n");
        return NULL;
    }
    if (dom0c_ready(dc)) {
        fprintf(stderr, "dom0c: not initialised on this host (run "
                "'dom0c init'); going on without it\n");
        return NULL;
    }
    active = 1;
    return dc;
}

/* ---- per-domain keys in c_info.xsdata ----------------------------- */

static void xsdata_set(libxl_domain_config *c, const char *key,
                       const char *val)
{
    char **kv = c->c_info.xsdata;
    int n = 0;

    for (; kv && kv[n]; n += 2) {
        if (!strcmp(kv[n], key)) {
            free(kv[n + 1]);
            kv[n + 1] = xstrdup(val);
            return;
        }
    }
    kv = xrealloc(kv, (size_t)(n + 3) * sizeof(*kv));
    kv[n] = xstrdup(key);
    kv[n + 1] = xstrdup(val);
    kv[n + 2] = NULL;
    c->c_info.xsdata = kv;
}

void xl_dom0c_config(const char *source, const char *data, int len,
                     libxl_domain_config *c)
{
    XLU_Config *cfg = xlu_cfg_init(stderr, source);
    char buf[32];
    long v;

    if (!cfg || xlu_cfg_readdata(cfg, data, len))
        goto out;                   /* parse_config_data said why */
    if (!xlu_cfg_get_long(cfg, "dom0c", &v, 0)) {
        if (v != 0 && v != 1) {
            fprintf(stderr, "%s: dom0c = %ld: expected 0 (leave this domain "
                    "to xl alone) or 1 (the default)\n", source, v);
            exit(EXIT_FAILURE);
        }
        xsdata_set(c, "dom0c", v ? "1" : "0");
    }
    if (!xlu_cfg_get_long(cfg, "dom0c_epsilon", &v, 0)) {
        if (v < 0 || v > 1048576) {
            fprintf(stderr, "%s: dom0c_epsilon = %ld: expected MB from 0 "
                    "to 1048576\n", source, v);
            exit(EXIT_FAILURE);
        }
        snprintf(buf, sizeof(buf), "%ld", v);
        xsdata_set(c, "dom0c-epsilon", buf);
    }
out:
    xlu_cfg_destroy(cfg);
}

/* ---- prepare ------------------------------------------------------- */

/* The decision into the config (carve.c, as the libvirt shim does); a
 * restore's target after the commit in balloon_to_kb.  0 or -1, said. */
static int apply(libxl_domain_config *c, const dom0c_decision *d,
                 bool incoming)
{
    struct carve_sizes sz = { .max_cpus = (unsigned)libxl_get_max_cpus(ctx),
                              .max_nodes = (unsigned)libxl_get_max_nodes(ctx) };
    int rc = carve_apply(c, d, incoming, &sz, &balloon_to_kb);

    if (rc)
        fprintf(stderr, "dom0c: the config of %s could not be carved: "
                "%s\n", c->c_info.name, strerror(-rc));
    return rc ? -1 : 0;
}

int xl_dom0c_prepare(libxl_domain_config *c, bool incoming)
{
    static bool warned;
    dom0c_request req;
    char uuid[37];
    dom0c_ctx *x = carve_opted_out(c) ? NULL : dom0c();

    if (!x)
        return 0;
    if (autoballoon && !warned) {
        fprintf(stderr, "dom0c: autoballoon is on in xl.conf: xl would "
                "shrink dom0 below what dom0c reserves; set "
                "autoballoon=\"off\"\n");
        warned = true;
    }
    carve_request(c, &req, uuid);
    if (dom0c_prepare(x, &req, &decision))
        return -1;
    if (decision.verdict == DOM0C_UNAVAILABLE) {
        fprintf(stderr, "dom0c: %s: %s\n", c->c_info.name, decision.why);
        return 0;                   /* on_error = degrade: as asked */
    }
    if (decision.verdict != DOM0C_OK) {
        fprintf(stderr, "dom0c: domain %s cannot be placed: %s\n",
                c->c_info.name, decision.why);
        return -1;
    }
    if (apply(c, &decision, incoming)) {
        dom0c_release(x, 0, uuid);  /* the intent goes; nothing made */
        return -1;
    }
    have_decision = true;
    fprintf(stderr, "dom0c: %s gets %llu of %llu MB on nodes 0x%llx; dom0 "
            "keeps %llu MB per node\n", c->c_info.name,
            (unsigned long long)decision.given_mb,
            (unsigned long long)decision.requested_mb,
            (unsigned long long)decision.nodemap,
            (unsigned long long)decision.epsilon_mb);
    if (incoming && dom0c_place_prepared(x, &decision, DOM0C_OP_RESTORE))
        return -1;
    return 0;
}

int xl_dom0c_commit(uint32_t domid, const libxl_domain_config *c)
{
    char uuid[37];
    dom0c_ctx *x = carve_opted_out(c) || !have_decision ? NULL : dom0c();

    if (!x)
        return 0;
    have_decision = false;
    snprintf(uuid, sizeof(uuid), LIBXL_UUID_FMT,
             LIBXL_UUID_BYTES(c->c_info.uuid));
    if (dom0c_commit(x, domid, uuid, &decision))
        return -1;
    if (balloon_to_kb &&
        libxl_set_memory_target(ctx, domid, (int64_t)balloon_to_kb, 0, 1))
        fprintf(stderr, "dom0c: domain %u could not be ballooned to %llu "
                "kB\n", domid, (unsigned long long)balloon_to_kb);
    balloon_to_kb = 0;
    return 0;
}

/* ---- place and release --------------------------------------------- */

/* The opt-out travels in the stored config's xsdata.  The stored JSON
 * (libxl-json userdata, dom0-only) is parsed only when it holds the key:
 * libxl_retrieve_domain_configuration() also walks every device. */
static bool domain_opted_out(uint32_t domid)
{
    libxl_domain_config c;
    uint8_t *json = NULL, *z;
    int len = 0;
    bool out = false;

    if (libxl_userdata_retrieve(ctx, domid, "libxl-json", &json, &len) ||
        !json)
        return false;
    z = memmem(json, (size_t)len, "\"dom0c\"", 7) ?
        realloc(json, (size_t)len + 1) : NULL;
    if (z) {
        json = z;
        json[len] = 0;
        libxl_domain_config_init(&c);
        if (!libxl_domain_config_from_json(ctx, &c, (const char *)json))
            out = carve_opted_out(&c);
        libxl_domain_config_dispose(&c);
    }
    free(json);
    return out;
}

void xl_dom0c_place(uint32_t domid, dom0c_op op)
{
    libxl_dominfo info;
    dom0c_ctx *x = dom0c();

    if (!x || domain_opted_out(domid))
        return;
    libxl_dominfo_init(&info);
    if (!libxl_domain_info(ctx, &info, domid)) {
        placed.domid = domid;
        snprintf(placed.uuid, sizeof(placed.uuid), LIBXL_UUID_FMT,
                 LIBXL_UUID_BYTES(info.uuid));
    }
    libxl_dominfo_dispose(&info);
    if (dom0c_place(x, domid, op))
        fprintf(stderr, "dom0c: domain %u: this operation runs unplaced\n",
                domid);
}

void xl_dom0c_release(uint32_t domid, const libxl_domain_config *c)
{
    char uuid[37] = "";
    dom0c_ctx *x = c && carve_opted_out(c) ? NULL : dom0c();

    if (!x)
        return;
    if (c)
        snprintf(uuid, sizeof(uuid), LIBXL_UUID_FMT,
                 LIBXL_UUID_BYTES(c->c_info.uuid));
    else if (placed.domid == domid && placed.uuid[0])
        memcpy(uuid, placed.uuid, sizeof(uuid));
    if (!libxl_domid_valid_guest(domid))
        domid = 0;                  /* never created: drop the intent */
    dom0c_release(x, domid, uuid[0] ? uuid : NULL);
}
