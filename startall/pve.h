/* Proxmox VE compatibility reader (spec §5): qemu-server/<id>.conf and lxc/<id>.conf as they are,
 * driven through qm and pct with argv built here. */
#pragma once
#include "guest.h"

struct pve_opts {
        const char *qm, *pct;  /* program paths */
        uint32_t timeout;      /* --timeout: shutdown limit of guests without down */
};

/* "order=N,up=N,down=N" or a bare N for the order; empty tokens skipped. Any other token voids the
 * whole value: returns -EINVAL with g untouched. */
int pve_startup_parse(const char *value, struct guest *g);

/* One guest config from a buffer: only the text before the first section header counts. Invalid
 * onboot/startup values are warnings naming display:line (PVE ignores them too). */
int pve_parse_guest(const char *buf, size_t len, const char *display, uint32_t id, enum guest_type type,
                    const struct pve_opts *o, struct guest *g, struct diag *d);

/* Section lines "vm: <id>" / "ct: <id>" of ha/resources.cfg: marks those guests of s as HA. */
int pve_ha_mark(const char *buf, size_t len, struct guest_set *s);

/* Adds every guest of <dir>/qemu-server and <dir>/lxc to s and marks HA membership. */
int pve_load(const char *dir, const struct pve_opts *o, struct guest_set *s, struct diag *d);
