/* /etc/kernel/proxmox-boot-uuids (spec §2): the registered ESP serials, compatible with
 * proxmox-boot-tool. Parsed from a buffer; edits keep every other byte and the order. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "lib/strv.h"

struct registration {
        strv serials;          /* valid serials, upper-cased, file order, repeats dropped */
        unsigned *lines;       /* line number of each serial */
        strv warnings;         /* "invalid line: file:n: expected XXXX-XXXX, got 'x'" etc. */
        unsigned *invalid_lines;
        strv invalid_texts;
};

bool serial_is_valid(const char *s); /* XXXX-XXXX hex, either case */
int registration_parse(const char *buf, size_t len, const char *name, struct registration *ret);
void registration_free(struct registration *r);
/* old + "SERIAL\n" (a LF added first when the last line has none). */
int registration_append(const char *old, size_t len, const char *serial, char **ret);
/* old without the given 1-based lines. */
int registration_drop_lines(const char *old, size_t len, const unsigned *lines, size_t n, char **ret);
