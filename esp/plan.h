/* The refresh plan of one ESP (spec §7): computed read-only from the selection and the ESP's
 * scan, printed by --dry-run, executed by apply.c in exactly this order. The order is what keeps
 * an ESP bootable at every instant: stale entries before stale files before any copy, a keeper
 * while nothing else boots, files before the entries naming them, loader config, manifest last. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "cache.h"
#include "scan.h"
#include "lib/strv.h"

enum action_kind {
        ACT_DELETE_TEMP,     /* 1 */
        ACT_INTERIM_CONFIG,  /* 2: loader.conf default reset, or grubenv entries unset */
        ACT_REMOVE_ENTRY,    /* 3 and 8 */
        ACT_INTERIM_GRUBCFG, /* 3: grub.cfg listing the survivors and the keeper */
        ACT_REMOVE_FILE,     /* 4 and 8 */
        ACT_REMOVE_DIR,      /* 4 and 8: an emptied EFI/P/V */
        ACT_PENDING_MANIFEST,/* 5 */
        ACT_COPY,            /* 6 */
        ACT_WRITE_ENTRY,     /* 7 */
        ACT_BLESS,           /* 7: drop a boot counter from an entry name */
        ACT_WRITE_GRUBCFG,   /* 7 */
        ACT_WRITE_CONFIG,    /* 9: loader.conf */
        ACT_WRITE_GRUBENV,   /* 9 */
        ACT_MANIFEST,        /* 10 */
};

struct action {
        enum action_kind kind;
        char *path;          /* relative to the ESP */
        char *path2;         /* ACT_BLESS: new name */
        char *src;           /* ACT_COPY: absolute source path */
        char *src_display;   /* ACT_COPY: "/boot/vmlinuz-V" as the administrator knows it */
        char *content;       /* file content for writes */
        size_t len;
        uint64_t size;       /* ACT_COPY: expected size */
        uint32_t crc;
        bool unchanged;      /* a write that would restate the bytes already there: skipped */
};

struct refresh_input {
        const char *root;              /* --root, for source paths */
        const char *prefix, *title, *cmdline;
        unsigned timeout;
        bool timeout_set;
        unsigned tries;
        const strv *synced;            /* newest first */
        const char *pin_sd;            /* default version on systemd-boot ESPs (E, or the next-boot fallback) */
        const char *pin_grub;          /* E on grub ESPs */
        const char *next_boot_active;  /* V of an active next-boot pin (grubenv next_entry), else NULL */
        bool force, verify;
        struct crc_cache *cache;
};

struct esp_plan {
        const char *esp_name;
        enum esp_mode mode;
        struct action *a;
        size_t n;
        unsigned copies, removed_versions, entries;
        uint64_t copy_bytes, need_bytes, have_bytes;
        char *error;                   /* with a negative return: what is wrong with this ESP */
};

/* -ENOSPC (space check, error set), -EBADMSG / -E2BIG (grubenv, error set), other -errno. */
int esp_plan_build(const struct refresh_input *in, int espfd, const char *esp_name, const struct esp_scan *scan,
                   struct esp_plan *ret);
void esp_plan_free(struct esp_plan *p);
/* The stable plan lines of spec §7.1 ("<name>: copy /boot/... EFI/... <size>"). */
void esp_plan_print(const struct esp_plan *p, FILE *f);
bool esp_plan_writes(const struct esp_plan *p);
