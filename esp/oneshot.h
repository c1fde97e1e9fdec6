/* The EFI variables a refresh and boot-complete manage (spec §4.3 Q(V), §7.3 steps 0 and 11, §8):
 * whether systemd-boot's LoaderEntryOneShot can carry an active next-boot pin, the entry name
 * Q(V) it holds, arming it after every ESP has its entries, and removing our LoaderEntryOneShot /
 * LoaderEntryDefault once they name a version that leaves the selection. Variables live in
 * paths->efivars (a directory of regular files in tests). Warnings and notices are logged here;
 * failures to write a variable are returned so the caller can fall back to the pin file. */
#pragma once
#include <stdbool.h>
#include "espset.h"
#include "lib/paths.h"
#include "lib/strv.h"

/* 1 when the efivar one-shot is usable (uefi, efivars, systemd-boot, LoaderFeatures absent or
 * bit 3), 0 when not (*ret_reason says why, e.g. "no systemd-boot LoaderInfo"), -errno. */
int oneshot_detect(const struct paths *p, char **ret_reason);

/* Step 0, before any ESP: delete our LoaderEntryOneShot/LoaderEntryDefault when they name a
 * version not in synced (also a version of the pattern "P-V+*"); warn about a LoaderEntryDefault
 * that overrides loader.conf (foreign, or ours for another version than pinned). --dry-run
 * prints "efi: delete NAME VALUE". Never fails the run: problems are warnings. */
void oneshot_step0(const char *efivars, const char *prefix, const strv *synced, const char *pinned, bool dry_run);

/* Q(V) over the systemd-boot ESPs sd[0..n): "P-V.conf" when V is uncounted wherever its entry
 * exists; "P-V+*" when it is counted on all of them and no other entry on any of them matches
 * that pattern; otherwise V is blessed on each (renamed to "P-V.conf"; printed, not done, with
 * dry_run) and "P-V.conf" is used. -ENOENT when no ESP has an entry for V, other -errno (a
 * failed rename). */
int oneshot_entry_name(struct esp_ctx *c, struct esp_open *const *sd, size_t n, const char *prefix,
                       const char *version, char **ret_name);

/* Step 11: LoaderEntryOneShot = value, attributes 0x7; dry_run prints "efi: set ...". Returns 1
 * written, 0 unchanged, -errno (efivar_error_is_not_writable() tells a refusal). */
int oneshot_arm(const char *efivars, const char *value, bool dry_run);

/* boot-complete and `kernel-select unpin --next-boot`: delete LoaderEntryOneShot when it holds
 * one of our names (any version). 1 deleted, 0 nothing of ours, -errno. */
int oneshot_delete_ours(const char *efivars, const char *prefix, bool dry_run);

/* Rename every counted entry of version to "P-V.conf" on one ESP (delete the counted file when
 * the plain one exists), fsync the directory. Number of entries changed, or -errno. */
int entry_bless_on_esp(int espfd, const char *prefix, const char *version);
