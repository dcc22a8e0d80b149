/*
 * config.c - dom0c.conf: xl.conf syntax read with libxlutil, then
 * checked key by key.  Every rejection names the key, the value given
 * and what would have been accepted; *out is written only on success.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxlutil.h>

#include "classify.h"
#include "config.h"
#include "file.h"
#include "num.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define MAX_MEMORY_MB  UINT64_C(16777216)   /* 16 TiB */
#define MAX_SMALL_MB   UINT64_C(1048576)    /* 1 TiB: eps, base, reserve */
#define MAX_RATE_KBPS  (UINT64_C(1) << 40)  /* 1 PiB/s */
#define MAX_FILE_BYTES (1024 * 1024)

static const char *const profile_names[] = {
    [D0_PROFILE_OPENSTACK]  = "openstack",
    [D0_PROFILE_OPENNEBULA] = "opennebula",
    [D0_PROFILE_EUCALYPTUS] = "eucalyptus",
    [D0_PROFILE_ORACLE]     = "oracle",
    [D0_PROFILE_EXPLICIT]   = "explicit",
};

/* vCPUs and MB of each profile; 0 MB means "computed" or "given". */
static const struct {
    unsigned vcpus;
    uint64_t mb;
} profile_size[] = {
    [D0_PROFILE_OPENSTACK]  = { 2, 2048 },
    [D0_PROFILE_OPENNEBULA] = { 2, 1850 },
    [D0_PROFILE_EUCALYPTUS] = { 1, 1536 },
    [D0_PROFILE_ORACLE]     = { 2, 0 },
    [D0_PROFILE_EXPLICIT]   = { 0, 0 },
};

static const char *const on_error_names[] = {
    [D0_ON_ERROR_STRICT]  = "strict",
    [D0_ON_ERROR_DEGRADE] = "degrade",
};

static const char *const known_keys[] = {
    "main_profile", "main_vcpus", "main_memory", "main_cpus", "epsilon",
    "secondary_base", "domu_min_memory", "io_levels", "io_hysteresis",
    "on_error", "class_t2", "class_t1", "class_t0",
};

static const struct d0_io_level default_levels[] = {
    { 1024, 32 }, { 8192, 64 }, { 65536, 128 },
};

/* A whole-number key: its range and the unit said in messages. */
struct num_spec {
    const char *key;
    const char *unit;
    uint64_t min, max;
};

static const struct num_spec spec_vcpus =
    { "main_vcpus", "vCPUs", 1, DOM0C_MAX_CPUS };
static const struct num_spec spec_memory =
    { "main_memory", "MB", 1, MAX_MEMORY_MB };
static const struct num_spec spec_epsilon =
    { "epsilon", "MB", 0, MAX_SMALL_MB };
static const struct num_spec spec_base =
    { "secondary_base", "MB", 0, MAX_SMALL_MB };
static const struct num_spec spec_domu_min =
    { "domu_min_memory", "MB", 1, MAX_MEMORY_MB };

/* What one parse needs to look keys up and to explain a rejection. */
struct parse {
    const XLU_Config *cfg;
    const char *fname;
    char *err;
    size_t errlen;
};

static int __attribute__((format(printf, 2, 3)))
fail(const struct parse *p, const char *fmt, ...)
{
    va_list ap;

    if (p->err && p->errlen) {
        va_start(ap, fmt);
        vsnprintf(p->err, p->errlen, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

/* Writes "a, b, c" into buf (truncated when short). */
static void join(const char *const *names, size_t n, char *buf, size_t len)
{
    size_t off = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n && off < len; i++) {
        int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
                         names[i]);
        if (w < 0)
            break;
        off += (size_t)w;
    }
}

/* Values that libxlutil's lexer reads as NUMBER are echoed unquoted. */
static const char *quote(const char *v)
{
    if (v[0] >= '0' && v[0] <= '9' && !v[strspn(v, "0123456789abcdefx")])
        return "";
    return "\"";
}

static int bad_value(const struct parse *p, const char *key, const char *val,
                     const char *accepted)
{
    return fail(p, "%s: %s = %s%s%s: expected %s", p->fname, key,
                quote(val), val, quote(val), accepted);
}


/*
 * A plain decimal in [0, 1): "0", "0.25", ".5".  No sign, exponent or
 * locale: "0.25" is 25 / 100, so it converts exactly as a literal would.
 */
static int parse_fraction(const char *s, double *out)
{
    size_t zeros = strspn(s, "0"), nfrac = 0;
    const char *q = s + zeros;
    uint64_t num = 0, den = 1;

    if (*q == '.') {
        for (q++; *q >= '0' && *q <= '9'; q++, nfrac++) {
            if (nfrac == 18)
                return -EINVAL;
            num = num * 10 + (uint64_t)(*q - '0');
            den *= 10;
        }
    }
    if (*q || (!zeros && !nfrac))
        return -EINVAL;
    *out = (double)num / (double)den;
    return 0;
}

/*
 * Looks a single-valued key up.  Returns 1 with *val, 0 when the key
 * is absent, or -EINVAL (with a message) when it was given a list.
 */
static int get_scalar(const struct parse *p, const char *key,
                      const char *accepted, const char **val)
{
    int e = xlu_cfg_get_string(p->cfg, key, val, 1);

    if (e == ESRCH)
        return 0;
    if (e)
        return fail(p, "%s: %s = [ ... ]: expected %s, not a list",
                    p->fname, key, accepted);
    return 1;
}

/* Returns 1 with *out, 0 when absent, or -EINVAL. */
static int get_number(const struct parse *p, const struct num_spec *s,
                      uint64_t *out)
{
    char acc[96];
    const char *val;
    uint64_t v;
    int rc;

    snprintf(acc, sizeof(acc), "a whole number of %s in %" PRIu64 "..%"
             PRIu64, s->unit, s->min, s->max);
    rc = get_scalar(p, s->key, acc, &val);
    if (rc <= 0)
        return rc;
    if (d0_parse_dec(val, strlen(val), &v) || v < s->min || v > s->max)
        return bad_value(p, s->key, val, acc);
    *out = v;
    return 1;
}

/* One of names[]: returns 1 with its index, 0 when absent, or -EINVAL. */
static int get_choice(const struct parse *p, const char *key,
                      const char *const *names, size_t n, unsigned *out)
{
    char acc[128] = "one of ";
    const char *val;
    int rc;

    join(names, n, acc + strlen(acc), sizeof(acc) - strlen(acc));
    rc = get_scalar(p, key, acc, &val);
    if (rc <= 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(val, names[i])) {
            *out = (unsigned)i;
            return 1;
        }
    }
    return bad_value(p, key, val, acc);
}

/* main_cpus: sets has_main_cpus and main_cpus; checks main_vcpus. */
static int get_main_cpus(const struct parse *p, struct d0_config *c,
                         int has_vcpus, uint64_t vcpus)
{
    static const char acc[] = "a non-empty list of pCPUs below "
        "4096 such as \"0-1\" or \"0,2\"";
    const char *val;
    unsigned n;
    int rc;

    rc = get_scalar(p, "main_cpus", acc, &val);
    if (rc <= 0)
        return rc;
    if (!strcmp(val, "all") ||
        d0_cpuset_parse(val, DOM0C_MAX_CPUS, &c->main_cpus) ||
        d0_cpuset_empty(&c->main_cpus))
        return bad_value(p, "main_cpus", val, acc);
    n = d0_cpuset_count(&c->main_cpus);
    if (has_vcpus && vcpus != n)
        return fail(p, "%s: main_cpus = \"%s\" lists %u pCPUs but "
                    "main_vcpus = %" PRIu64 ": expected the same count "
                    "(or give only one of them)", p->fname, val, n, vcpus);
    c->has_main_cpus = true;
    return 1;
}

/*
 * The main container: the profile's size, then main_vcpus, main_memory
 * and main_cpus as overrides (with "explicit" they are the size).
 */
static int apply_main(const struct parse *p, struct d0_config *c)
{
    uint64_t vcpus = 0, mb = 0;
    unsigned prof = c->profile;
    int rc, has_v, has_m, has_cpus;

    rc = get_choice(p, "main_profile", profile_names,
                    ARRAY_SIZE(profile_names), &prof);
    if (rc < 0)
        return rc;
    if ((has_v = get_number(p, &spec_vcpus, &vcpus)) < 0)
        return has_v;
    if ((has_m = get_number(p, &spec_memory, &mb)) < 0)
        return has_m;
    if ((has_cpus = get_main_cpus(p, c, has_v, vcpus)) < 0)
        return has_cpus;
    if (prof == D0_PROFILE_EXPLICIT && (!has_m || !(has_v || has_cpus)))
        return fail(p, "%s: main_profile = \"explicit\": expected "
                    "main_memory and main_vcpus (or main_cpus) to be set "
                    "too; %s is missing", p->fname,
                    has_m ? "main_vcpus" : "main_memory");
    c->profile = (enum d0_profile)prof;
    c->main_vcpus = profile_size[prof].vcpus;
    c->main_mb = profile_size[prof].mb;
    if (has_v)
        c->main_vcpus = (unsigned)vcpus;
    if (has_cpus)
        c->main_vcpus = d0_cpuset_count(&c->main_cpus);
    if (has_m)
        c->main_mb = mb;
    return 0;
}

/* "RATE:RESERVE", both whole numbers in range. */
static int parse_level(const char *s, struct d0_io_level *out)
{
    const char *colon = strchr(s, ':');
    struct d0_io_level l;

    if (!colon ||
        d0_parse_dec(s, (size_t)(colon - s), &l.rate_kbps) ||
        d0_parse_dec(colon + 1, strlen(colon + 1), &l.reserve_mb) ||
        !l.rate_kbps || l.rate_kbps > MAX_RATE_KBPS ||
        !l.reserve_mb || l.reserve_mb > MAX_SMALL_MB)
        return -EINVAL;
    *out = l;
    return 0;
}

/* Item i (0-based) of io_levels into lv[i], above lv[i - 1]. */
static int get_level(const struct parse *p, const XLU_ConfigList *list,
                     int i, struct d0_io_level *lv)
{
    const char *val = xlu_cfg_get_listitem(list, i);

    if (!val)
        return fail(p, "%s: io_levels item %d = [ ... ]: expected a "
                    "\"RATE:RESERVE\" string, not a list", p->fname, i + 1);
    if (parse_level(val, &lv[i]))
        return fail(p, "%s: io_levels item %d = \"%s\": expected "
                    "\"RATE:RESERVE\" with RATE in KiB/s 1..%" PRIu64
                    " and RESERVE in MB 1..%" PRIu64 ", e.g. \"8192:64\"",
                    p->fname, i + 1, val, MAX_RATE_KBPS, MAX_SMALL_MB);
    if (i && lv[i].rate_kbps <= lv[i - 1].rate_kbps)
        return fail(p, "%s: io_levels item %d = \"%s\": expected a rate "
                    "above the previous level's %" PRIu64 " KiB/s (rates "
                    "strictly increasing)", p->fname, i + 1, val,
                    lv[i - 1].rate_kbps);
    return 0;
}

static int apply_levels(const struct parse *p, struct d0_config *c)
{
    struct d0_io_level lv[D0_MAX_IO_LEVELS];
    XLU_ConfigList *list;
    const char *val;
    int n, rc;

    rc = xlu_cfg_get_list(p->cfg, "io_levels", &list, &n, 1);
    if (rc == ESRCH)
        return 0;
    if (rc) {
        rc = xlu_cfg_get_string(p->cfg, "io_levels", &val, 1);
        return bad_value(p, "io_levels", rc ? "?" : val, "a list of "
                         "\"RATE:RESERVE\" strings such as "
                         "[ \"1024:32\", \"8192:64\" ], or [] for none");
    }
    if (n > D0_MAX_IO_LEVELS)
        return fail(p, "%s: io_levels = [ ... ] has %d levels: expected "
                    "at most %d", p->fname, n, D0_MAX_IO_LEVELS);
    for (int i = 0; i < n; i++)
        if ((rc = get_level(p, list, i, lv)))
            return rc;
    memcpy(c->levels, lv, (size_t)n * sizeof(lv[0]));
    c->nr_levels = (unsigned)n;
    return 0;
}

static int apply_hysteresis(const struct parse *p, struct d0_config *c)
{
    static const char acc[] = "a decimal fraction in [0, 1) such as "
        "\"0.25\"";
    const char *val;
    double h;
    int rc;

    rc = get_scalar(p, "io_hysteresis", acc, &val);
    if (rc <= 0)
        return rc;
    if (parse_fraction(val, &h))
        return bad_value(p, "io_hysteresis", val, acc);
    c->hysteresis = h;
    return 0;
}

static int apply_sizes(const struct parse *p, struct d0_config *c)
{
    int rc;

    if ((rc = get_number(p, &spec_epsilon, &c->epsilon_mb)) < 0 ||
        (rc = get_number(p, &spec_base, &c->secondary_base_mb)) < 0 ||
        (rc = get_number(p, &spec_domu_min, &c->domu_min_mb)) < 0)
        return rc;
    return 0;
}

static int apply_on_error(const struct parse *p, struct d0_config *c)
{
    unsigned e = c->on_error;       /* -O3 cannot see get_choice sets it */
    int rc;

    rc = get_choice(p, "on_error", on_error_names,
                    ARRAY_SIZE(on_error_names), &e);
    if (rc > 0)
        c->on_error = (enum d0_on_error)e;
    return rc < 0 ? rc : 0;
}

/* class_t2/t1/t0: lists of "FIELD:GLOB" (classify.h) into *rs. */
static int get_class_rules(const struct parse *p, const char *key,
                           struct d0_class_rules *rs)
{
    static const char acc[] = "\"comm:GLOB\", \"exe:GLOB\" or "
        "\"cmdline:GLOB\" with GLOB a non-empty fnmatch pattern of at most "
        "127 characters";
    XLU_ConfigList *list;
    const char *val;
    int n, rc;

    rc = xlu_cfg_get_list(p->cfg, key, &list, &n, 1);
    if (rc == ESRCH)
        return 0;
    if (rc) {
        rc = xlu_cfg_get_string(p->cfg, key, &val, 1);
        return bad_value(p, key, rc ? "?" : val, "a list of rules such as "
                         "[ \"comm:nova-*\", \"exe:/opt/agent/bin/*\" ], "
                         "or [] for none");
    }
    if (n > D0_MAX_CLASS_RULES)
        return fail(p, "%s: %s = [ ... ] has %d rules: expected at most %d",
                    p->fname, key, n, D0_MAX_CLASS_RULES);
    for (int i = 0; i < n; i++) {
        val = xlu_cfg_get_listitem(list, i);
        if (!val)
            return fail(p, "%s: %s item %d = [ ... ]: expected %s, not a "
                        "list", p->fname, key, i + 1, acc);
        if (d0_class_rule_parse(val, &rs->rule[i]))
            return fail(p, "%s: %s item %d = \"%s\": expected %s",
                        p->fname, key, i + 1, val, acc);
    }
    rs->nr = (unsigned)n;
    return 0;
}

static int apply_classes(const struct parse *p, struct d0_config *c)
{
    int rc;

    if ((rc = get_class_rules(p, "class_t2", &c->class_t2)) ||
        (rc = get_class_rules(p, "class_t1", &c->class_t1)) ||
        (rc = get_class_rules(p, "class_t0", &c->class_t0)))
        return rc;
    return 0;
}

/* d0_config_scan_keys callback: rejects a key we do not know. */
static int check_key(const char *key, size_t len, unsigned line, void *arg)
{
    const struct parse *p = arg;
    char keys[256];

    for (size_t i = 0; i < ARRAY_SIZE(known_keys); i++)
        if (strlen(known_keys[i]) == len && !memcmp(known_keys[i], key, len))
            return 0;
    join(known_keys, ARRAY_SIZE(known_keys), keys, sizeof(keys));
    return fail(p, "unknown key '%.*s' in %s line %u; accepted keys: %s",
                (int)len, key, p->fname, line, keys);
}

/* libxlutil's report, first line (later ones are Python hints). */
static int syntax_error(const struct parse *p, FILE *rf, char *const *report,
                        int e)
{
    char ebuf[128];

    fflush(rf);
    if (!*report || !**report)
        fail(p, "%s: cannot parse: %s", p->fname,
             strerror_r(e, ebuf, sizeof(ebuf)));
    else
        fail(p, "%.*s; expected statements key = 123, key = \"text\" "
             "(quote values that are not whole numbers) or "
             "key = [ \"item\", ... ]", (int)strcspn(*report, "\n"),
             *report);
    return e == ENOMEM ? -ENOMEM : -EINVAL;
}

static int apply_all(struct parse *p, const char *text, size_t len,
                     struct d0_config *c)
{
    int rc;

    if ((rc = d0_config_scan_keys(text, len, check_key, p)) ||
        (rc = apply_main(p, c)) ||
        (rc = apply_sizes(p, c)) ||
        (rc = apply_levels(p, c)) ||
        (rc = apply_hysteresis(p, c)) ||
        (rc = apply_on_error(p, c)) ||
        (rc = apply_classes(p, c)))
        return rc;
    return 0;
}

int d0_config_parse(const char *text, size_t len, const char *fname,
                    struct d0_config *out, char *err, size_t errlen)
{
    struct parse p = {
        .fname = fname ? fname : "dom0c.conf", .err = err, .errlen = errlen,
    };
    struct d0_config c;
    XLU_Config *cfg = NULL;
    char *report = NULL;
    size_t rlen = 0;
    FILE *rf = NULL;
    int rc, e;

    if (err && errlen)
        err[0] = '\0';
    if (!text) {
        text = "";
        len = 0;
    }
    if (len > INT_MAX) {
        rc = fail(&p, "%s: %zu bytes: expected at most %d", p.fname, len,
                  INT_MAX);
        goto out;
    }
    rf = open_memstream(&report, &rlen);
    cfg = rf ? xlu_cfg_init(rf, p.fname) : NULL;
    if (!cfg) {
        rc = -ENOMEM;
        fail(&p, "%s: cannot parse: out of memory", p.fname);
        goto out;
    }
    e = xlu_cfg_readdata(cfg, text, (int)len);
    if (e) {
        rc = syntax_error(&p, rf, &report, e);
        goto out;
    }
    p.cfg = cfg;
    d0_config_defaults(&c);
    rc = apply_all(&p, text, len, &c);
    if (!rc)
        *out = c;
out:
    xlu_cfg_destroy(cfg);
    if (rf)
        fclose(rf);
    free(report);
    return rc;
}

int d0_config_load(const char *path, bool must_exist, struct d0_config *out,
                   char *err, size_t errlen)
{
    struct parse p = { .err = err, .errlen = errlen };
    char *buf = NULL, ebuf[128];
    size_t len = 0;
    int rc;

    p.fname = path = path ? path : D0_DEFAULT_CONFIG;
    if (err && errlen)
        err[0] = '\0';
    rc = d0_read_file(path, MAX_FILE_BYTES, &buf, &len);
    if (rc == -ENOENT && !must_exist) {
        d0_config_defaults(out);
        rc = 0;
        goto out;
    }
    if (rc) {
        fail(&p, "%s: cannot read: %s", path,
             strerror_r(-rc, ebuf, sizeof(ebuf)));
        goto out;
    }
    rc = d0_config_parse(buf, len, path, out, err, errlen);
out:
    free(buf);
    return rc;
}

void d0_config_defaults(struct d0_config *c)
{
    memset(c, 0, sizeof(*c));
    c->profile = D0_PROFILE_OPENSTACK;
    c->main_vcpus = profile_size[D0_PROFILE_OPENSTACK].vcpus;
    c->main_mb = profile_size[D0_PROFILE_OPENSTACK].mb;
    c->has_main_cpus = false;
    c->epsilon_mb = 64;
    c->secondary_base_mb = 75;
    c->domu_min_mb = 128;
    c->nr_levels = ARRAY_SIZE(default_levels);
    memcpy(c->levels, default_levels, sizeof(default_levels));
    c->hysteresis = 0.25;
    c->on_error = D0_ON_ERROR_STRICT;
}

/*
 * Oracle's rule for dom0 memory: 502 MB + 2.05% of the host, truncated.
 * Worked example, the thesis host of 40960 MB: 40960 * 0.0205 = 839.68,
 * so 502 + 839 = 1341 MB.  Integer arithmetic (205 / 10000), split so
 * that no host size can overflow it.
 */
uint64_t d0_config_main_mb(const struct d0_config *c, uint64_t host_mb)
{
    if (c->profile != D0_PROFILE_ORACLE || c->main_mb)
        return c->main_mb;
    return 502 + host_mb / 10000 * 205 + host_mb % 10000 * 205 / 10000;
}

const char *d0_profile_name(enum d0_profile p)
{
    if ((unsigned)p >= ARRAY_SIZE(profile_names))
        return "?";
    return profile_names[p];
}

const char *d0_on_error_name(enum d0_on_error e)
{
    if ((unsigned)e >= ARRAY_SIZE(on_error_names))
        return "?";
    return on_error_names[e];
}
