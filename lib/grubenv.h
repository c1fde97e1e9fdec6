/* The GRUB environment block (grub/grubenv, spec §4.5): the signature "# GRUB Environment Block"
 * + LF, then "name=value" LF lines, then '#' padding up to the block size (1024 bytes for a new
 * file). In values '\' is written "\\" and a newline "\" + LF, as grub-editenv does.
 *
 * Edits keep every other line in its order, replace a changed variable in place, append new ones
 * after the last line and drop removed ones; the result is padded with '#' to the size the block
 * had when it was parsed. The parser takes a buffer (never a path) and never modifies it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define GRUBENV_SIGNATURE "# GRUB Environment Block\n"
#define GRUBENV_SIGNATURE_LEN 25
#define GRUBENV_SIZE 1024

struct grubenv_line {
        char *name;  /* variable name, or NULL for a line kept verbatim (e.g. a "#..." comment) */
        char *value; /* unescaped value of a variable; for a verbatim line its raw text without LF */
};

struct grubenv {
        struct grubenv_line *lines;
        size_t n_lines;
        size_t size; /* bytes the rendered block must have: the old size, or GRUBENV_SIZE */
};

/* An empty block of GRUBENV_SIZE bytes (what `grub-editenv FILE create` writes). */
void grubenv_init_empty(struct grubenv *ret);

/* Parse len bytes of buf. Returns 0, -EBADMSG when the signature is missing at offset 0 (spec §9
 * row 17: "expected a GRUB environment block"), -ENOMEM. On failure *ret is left empty. A
 * variable that appears twice keeps both lines; grubenv_get returns the first. */
int grubenv_parse(const char *buf, size_t len, struct grubenv *ret);

/* Value of name (unescaped; points into env) or NULL when unset. */
const char *grubenv_get(const struct grubenv *env, const char *name);

/* Name syntax [A-Za-z0-9_]+. */
bool grubenv_name_is_valid(const char *name);

/* Set name=value: replaced in place (later duplicates dropped), or appended. Returns 1 when the
 * environment changed, 0 when it already held that value, -EINVAL for an invalid name or a value
 * holding a NUL-free but non-representable byte (none today: any byte but NUL is fine), -ENOMEM.
 * Fit is checked by grubenv_render, so a caller renders before writing anything. */
int grubenv_set(struct grubenv *env, const char *name, const char *value);

/* Remove every line of name. Returns 1 when removed, 0 when it was not set. */
int grubenv_unset(struct grubenv *env, const char *name);

/* Render into a malloc'd buffer of exactly env->size bytes (not NUL-terminated beyond; a NUL is
 * appended after the size for convenience). Returns 0, -E2BIG when the lines do not fit in
 * env->size (spec §9 row 18: "variables do not fit in 1024 bytes"; nothing is to be written),
 * -ENOMEM. */
int grubenv_render(const struct grubenv *env, char **ret, size_t *ret_len);

/* Convenience for a writer: parse old (len bytes), set each name to its value (value NULL =
 * unset), render to the old size. The input buffer is never modified; *ret is only set on
 * success. Returns 1 when the rendered bytes differ from old, 0 when identical, -EBADMSG (no
 * signature), -E2BIG (does not fit), -EINVAL (bad name), -ENOMEM. names/values have n entries. */
int grubenv_edit(const char *old, size_t len, const char *const *names, const char *const *values,
                 size_t n, char **ret, size_t *ret_len);

void grubenv_free(struct grubenv *env);
