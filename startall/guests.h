/* Native guest definitions: guests.d/<id>.json, one strict JSON object per guest (spec §4). */
#pragma once
#include <dirent.h>
#include "lib/strv.h"
#include "guest.h"

/* Parses one definition from a buffer. display names the file in messages; expected_id is the
 * number in the file name (0: not checked). Every problem is reported through d. Returns 0 when
 * valid, -EINVAL when not (g is then cleared), -ENOMEM. */
int guest_parse_json(const char *buf, size_t len, const char *display, uint32_t expected_id,
                     struct guest *g, struct diag *d);

/* Checks an argv array given as strings (shared with the Proxmox reader's built commands).
 * Returns NULL when fine, else a static reason. */
const char *guest_argv_problem(char *const *argv, size_t n);

/* Reads every <digits>.json in dir (other names ignored) into s. A missing directory is empty.
 * Files that are symlinks, not owned by root or the caller, or group/other-writable are errors,
 * as is such a directory. Returns 0 (problems counted in d) or -errno when the directory cannot
 * be read at all. */
int guests_load_dir(const char *dir, struct guest_set *s, struct diag *d);

/* True for "<digits>.<suffix>" with no leading zero; the number in *ret_id. */
bool guest_file_name_id(const char *name, const char *suffix, uint32_t *ret_id);
/* The guest file names ("<id>.<suffix>") in DP, sorted so that messages come in a stable order.
 * Closes DP. */
int guest_dir_names(DIR *dp, const char *suffix, strv *ret);
