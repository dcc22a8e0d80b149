/*
 * mini-toolstack.c - the smallest custom toolstack that gives dom0 its
 * share of each domU through libdom0c.  The reference for toolstack
 * authors: only the public header dom0c.h and libxl are used.
 *
 *   mini-toolstack create NAME KERNEL RAMDISK MEMORY_MB VCPUS [DISK_IMAGE]
 *   mini-toolstack destroy DOMID
 *
 * create: dom0c_prepare (nodes chosen, memory carved) ->
 *         libxl_domain_create_new with that memory and nodemap ->
 *         dom0c_commit (dom0 grows by n * eps) -> unpause
 * destroy: dom0c_place (this process next to the domU) ->
 *          libxl_domain_destroy -> dom0c_release (dom0 gives eps back)
 *
 * For the crash tests of the lab, DOM0C_EXAMPLE_STALL=create (between
 * the create and the commit) or =destroy (between the destroy and the
 * release) makes it print "stalled" and wait to be killed.
 *
 * Build: cc mini-toolstack.c $(pkg-config --cflags --libs libdom0c xenlight)
 *        (libdom0c.pc requires xentoollog: dom0c.h takes your logger)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxl.h>
#include <libxl_utils.h>

#include "dom0c.h"

static void stall_if(const char *where)
{
    const char *s = getenv("DOM0C_EXAMPLE_STALL");

    if (!s || strcmp(s, where))
        return;
    printf("stalled after %s\n", where);
    fflush(stdout);
    for (;;)
        pause();
}

/* One affinity bitmap per vCPU, all set to cpus (a decision's set). */
static int affinity(libxl_ctx *xl, int vcpus, const uint64_t *cpus,
                    libxl_bitmap **out)
{
    libxl_bitmap *maps = calloc((size_t)vcpus, sizeof(*maps));

    if (!maps)
        return -1;
    *out = maps;
    for (int v = 0; v < vcpus; v++) {
        libxl_bitmap_init(&maps[v]);
        if (libxl_cpu_bitmap_alloc(xl, &maps[v], 0))
            return -1;
        for (int p = 0; p < (int)(maps[v].size * 8); p++)
            if ((cpus[p / 64] >> (p % 64)) & 1)
                libxl_bitmap_set(&maps[v], p);
    }
    return 0;
}

/* The domU libxl builds: PV, memory and nodes from the decision; hard
 * affinity off the main pCPUs, soft affinity on the chosen nodes. */
static int build_config(libxl_ctx *xl, char **argv, const dom0c_decision *d,
                        libxl_uuid *uuid, libxl_domain_config *c)
{
    libxl_domain_build_info *b = &c->b_info;
    int vcpus = atoi(argv[5]);

    libxl_domain_config_init(c);
    c->c_info.type = LIBXL_DOMAIN_TYPE_PV;
    c->c_info.name = strdup(argv[1]);
    libxl_uuid_copy(xl, &c->c_info.uuid, uuid);
    libxl_domain_build_info_init_type(b, LIBXL_DOMAIN_TYPE_PV);
    b->kernel = strdup(argv[2]);
    b->ramdisk = strdup(argv[3]);
    /* No b->cmdline: libxl 4.17 hands it to the build state, which frees
     * it, so disposing the config after the create would free it twice
     * (seen under ASan).  A PV guest's console is hvc0 without it. */
    b->max_memkb = b->target_memkb = d->given_mb * 1024;  /* M - n*eps */
    b->max_vcpus = vcpus;
    if (libxl_cpu_bitmap_alloc(xl, &b->avail_vcpus, vcpus) ||
        libxl_node_bitmap_alloc(xl, &b->nodemap, 0) ||
        affinity(xl, vcpus, d->hard_cpus, &b->vcpu_hard_affinity) ||
        affinity(xl, vcpus, d->soft_cpus, &b->vcpu_soft_affinity))
        return -1;
    b->num_vcpu_hard_affinity = b->num_vcpu_soft_affinity = vcpus;
    libxl_bitmap_set_any(&b->avail_vcpus);
    for (int n = 0; n < DOM0C_MAX_NODES; n++)           /* the n nodes */
        if ((d->nodemap >> n) & 1)
            libxl_bitmap_set(&b->nodemap, n);
    libxl_defbool_set(&b->numa_placement, false);
    if (argv[6]) {
        c->disks = calloc(1, sizeof(*c->disks));
        c->num_disks = 1;
        libxl_device_disk_init(c->disks);
        c->disks->pdev_path = strdup(argv[6]);
        c->disks->vdev = strdup("xvda");
        c->disks->format = LIBXL_DISK_FORMAT_RAW;
        c->disks->readwrite = 1;
    }
    return 0;
}

static int create(libxl_ctx *xl, dom0c_ctx *dc, char **argv)
{
    libxl_domain_config c;
    libxl_uuid uuid;
    char uuid_s[37];
    dom0c_request req = { .uuid = uuid_s, .memory_mb = strtoull(argv[4],
                          NULL, 10), .vcpus = (unsigned)atoi(argv[5]),
                          .epsilon_mb = -1 };
    dom0c_decision d;
    uint32_t domid = 0;
    int rc;

    libxl_uuid_generate(&uuid);
    snprintf(uuid_s, sizeof(uuid_s), LIBXL_UUID_FMT, LIBXL_UUID_BYTES(uuid));
    if (dom0c_prepare(dc, &req, &d))
        return 1;
    if (d.verdict != DOM0C_OK) {
        fprintf(stderr, "mini-toolstack: %s\n", d.why);
        dom0c_release(dc, 0, uuid_s);       /* drops nothing but intent */
        return 1;
    }
    rc = build_config(xl, argv, &d, &uuid, &c);
    if (!rc)
        rc = libxl_domain_create_new(xl, &c, &domid, NULL, NULL);
    if (rc) {
        fprintf(stderr, "mini-toolstack: libxl create failed (%d)\n", rc);
        dom0c_release(dc, 0, uuid_s);
        libxl_domain_config_dispose(&c);
        return 1;
    }
    stall_if("create");
    if (dom0c_commit(dc, domid, uuid_s, &d)) {  /* strict: undo all */
        libxl_domain_destroy(xl, domid, NULL);
        dom0c_release(dc, domid, uuid_s);
        libxl_domain_config_dispose(&c);
        return 1;
    }
    libxl_domain_unpause(xl, domid, NULL);
    printf("domid %u uuid %s given %llu MB on nodes 0x%llx (asked %llu, "
           "eps %llu)\n", domid, uuid_s, (unsigned long long)d.given_mb,
           (unsigned long long)d.nodemap, (unsigned long long)d.requested_mb,
           (unsigned long long)d.epsilon_mb);
    libxl_domain_config_dispose(&c);
    return 0;
}

static int destroy(libxl_ctx *xl, dom0c_ctx *dc, uint32_t domid)
{
    libxl_dominfo info;
    char uuid_s[37];

    libxl_dominfo_init(&info);
    if (libxl_domain_info(xl, &info, domid)) {
        fprintf(stderr, "mini-toolstack: no domain %u\n", domid);
        return 1;
    }
    snprintf(uuid_s, sizeof(uuid_s), LIBXL_UUID_FMT,
             LIBXL_UUID_BYTES(info.uuid));
    libxl_dominfo_dispose(&info);
    dom0c_place(dc, domid, DOM0C_OP_DESTROY);   /* next to the domU */
    if (libxl_domain_destroy(xl, domid, NULL)) {
        fprintf(stderr, "mini-toolstack: destroy %u failed\n", domid);
        return 1;
    }
    stall_if("destroy");
    return dom0c_release(dc, domid, uuid_s) ? 1 : 0;
}

/* A domU's domid, or 0 (never dom0) for anything else. */
static uint32_t domid_of(const char *s)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);

    return *s >= '1' && *s <= '9' && !*end && v < 0x7ff0 ? (uint32_t)v : 0;
}

int main(int argc, char **argv)
{
    xentoollog_logger *lg = (xentoollog_logger *)
        xtl_createlogger_stdiostream(stderr, XTL_WARN, 0);
    libxl_ctx *xl = NULL;
    dom0c_ctx *dc = NULL;
    int rc = 2;

    if (libxl_ctx_alloc(&xl, LIBXL_VERSION, 0, lg) ||
        dom0c_open(NULL, lg, &dc))
        goto out;
    if ((argc == 7 || argc == 8) && !strcmp(argv[1], "create"))
        rc = create(xl, dc, argv + 1);
    else if (argc == 3 && !strcmp(argv[1], "destroy") && domid_of(argv[2]))
        rc = destroy(xl, dc, domid_of(argv[2]));
    else
        fprintf(stderr, "usage: mini-toolstack create NAME KERNEL RAMDISK "
                "MEMORY_MB VCPUS [DISK]\n"
                "       mini-toolstack destroy DOMID\n");
out:
    dom0c_close(dc);
    libxl_ctx_free(xl);
    xtl_logger_destroy(lg);
    return rc;
}
