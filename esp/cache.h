/* The crc cache in <run>/espctl/cache (spec §2): a crc is reused only while the file's identity
 * (device, inode, size, mtime, ctime for sources; ESP, path, size, mtime for ESP files) is
 * unchanged, so a no-op refresh reads no kernel bytes. Volatile: /run is gone after a reboot. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct crc_cache_entry {
        char *key;       /* "src <path> <dev> <ino> <size> <mtime_ns> <ctime_ns>" or "esp <name> <rel> <size> <mtime_ns>" */
        uint32_t crc;
};

struct crc_cache {
        struct crc_cache_entry *e;
        size_t n;
        bool dirty;
};

/* Unparseable content is ignored (an empty cache). */
void crc_cache_parse(const char *buf, size_t len, struct crc_cache *ret);
int crc_cache_load(const char *path, struct crc_cache *ret);
/* Written atomically when changed; an entry is replaced when its file's stats change. */
int crc_cache_save(struct crc_cache *c, const char *path);
void crc_cache_free(struct crc_cache *c);

/* crc of a source file (path read through open; st from fstat), from the cache or by reading. */
int crc_cache_source(struct crc_cache *c, const char *path, uint32_t *ret_crc, uint64_t *ret_size);
/* crc of an ESP file dirfd/rel named for the cache as esp_name. ignore_cache: --verify. */
int crc_cache_esp(struct crc_cache *c, const char *esp_name, int dirfd, const char *rel, bool ignore_cache,
                  uint32_t *ret_crc, uint64_t *ret_size);
/* Record the crc of a file just written (so the next run need not read it). */
int crc_cache_note_esp(struct crc_cache *c, const char *esp_name, int dirfd, const char *rel, uint32_t crc);
