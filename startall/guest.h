/* The guest model shared by every module of guest-startall: one definition, whether it came from
 * a native guests.d/<id>.json file or from a Proxmox config, plus the set of all of them. */
#pragma once
#include "lib/parse.h"
#include "lib/strv.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_ID_MAX 999999999u
#define GUEST_ORDER_MAX 2147483647u
#define GUEST_DELAY_MAX 86400u
#define GUEST_UP_DEFAULT_VM 3u
#define GUEST_UP_DEFAULT_CT 0u
#define GUEST_DOWN_DEFAULT 180u
#define GUEST_START_TIMEOUT_DEFAULT 300u
#define GUEST_STOP_TIMEOUT_DEFAULT 60u
#define GUEST_STATUS_TIMEOUT 10u
#define GUEST_ARG_MAX 4096u
#define GUEST_ARGV_TOTAL_MAX (128u * 1024u)
/* A compat shutdown runs "qm shutdown --timeout <down>"; the launcher waits this much longer so
 * qm/pct report their own timeout first. */
#define GUEST_COMPAT_SHUTDOWN_GRACE 15u

enum guest_type { GUEST_VM, GUEST_CT };

struct guest {
        uint32_t id;
        char *name;
        enum guest_type type;
        bool onboot;
        bool has_order;
        uint32_t order;
        bool has_up, has_down;
        uint32_t up, down;
        uint32_t start_timeout, stop_timeout;
        strv start, shutdown, stop, status;
        bool ksm_merge;
        /* Proxmox compat only */
        bool compat, is_template, ha;
        char *source; /* file it came from, for messages */
};

struct guest_set {
        struct guest *v;
        size_t n, cap;
};

const char *guest_type_word(enum guest_type t); /* "VM" / "CT" */
const char *guest_type_key(enum guest_type t);  /* "vm" / "ct" */
uint32_t guest_up(const struct guest *g);
/* Effective shutdown limit: down, else the --timeout value. */
uint32_t guest_down(const struct guest *g, uint32_t timeout);

void guest_done(struct guest *g);
/* Appends a zeroed guest; returns it or NULL on ENOMEM. */
struct guest *guest_set_add(struct guest_set *s);
struct guest *guest_set_find(const struct guest_set *s, uint32_t id);
void guest_set_free(struct guest_set *s);

/* Problems found while reading configuration, printed as they are found and counted, so that
 * `check` lists all of them and the other verbs refuse to act when any is an error. */
struct diag {
        unsigned errors, warnings;
        bool strict; /* warnings count as errors */
};
void diag_error(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_warning(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline bool diag_failed(const struct diag *d) {
        return d->errors > 0 || (d->strict && d->warnings > 0);
}

