/* Configuration files shared by kernel-select and espctl (spec §2): espctl.conf, the manual
 * kernel list, the permanent and next-boot pin files. Parsers take buffers; loaders add paths. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "lib/paths.h"
#include "lib/strv.h"

#define CONF_MAX_BYTES (64 * 1024)

struct toolkit_conf {
        char *prefix;  /* "proxmox" */
        char *title;   /* NULL: derived by conf_default_title() */
        unsigned timeout;
        bool timeout_set;
        unsigned tries;
        char *flavour; /* "auto", "none" or a substring such as "-pve" */
        strv warnings; /* "file:line: unknown key 'x'" */
};

/* Parse espctl.conf. -EINVAL with *ret_error naming name:line, the key and what is expected. */
int conf_parse(const char *buf, size_t len, const char *name, struct toolkit_conf *c, char **ret_error);
void conf_init(struct toolkit_conf *c);
void conf_free(struct toolkit_conf *c);
bool conf_prefix_is_valid(const char *prefix);
/* Title default (spec §2): /etc/pve, PMG, PBS docs, PRETTY_NAME of os-release, "Linux". */
char *conf_default_title(const struct paths *p);

/* Manual list: valid versions in file order (series names kept, they are filtered later);
 * invalid lines are warned as "name:line: ..." into warnings. */
int manual_list_parse(const char *buf, size_t len, const char *name, strv *ret, strv *warnings);

enum next_boot_state { NEXT_BOOT_NONE, NEXT_BOOT_ACTIVE, NEXT_BOOT_SPENT, NEXT_BOOT_LEGACY };
const char *next_boot_state_name(enum next_boot_state s); /* "active", ... or NULL for NONE */

/* Pin file: first line trimmed, "" means no pin. *ret_boot_id gets the "# espctl boot_id=" id
 * (NULL when absent). */
int pin_file_parse(const char *buf, size_t len, char **ret_version, char **ret_boot_id);
/* Text of next-boot-pin written by us; boot_id may be NULL (legacy form). */
int next_boot_pin_render(const char *version, const char *boot_id, char **ret);
enum next_boot_state next_boot_state_of(const char *version, const char *pin_boot_id, const char *current_boot_id);
