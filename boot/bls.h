/* Boot Loader Specification Type #1 entries (spec §4.1) and their file names with boot counters
 * (§4.3): rendering our entries byte-exactly, parsing any entry leniently, and parsing entry file
 * names exactly (never as substrings), plus systemd-boot's glob for loader.conf `default`.
 * All functions return >= 0 or -errno and never print. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct bls_entry {
        /* Values of the keys title, version, sort-key, options, linux, initrd; NULL when absent.
         * The `linux` key is the field `kernel`: gnu11 predefines the macro `linux`. */
        char *title, *version, *sort_key, *options, *kernel, *initrd;
        /* Set by bls_entry_parse on -EBADMSG: "<name>:<line>: expected X, got Y". */
        char *error;
};

/* Render in the spec order (title, version, sort-key, options, linux, initrd), each line the key
 * padded to 8 columns plus a space, then the value, LF. NULL fields are left out. Returns 0,
 * -EINVAL when a value is empty or holds a control character (a newline would forge keys) or
 * when kernel is NULL, -ENOMEM. */
int bls_entry_render(const struct bls_entry *e, char **ret);

/* Parse an entry: keys in any order, LF or CRLF (or a lone CR) line ends, blanks and tabs between
 * key and value, blank and '#' lines skipped, a value in matching double or single quotes
 * unquoted, unknown keys ignored; a repeated key: the last wins, except `initrd` where the first
 * is kept (we write one). name (for messages only) is e.g. "loader/entries/proxmox-6.8.12-4-pve.conf".
 * Returns 0, -EBADMSG (ret->error says "<name>:<line>: expected ..., got ..." for a key without
 * value, an unterminated quote or a NUL byte), -ENOMEM. On -EBADMSG the other fields of *ret are
 * NULL; call bls_entry_free in every case. */
int bls_entry_parse(const char *buf, size_t len, const char *name, struct bls_entry *ret);

void bls_entry_free(struct bls_entry *e);

/* Parse an entry file name of ours: "P-V.conf", "P-V+L.conf", "P-V+L-D.conf" for the given
 * prefix P, V a valid version (lib/version.h). The counter is taken from the end, so
 * "proxmox-6.6.0+.conf" is V "6.6.0+" uncounted and "proxmox-6.6.0++3.conf" is V "6.6.0+" with 3
 * tries left. Returns 1 when the name is ours (*ret_version malloc'd), 0 when it is not one of our
 * names (other prefix, other suffix, invalid version, P-V only as a substring), -ENOMEM.
 * Counter: uncounted left = done = -1; "P-V+L.conf" left = L, done = 0 (no try done yet);
 * "P-V+L-D.conf" left = L, done = D. Any ret may be NULL. */
int bls_entry_name_parse(const char *filename, const char *prefix, char **ret_version, int *ret_left,
                         int *ret_done);

/* A value of LoaderEntryOneShot, LoaderEntryDefault or loader.conf `default` that names one of our
 * entries for prefix P: an entry file name (bls_entry_name_parse) or the pattern "P-V+*" that Q(V)
 * uses for a version counted on every ESP (spec §4.3). Returns 1 with *ret_version (malloc'd, may
 * be NULL), 0 when the value is not ours ("P-*", another vendor, a foreign pattern), -ENOMEM. */
int bls_entry_value_parse(const char *value, const char *prefix, char **ret_version);

/* "P-V.conf", or "P-V+N.conf" when tries > 0. Malloc'd; NULL on ENOMEM. */
char *bls_entry_name(const char *prefix, const char *version, int tries);

/* "P-V" (the id part, also grub's menuentry id). Malloc'd; NULL on ENOMEM. */
char *bls_entry_id(const char *prefix, const char *version);

/* systemd-boot's pattern match for loader.conf `default`, LoaderEntryDefault/OneShot: `*`, `?`,
 * `[...]` (ranges, `!`/`^` negation), ASCII case-insensitive, the whole name must match. Entries
 * are matched by their file name (e.g. "proxmox-6.8.12-4-pve+3.conf") as systemd-boot 252 does
 * for loader.conf and the variables. */
bool bls_glob_match(const char *pattern, const char *name);
