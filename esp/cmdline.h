/* The kernel command line for our entries (spec §2): /etc/kernel/cmdline, else the running
 * <proc>/cmdline without BOOT_IMAGE= and initrd=. One source for systemd-boot and grub. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "lib/paths.h"

/* First line of an /etc/kernel/cmdline buffer, blanks trimmed. -EINVAL: control characters
 * or over 4095 bytes. */
int cmdline_from_file(const char *buf, size_t len, char **ret);
/* A /proc/cmdline buffer without the tokens keyed BOOT_IMAGE or initrd (split on blanks outside
 * double quotes, joined by one space). */
int cmdline_from_proc(const char *buf, size_t len, char **ret);
bool cmdline_has_root(const char *cmdline);

struct cmdline_result {
        char *cmdline;
        char *source;     /* the file it came from, for messages */
        bool from_proc;
};
/* -EINVAL (bad file), -ENOENT (neither source), -EDESTADDRREQ (no root= and !no_root_check). */
int cmdline_load(const struct paths *p, bool no_root_check, struct cmdline_result *ret);
void cmdline_result_free(struct cmdline_result *r);
