/* startall/pve.c and nodeconf.c: a Proxmox guest config (pve_parse_guest, VM and CT), the
 * startup= value (pve_startup_parse), ha/resources.cfg (pve_ha_mark), the node config
 * (nodeconf_parse) and the wakeonlan value (wol_spec_parse). */
#include "startall/nodeconf.h"
#include "startall/pve.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *)data;
        const struct pve_opts o = { .qm = "/usr/sbin/qm", .pct = "/usr/sbin/pct", .timeout = 180 };
        for (int t = GUEST_VM; t <= GUEST_CT; t++) {
                struct guest g = {};
                struct diag d = {};
                int r = pve_parse_guest(buf, size, "qemu-server/100.conf", 100, (enum guest_type)t, &o, &g, &d);
                FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
                guest_done(&g);
        }
        struct guest_set set = {};
        struct guest *g = guest_set_add(&set);
        FUZZ_ASSERT(g);
        g->id = 100;
        (void)pve_ha_mark(buf, size, &set);
        guest_set_free(&set);

        struct nodeconf nc = {};
        struct diag d = {};
        int r = nodeconf_parse(buf, size, "nodes/pve/config", &nc, &d);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
        FUZZ_ASSERT(nc.onboot_delay <= NODE_ONBOOT_DELAY_MAX);

        char *s = fuzz_cstr(data, size < 1024 ? size : 1024);
        struct guest sg = {};
        if (pve_startup_parse(s, &sg) == 0)
                FUZZ_ASSERT(!sg.has_order || sg.order <= GUEST_ORDER_MAX);
        guest_done(&sg);
        struct wol_spec w = {};
        const char *why = NULL;
        if (wol_spec_parse(s, &w, &why) < 0)
                FUZZ_ASSERT(why);
        free(s);
        return 0;
}
