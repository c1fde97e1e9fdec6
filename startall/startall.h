/* The guest-startall context: options parsed by main.c, resolved paths, and the verb entry points. */
#pragma once
#include "guest.h"
#include "nodeconf.h"
#include "lib/paths.h"
#include <stdbool.h>
#include <stdint.h>

struct ctx {
        struct paths paths;
        char *guests_dir, *node_conf, *nodes_dir, *pve_dir; /* resolved, malloc'd */
        char *log_path;                                     /* NULL: no task log */
        char *lock_path;
        bool pve;
        const char *qm, *pct, *ksm_early_opt;
        bool quiet;
        /* verb options */
        bool boot, force, dry_run, json, strict;
        const char *vms;
        unsigned parallel;
        uint32_t timeout;
        bool force_stop;
        const char *wol_target, *mac, *bcast, *bind_if, *proc_dir;
        unsigned port, count;
        int sigfd;
};

int verb_startall(struct ctx *c);
int verb_stopall(struct ctx *c);
int verb_list(struct ctx *c);
int verb_check(struct ctx *c);
int verb_wakeonlan(struct ctx *c);

/* Reads everything, refuses on any configuration problem (exit 2) or bad --vms (exit 1), and
 * selects the guests of verb in its order. Returns 0 or the exit code. */
int verb_prepare(struct ctx *c, int verb, struct guest_set *set, struct nodeconf *node, struct guest ***sel,
                 size_t *n_sel);

/* Reads the node config (missing: defaults) and every guest definition. Problems are reported
 * and counted in d; returns -errno only when something could not be read at all. */
int config_load(const struct ctx *c, struct guest_set *s, struct nodeconf *node, struct diag *d);
/* Reads one node config file (missing: defaults, returns -ENOENT with *node zeroed). */
int config_load_node(const char *path, struct nodeconf *node, struct diag *d);
/* ksm-early to use: --ksm-early, else next to our own executable, else PATH_KSM_EARLY.
 * malloc'd, or NULL when none is executable. */
char *config_find_ksm_early(const struct ctx *c);
