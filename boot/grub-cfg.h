/* Our grub.cfg (spec §4.4): one menuentry per synced version, newest first, ids "P-V", the
 * default from grubenv's next_entry/saved_entry, and a parser that lists what a grub.cfg offers
 * (for the I3 check: every default names a menuentry). Rendering is in memory and deterministic,
 * so an unchanged configuration gives identical bytes. Never prints; >= 0 or -errno. */
#pragma once
#include <stddef.h>

struct grub_cfg_params {
        const char *title;             /* e.g. "Proxmox Virtual Environment" */
        const char *prefix;            /* e.g. "proxmox" */
        unsigned timeout;              /* seconds */
        const char *default_version;   /* the pinned version E, or NULL for the newest (versions[0]) */
        const char *const *versions;   /* synced versions, newest first, at least one */
        size_t n_versions;
        const char *cmdline;           /* kernel command line, tokens split on blanks outside "..." */
};

/* Render grub.cfg into a malloc'd NUL-terminated buffer. The default is default_version (which
 * must be one of versions) or versions[0]; `set fallback` names the newest version other than the
 * default (omitted when there is none). Titles are single-quoted with ' written '\'', and so is
 * every command-line token outside [A-Za-z0-9_./:,=+@%-]+ (and every id outside that set).
 * Returns 0, -EINVAL (no versions, default not among them, NULL title/prefix/cmdline, a control
 * character in any input), -ENOMEM. */
int grub_cfg_render(const struct grub_cfg_params *p, char **ret);

/* Quote one word for a GRUB script: unchanged when it is non-empty and only [A-Za-z0-9_./:,=+@%-],
 * else '...' with ' as '\''. Malloc'd; NULL on ENOMEM. */
char *grub_quote_word(const char *word);

struct grub_cfg_info {
        char *default_id;  /* the first top-level `set default=` value (unquoted), or NULL */
        char *fallback_id; /* the first `set fallback=` value, or NULL */
        char **ids;        /* menuentry ids (--id X / --id=X) in file order, NULL-terminated */
        size_t n_ids;
        char *error;       /* on -EBADMSG: "<name>:<line>: expected ..., got ..." */
};

/* Parse a grub.cfg enough to verify it: the `set default=`/`set fallback=` at the first nesting
 * level outside if/menuentry blocks, and the --id of every menuentry (a menuentry without --id
 * gets no id). GRUB quoting ('...', "...", \x) is undone. Returns 0, -EBADMSG for an unterminated
 * quote or a menuentry without '{' (ret->error names name:line), -ENOMEM. Call
 * grub_cfg_info_free in every case. */
int grub_cfg_parse(const char *buf, size_t len, const char *name, struct grub_cfg_info *ret);

void grub_cfg_info_free(struct grub_cfg_info *info);
