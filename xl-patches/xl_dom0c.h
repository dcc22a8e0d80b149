/*
 * xl_dom0c.h - libdom0c in xl: every domU operation reserves and places
 * its dom0 share.  One call per hook point (see the patch series).
 *
 * Per-domain keys in xl.cfg:
 *   dom0c = 0               this domain is left alone (opt out)
 *   dom0c_epsilon = MB      its eps, instead of dom0c.conf's
 * They, and the memory the domain asked for (M), travel with the domain
 * in c_info.xsdata ("dom0c", "dom0c-epsilon", "dom0c-mb", "dom0c-max-mb"),
 * so a reboot, a restore or a migration carves from M, not from the
 * already carved memory, and a host with another topology carves for
 * its own n.
 */
#ifndef XL_DOM0C_H
#define XL_DOM0C_H

#include <stdbool.h>
#include <stdint.h>
#include <libxl.h>
#include <dom0c.h>

/* After the config is parsed from xl.cfg text: reads dom0c keys. */
void xl_dom0c_config(const char *source, const char *data, int len,
                     libxl_domain_config *c);

/* Before the create (create, restore, migrate-receive, reboot): choose
 * the nodes, carve M - n*eps, and for a restore or incoming migration
 * place this process on the chosen node.  0, or -1 (already said why). */
int xl_dom0c_prepare(libxl_domain_config *c, bool incoming);

/* Once the domid is known: record the reservation.  0 or -1. */
int xl_dom0c_commit(uint32_t domid, const libxl_domain_config *c);

/* Before migrate (sender), save and destroy: Algorithm 2.  Never fails
 * the operation: a placement that cannot be made is only said. */
void xl_dom0c_place(uint32_t domid, dom0c_op op);

/* After xl destroyed a domain (c may be NULL): give dom0's share back.
 * domid INVALID_DOMID with c: drops a prepared, never created domU. */
void xl_dom0c_release(uint32_t domid, const libxl_domain_config *c);

#endif
