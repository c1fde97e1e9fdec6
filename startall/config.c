/* Loading everything a verb needs: the node config and guest definitions from the native
 * directory and, with --pve, from Proxmox configs. Nothing here acts on guests. */
#include "startall.h"
#include "guests.h"
#include "pve.h"
#include "lib/fileio.h"
#include "lib/macro.h"

#define NODE_CONF_MAX (1024u * 1024u)

int config_load_node(const char *path, struct nodeconf *node, struct diag *d) {
        *node = (struct nodeconf){};
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r = read_file_max(path, NODE_CONF_MAX, &buf, &len);
        if (r == -ENOENT)
                return r;
        if (r < 0) {
                diag_error(d, "cannot read node config: %s: %s", path, strerror(-r));
                return 0;
        }
        r = nodeconf_parse(buf, len, path, node, d);
        return r == -ENOMEM ? r : 0;
}

int config_load(const struct ctx *c, struct guest_set *s, struct nodeconf *node, struct diag *d) {
        int r = config_load_node(c->node_conf, node, d);
        if (r < 0 && r != -ENOENT)
                return r;
        r = guests_load_dir(c->guests_dir, s, d);
        if (r < 0) {
                diag_error(d, "cannot read guest directory: %s: %s", c->guests_dir, strerror(-r));
                return r;
        }
        if (c->pve) {
                struct pve_opts o = { .qm = c->qm, .pct = c->pct, .timeout = c->timeout };
                r = pve_load(c->pve_dir, &o, s, d);
                if (r < 0) {
                        diag_error(d, "cannot read Proxmox configs: %s: %s", c->pve_dir, strerror(-r));
                        return r;
                }
        }
        return 0;
}

char *config_find_ksm_early(const struct ctx *c) {
        if (c->ksm_early_opt)
                return access(c->ksm_early_opt, X_OK) == 0 ? strdup(c->ksm_early_opt) : NULL;
        char *beside = path_beside_self((const char *const[]){ "ksm-early", NULL });
        if (beside)
                return beside;
        return access(PATH_KSM_EARLY, X_OK) == 0 ? strdup(PATH_KSM_EARLY) : NULL;
}
