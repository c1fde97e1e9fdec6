/* espctl-manifest (spec §3): what a refresh left on an ESP, with size and crc32 of every
 * managed file. ESPs in the same state hold identical manifests (no timestamps, no serial). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MANIFEST_NAME "espctl-manifest"
#define MANIFEST_FORMAT 1

enum manifest_kind { MK_FILE, MK_ENTRY, MK_CONFIG, MK_LOADER, MK_PENDING, _MK_COUNT };

struct manifest_record {
        enum manifest_kind kind;
        char *path;
        uint64_t size;
        uint32_t crc;
};

struct manifest {
        char *prefix, *mode;
        struct manifest_record *records;
        size_t n;
};

const char *manifest_kind_name(enum manifest_kind k);
/* -EPROTONOSUPPORT: a newer format (*ret_format says which); -EBADMSG: syntax error with
 * *ret_line (the caller warns and treats the manifest as absent). */
int manifest_parse(const char *buf, size_t len, struct manifest *ret, unsigned *ret_format, unsigned *ret_line);
/* Records sorted by path bytes (then kind), one line each. */
int manifest_render(const struct manifest *m, char **ret);
int manifest_add(struct manifest *m, enum manifest_kind kind, const char *path, uint64_t size, uint32_t crc);
/* First record for path of the given kind (any kind when kind < 0). */
const struct manifest_record *manifest_find(const struct manifest *m, const char *path, int kind);
void manifest_remove_path(struct manifest *m, const char *path);
void manifest_remove_kind(struct manifest *m, enum manifest_kind kind);
void manifest_free(struct manifest *m);
