/* ESP devices: probing partitions (libblkid), reading partition tables (libfdisk), sysfs and
 * mountinfo look-ups, finding a device by its vfat serial, and the partition checks of `format`
 * and `init` (spec §1.2, §6, §9 rows 20-22). Never prints; every function returns >= 0 or -errno.
 *
 * Build wiring for esp/meson.build (owned by the lead):
 *   sources:      'device.c', 'mount.c', 'verb-format.c', 'verb-list.c'
 *   dependencies: blkid_dep, fdisk_dep (plus libtoolkit_dep and jansson_dep already used)
 * tests/unit/esp/meson.build compiles device.c and mount.c on its own, so it does not depend on
 * how esp/meson.build groups them.
 *
 * /dev is never prefixed; <sysfs> (class/block) and <proc> (self/mountinfo) come from
 * struct paths. libblkid itself always looks at the real /sys and /proc/partitions. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "lib/paths.h"
#include "lib/strv.h"

#define ESP_TYPE_GUID "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
#define ESP_MBR_TYPE "0xef"
#define ESP_MIN_SIZE (256ULL << 20)         /* refused below (p-b-t's floor) */
#define ESP_RECOMMENDED_SIZE (512ULL << 20) /* warned below: room for about three kernels */

enum esp_probe_flags {
        /* Accept a regular file (tests): probed like a device, without sysfs data. */
        ESP_PROBE_ALLOW_FILE = 1 << 0,
};

/* What one probe found. Strings are malloc'd or NULL when unknown. */
struct esp_device_info {
        char *devpath;       /* canonical path as probed (/dev/sdb1, or the image file) */
        dev_t devnum;        /* 0 for a regular file */
        bool is_block;
        bool is_partition;   /* <sysfs>/class/block/<name>/partition exists (image: partno > 0) */
        unsigned partno;     /* 1-based, 0 when not a partition */
        char *disk;          /* parent: /dev/sdb, or the image file */
        char *scheme;        /* PART_ENTRY_SCHEME: "gpt", "dos", ... */
        char *part_type;     /* PART_ENTRY_TYPE: lower-case GUID for gpt, "0xef" for dos */
        char *part_uuid;     /* PART_ENTRY_UUID */
        uint64_t offset;     /* byte offset on the disk (0 when unknown) */
        uint64_t size;       /* bytes */
        char *fstype;        /* TYPE, e.g. "vfat" */
        char *uuid;          /* UUID; for vfat the serial XXXX-XXXX, upper-cased */
        char *label;         /* LABEL */
        bool ambivalent;     /* several filesystem signatures (libblkid refuses to choose) */
};
void esp_device_info_done(struct esp_device_info *info);

/* Probe a block device (a partition, a whole disk). -ENOENT when the path does not exist,
 * -ENOTBLK when it is neither a block device nor (with ESP_PROBE_ALLOW_FILE) a regular file. */
int esp_device_probe(const struct paths *p, const char *devpath, unsigned flags,
                     struct esp_device_info *ret);
/* Probe partition partno (1-based) of a disk image file: the table through libblkid's partition
 * list of the whole image, the filesystem at the partition's offset. partno 0 probes the whole
 * file as one filesystem. -ENXIO when the table has no such partition. For tests and images/. */
int esp_device_probe_image(const char *image, unsigned partno, struct esp_device_info *ret);

/* One partition table entry as libfdisk reads it. */
struct esp_part_entry {
        unsigned partno;     /* 1-based */
        uint64_t start;      /* bytes */
        uint64_t size;       /* bytes */
        char *type;          /* lower-case GUID (gpt) or "0xef" (dos) */
        char *uuid;          /* partition GUID (gpt), else NULL */
};
struct esp_part_table {
        char *scheme;        /* "gpt", "dos" (libblkid's names; libfdisk's "dos" label) */
        struct esp_part_entry *parts;
        size_t n;
};
void esp_part_table_done(struct esp_part_table *t);
/* Read the table of a disk or disk image, read-only. -ENOMEDIUM when it has none. */
int esp_disk_read_table(const char *disk, struct esp_part_table *ret);

/* 1 and the mount point (malloc'd, unescaped; ret_where may be NULL) when a line of a
 * mountinfo buffer has major:minor of dev; else 0. */
int esp_mountinfo_find(const char *buf, size_t len, dev_t dev, char **ret_where);
/* The same over <proc>/self/mountinfo. */
int esp_device_is_mounted(const struct paths *p, dev_t dev, char **ret_where);

/* Every block device whose filesystem UUID is serial: /dev/disk/by-uuid/<serial> first, then a
 * full libblkid scan (all of /proc/partitions), deduplicated by device number. 0 devices found
 * is success with an empty (NULL) list; *ret_devices is NULL-terminated and malloc'd. */
int esp_device_find_by_serial(const char *serial, char ***ret_devices);
/* The one device for a registered serial: /dev/disk/by-uuid/<serial>, else libblkid tag
 * evaluation with scanning (no udev in an initramfs). -ENODEV when none carries it. */
int esp_device_lookup_serial(const char *serial, char **ret_device);

/* One ESP-typed partition of the running system (esp_device_list). */
struct esp_candidate {
        char *device;        /* /dev/<name> */
        char *serial;        /* filesystem UUID, or NULL */
        char *fstype;        /* or NULL */
        uint64_t size;
        char *mounted_on;    /* first mount point, or NULL */
};
void esp_candidates_free(struct esp_candidate *c, size_t n);
/* Every partition under <sysfs>/class/block whose type is the ESP GUID (or 0xef on MBR),
 * in sysfs name order. Type from libblkid's PART_ENTRY_TYPE; where libblkid cannot tell it,
 * the parent disk's table is read with libfdisk. Partitions that cannot be opened are skipped;
 * -EACCES when nothing was found and some could not be opened for lack of permission. */
int esp_device_list(const struct paths *p, struct esp_candidate **ret, size_t *ret_n);

/* Partition checks of `format` and `init`. */
enum esp_check_flags {
        ESP_CHECK_NEED_FS = 1 << 0,        /* init: vfat with a serial required */
        ESP_CHECK_ALLOW_FS = 1 << 1,       /* format --force: an existing filesystem is fine */
        ESP_CHECK_ALLOW_MOUNTED = 1 << 2,  /* init --force: mounted gives a warning instead */
        ESP_CHECK_UNIQUE_SERIAL = 1 << 3,  /* init: no other device may carry the serial */
};
struct esp_check {
        struct esp_device_info info;
        char *mounted_on;    /* where it is mounted, or NULL */
        char *reason;        /* refusal text (-EINVAL), "<dev>: <why>" */
        strv warnings;       /* "<dev>: <what>" */
        strv duplicates;     /* other devices carrying the serial */
};
void esp_check_done(struct esp_check *c);
/* Pure check of probed facts: 0 ok (warnings may be added), -EINVAL with c->reason set.
 * Reads c->info, c->mounted_on and c->duplicates only. */
int esp_check_evaluate(struct esp_check *c, unsigned flags);
/* Probe dev, look it up in mountinfo and (ESP_CHECK_UNIQUE_SERIAL) scan for its serial, then
 * evaluate. -ENOENT when dev does not exist; -EINVAL with ret->reason for every refusal,
 * including "not a block device" and "not a partition". */
int esp_device_check(const struct paths *p, const char *dev, unsigned flags, struct esp_check *ret);
/* Short form: 0 ok, 1 ok with warnings (*ret_reason = the warnings, one per line), -EINVAL
 * with *ret_reason = the refusal, other -errno. need_fs also demands a unique serial. */
int esp_device_check_partition(const struct paths *p, const char *dev, bool need_fs, bool allow_fs,
                               bool allow_mounted, char **ret_reason);

/* Before mounting a registered ESP (spec §1.2): device must hold TYPE=vfat with UUID = serial
 * (-EINVAL, ret->reason "<dev>: expected a vfat filesystem with serial S, got ..."); a
 * partition type other than the ESP GUID only adds a warning. -ENOENT when absent. */
int esp_device_verify_serial(const struct paths *p, const char *device, const char *serial,
                             struct esp_check *ret);

/* "XXXX-XXXX" with hex digits (either case). */
bool esp_serial_is_valid(const char *s);
/* Human size for people: "512M", "1.5G" (binary units). */
void esp_format_size(uint64_t bytes, char *buf, size_t size);
