/* ESP devices: libblkid probing, libfdisk table reading, sysfs and mountinfo look-ups, serial
 * search and the format/init partition checks. See device.h. */
#include "device.h"
#include <blkid.h>
#include <ctype.h>
#include <fcntl.h>
#include <libfdisk.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/parse.h"

static void blkid_probep(blkid_probe *pr) {
        if (*pr)
                blkid_free_probe(*pr);
}
static void blkid_cachep(blkid_cache *c) {
        if (*c)
                blkid_put_cache(*c);
}
static void fdisk_contextp(struct fdisk_context **c) {
        if (*c)
                fdisk_unref_context(*c);
}
static void fdisk_tablep(struct fdisk_table **t) {
        if (*t)
                fdisk_unref_table(*t);
}
static void fdisk_iterp(struct fdisk_iter **i) {
        if (*i)
                fdisk_free_iter(*i);
}

static char *strdup_lower(const char *s) {
        char *r = s ? strdup(s) : NULL;
        for (char *q = r; q && *q; q++)
                *q = (char)tolower((unsigned char)*q);
        return r;
}
static char *strdup_upper(const char *s) {
        char *r = s ? strdup(s) : NULL;
        for (char *q = r; q && *q; q++)
                *q = (char)toupper((unsigned char)*q);
        return r;
}

void esp_device_info_done(struct esp_device_info *i) {
        free(i->devpath);
        free(i->disk);
        free(i->scheme);
        free(i->part_type);
        free(i->part_uuid);
        free(i->fstype);
        free(i->uuid);
        free(i->label);
        *i = (struct esp_device_info){};
}

bool esp_serial_is_valid(const char *s) {
        if (!s || strlen(s) != 9 || s[4] != '-')
                return false;
        for (int k = 0; k < 9; k++)
                if (k != 4 && !isxdigit((unsigned char)s[k]))
                        return false;
        return true;
}

void esp_format_size(uint64_t bytes, char *buf, size_t size) {
        static const char units[] = "BKMGTPE";
        unsigned u = 0;
        double v = (double)bytes;
        while (v >= 1024 && u < sizeof units - 2) {
                v /= 1024;
                u++;
        }
        if (u == 0)
                snprintf(buf, size, "%lluB", (unsigned long long)bytes);
        else if (v < 10 && v != (double)(uint64_t)v)
                snprintf(buf, size, "%.1f%c", v, units[u]);
        else
                snprintf(buf, size, "%.0f%c", v, units[u]);
}

/* --- libblkid ------------------------------------------------------------------------------ */

static int probe_value(blkid_probe pr, const char *name, char **ret) {
        const char *data = NULL;
        if (blkid_probe_lookup_value(pr, name, &data, NULL) < 0 || !data || !*data)
                return 0;
        free(*ret);
        *ret = strdup(data);
        return *ret ? 1 : -ENOMEM;
}

/* Filesystem facts (TYPE, UUID, LABEL) of fd at [offset, offset+size); size 0: to the end. */
static int probe_filesystem(int fd, uint64_t offset, uint64_t size, struct esp_device_info *ret) {
        _cleanup_(blkid_probep) blkid_probe pr = blkid_new_probe();
        if (!pr)
                return -ENOMEM;
        if (blkid_probe_set_device(pr, fd, (blkid_loff_t)offset, (blkid_loff_t)size) < 0)
                return -EIO;
        blkid_probe_enable_partitions(pr, 0);
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID | BLKID_SUBLKS_LABEL);
        errno = 0;
        int r = blkid_do_safeprobe(pr);
        if (r == -2) { /* several signatures: libblkid refuses to pick one, so do we */
                ret->ambivalent = true;
                return 0;
        }
        if (r < 0)
                return errno > 0 ? -errno : -EIO;
        if (r == 1)
                return 0;
        if (probe_value(pr, "TYPE", &ret->fstype) < 0 || probe_value(pr, "LABEL", &ret->label) < 0)
                return -ENOMEM;
        const char *uuid = NULL;
        if (blkid_probe_lookup_value(pr, "UUID", &uuid, NULL) == 0 && uuid && *uuid) {
                free(ret->uuid);
                ret->uuid = strdup_upper(uuid);
                if (!ret->uuid)
                        return -ENOMEM;
        }
        if (size == 0) {
                blkid_loff_t s = blkid_probe_get_size(pr);
                if (s > 0)
                        ret->size = (uint64_t)s;
        }
        return 0;
}

/* PART_ENTRY_* of a partition device: libblkid finds the parent disk itself (real /sys). */
static int probe_partition_entry(int fd, struct esp_device_info *ret) {
        _cleanup_(blkid_probep) blkid_probe pr = blkid_new_probe();
        if (!pr)
                return -ENOMEM;
        if (blkid_probe_set_device(pr, fd, 0, 0) < 0)
                return -EIO;
        blkid_probe_enable_superblocks(pr, 0);
        blkid_probe_enable_partitions(pr, 1);
        blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
        int r = blkid_do_safeprobe(pr);
        if (r < 0 && r != -2)
                return 0; /* no entry details: the caller falls back to libfdisk */
        blkid_loff_t s = blkid_probe_get_size(pr);
        if (s > 0)
                ret->size = (uint64_t)s;
        _cleanup_free_ char *type = NULL, *number = NULL, *offset = NULL;
        if (probe_value(pr, "PART_ENTRY_SCHEME", &ret->scheme) < 0 ||
            probe_value(pr, "PART_ENTRY_TYPE", &type) < 0 ||
            probe_value(pr, "PART_ENTRY_UUID", &ret->part_uuid) < 0 ||
            probe_value(pr, "PART_ENTRY_NUMBER", &number) < 0 ||
            probe_value(pr, "PART_ENTRY_OFFSET", &offset) < 0)
                return -ENOMEM;
        if (type) {
                ret->part_type = strdup_lower(type);
                if (!ret->part_type)
                        return -ENOMEM;
        }
        if (number && ret->partno == 0)
                ret->partno = (unsigned)strtoul(number, NULL, 10);
        if (offset)
                ret->offset = strtoull(offset, NULL, 10) * 512; /* libblkid counts 512-byte sectors */
        return 0;
}

/* --- sysfs --------------------------------------------------------------------------------- */

static bool sysfs_dev_matches(const char *dir, dev_t devnum) {
        _cleanup_free_ char *devfile = path_join(dir, "dev"), *line = NULL;
        if (!devfile || read_first_line(devfile, 64, &line) < 0)
                return false;
        unsigned maj, min;
        return sscanf(line, "%u:%u", &maj, &min) == 2 && makedev(maj, min) == devnum;
}

/* <sysfs>/class/block/<name> of devnum: by the node's name first, else a scan of the class. */
static int sysfs_block_dir(const struct paths *p, const char *canon, dev_t devnum, char **ret) {
        _cleanup_free_ char *cls = paths_sysfs(p, SYSFS_CLASS_BLOCK);
        if (!cls)
                return -ENOMEM;
        const char *base = strrchr(canon, '/');
        base = base ? base + 1 : canon;
        _cleanup_free_ char *dir = path_join(cls, base);
        if (!dir)
                return -ENOMEM;
        if (sysfs_dev_matches(dir, devnum)) {
                *ret = TAKE_PTR(dir);
                return 0;
        }
        _cleanup_(closedirp) DIR *d = opendir(cls);
        if (!d)
                return negerrno();
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *cand = path_join(cls, de->d_name);
                if (!cand)
                        return -ENOMEM;
                if (sysfs_dev_matches(cand, devnum)) {
                        *ret = TAKE_PTR(cand);
                        return 0;
                }
        }
        return -ENODEV;
}

/* Partition number and parent disk from sysfs: <dir>/partition, and the resolved link's parent
 * directory (…/block/sdb/sdb1 → sdb). */
static int sysfs_partition_info(const char *dir, struct esp_device_info *ret) {
        _cleanup_free_ char *pfile = path_join(dir, "partition"), *line = NULL;
        if (!pfile)
                return -ENOMEM;
        int r = read_first_line(pfile, 64, &line);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        ret->is_partition = true;
        ret->partno = (unsigned)strtoul(line, NULL, 10);
        _cleanup_free_ char *real = realpath(dir, NULL);
        if (!real)
                return negerrno();
        char *slash = strrchr(real, '/');
        if (!slash || slash == real)
                return 0;
        *slash = 0;
        const char *parent = strrchr(real, '/');
        if (!parent)
                return 0;
        if (asprintf(&ret->disk, "/dev/%s", parent + 1) < 0) {
                ret->disk = NULL;
                return -ENOMEM;
        }
        _cleanup_free_ char *sfile = path_join(dir, "start"), *start = NULL;
        if (sfile && read_first_line(sfile, 64, &start) >= 0 && ret->offset == 0)
                ret->offset = strtoull(start, NULL, 10) * 512;
        return 0;
}

/* --- libfdisk ------------------------------------------------------------------------------ */

void esp_part_table_done(struct esp_part_table *t) {
        for (size_t i = 0; i < t->n; i++) {
                free(t->parts[i].type);
                free(t->parts[i].uuid);
        }
        free(t->parts);
        free(t->scheme);
        *t = (struct esp_part_table){};
}

int esp_disk_read_table(const char *disk, struct esp_part_table *ret) {
        *ret = (struct esp_part_table){};
        _cleanup_(fdisk_contextp) struct fdisk_context *cxt = fdisk_new_context();
        if (!cxt)
                return -ENOMEM;
        int r = fdisk_assign_device(cxt, disk, 1 /* read-only */);
        if (r < 0)
                return r;
        if (!fdisk_has_label(cxt))
                return -ENOMEDIUM;
        struct fdisk_label *lb = fdisk_get_label(cxt, NULL);
        const char *name = lb ? fdisk_label_get_name(lb) : NULL;
        unsigned long sector = fdisk_get_sector_size(cxt);
        _cleanup_(fdisk_tablep) struct fdisk_table *tb = NULL;
        r = fdisk_get_partitions(cxt, &tb);
        if (r < 0)
                return r;
        _cleanup_(fdisk_iterp) struct fdisk_iter *itr = fdisk_new_iter(FDISK_ITER_FORWARD);
        if (!itr)
                return -ENOMEM;
        struct esp_part_table t = { .scheme = strdup(name ? name : "unknown") };
        if (!t.scheme)
                return -ENOMEM;
        struct fdisk_partition *pa;
        while (fdisk_table_next_partition(tb, itr, &pa) == 0) {
                if (!fdisk_partition_is_used(pa))
                        continue;
                struct esp_part_entry *n = realloc(t.parts, (t.n + 1) * sizeof *n);
                if (!n) {
                        esp_part_table_done(&t);
                        return -ENOMEM;
                }
                t.parts = n;
                struct esp_part_entry *e = &t.parts[t.n++];
                *e = (struct esp_part_entry){
                        .partno = (unsigned)fdisk_partition_get_partno(pa) + 1,
                        .start = (uint64_t)fdisk_partition_get_start(pa) * sector,
                        .size = (uint64_t)fdisk_partition_get_size(pa) * sector,
                };
                struct fdisk_parttype *type = fdisk_partition_get_type(pa);
                const char *ts = type ? fdisk_parttype_get_string(type) : NULL;
                if (ts)
                        e->type = strdup_lower(ts);
                else if (type && asprintf(&e->type, "0x%x", fdisk_parttype_get_code(type)) < 0)
                        e->type = NULL;
                const char *uuid = fdisk_partition_get_uuid(pa);
                if (uuid)
                        e->uuid = strdup_lower(uuid);
                if ((type && !e->type) || (uuid && !e->uuid)) {
                        esp_part_table_done(&t);
                        return -ENOMEM;
                }
        }
        *ret = t;
        return 0;
}

/* Where libblkid gave no entry details: the parent's table, read with libfdisk. */
static int fill_from_parent_table(struct esp_device_info *ret) {
        if (!ret->disk || ret->partno == 0)
                return 0;
        struct esp_part_table t;
        int r = esp_disk_read_table(ret->disk, &t);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        for (size_t i = 0; i < t.n; i++)
                if (t.parts[i].partno == ret->partno) {
                        ret->scheme = strdup(t.scheme);
                        ret->part_type = t.parts[i].type ? strdup(t.parts[i].type) : NULL;
                        ret->part_uuid = t.parts[i].uuid ? strdup(t.parts[i].uuid) : NULL;
                        if (!ret->scheme || (t.parts[i].type && !ret->part_type) ||
                            (t.parts[i].uuid && !ret->part_uuid))
                                r = -ENOMEM;
                        if (ret->offset == 0)
                                ret->offset = t.parts[i].start;
                        if (ret->size == 0)
                                ret->size = t.parts[i].size;
                        break;
                }
        esp_part_table_done(&t);
        return r;
}

/* --- probing ------------------------------------------------------------------------------- */

int esp_device_probe(const struct paths *p, const char *devpath, unsigned flags,
                     struct esp_device_info *ret) {
        *ret = (struct esp_device_info){};
        _cleanup_free_ char *canon = realpath(devpath, NULL);
        if (!canon)
                return negerrno();
        struct stat st;
        if (stat(canon, &st) < 0)
                return negerrno();
        bool blk = S_ISBLK(st.st_mode);
        if (!blk && !(S_ISREG(st.st_mode) && (flags & ESP_PROBE_ALLOW_FILE)))
                return -ENOTBLK;
        _cleanup_close_ int fd = open(canon, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return negerrno();

        struct esp_device_info i = { .is_block = blk, .devnum = blk ? st.st_rdev : 0 };
        int r = 0;
        if (blk) {
                _cleanup_free_ char *dir = NULL;
                r = sysfs_block_dir(p, canon, st.st_rdev, &dir);
                if (r >= 0)
                        r = sysfs_partition_info(dir, &i);
                else if (r == -ENODEV || r == -ENOENT)
                        r = 0; /* no sysfs entry: not known as a partition */
                if (r >= 0 && i.is_partition)
                        r = probe_partition_entry(fd, &i);
                if (r >= 0 && i.is_partition && !i.part_type)
                        r = fill_from_parent_table(&i);
        } else
                i.size = (uint64_t)st.st_size;
        if (r >= 0)
                r = probe_filesystem(fd, 0, 0, &i);
        if (r >= 0 && !(i.devpath = TAKE_PTR(canon)))
                r = -ENOMEM;
        if (r < 0) {
                esp_device_info_done(&i);
                return r;
        }
        *ret = i;
        return 0;
}

int esp_device_probe_image(const char *image, unsigned partno, struct esp_device_info *ret) {
        *ret = (struct esp_device_info){};
        _cleanup_close_ int fd = open(image, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negerrno();
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negerrno();
        struct esp_device_info i = { .partno = partno, .is_partition = partno > 0,
                                     .devpath = strdup(image), .disk = strdup(image) };
        int r = i.devpath && i.disk ? 0 : -ENOMEM;
        uint64_t offset = 0, size = 0;
        if (r >= 0 && partno > 0) {
                _cleanup_(blkid_probep) blkid_probe pr = blkid_new_probe();
                if (!pr || blkid_probe_set_device(pr, fd, 0, 0) < 0)
                        r = pr ? -EIO : -ENOMEM;
                blkid_partlist ls = r >= 0 ? blkid_probe_get_partitions(pr) : NULL;
                blkid_partition par = ls ? blkid_partlist_get_partition_by_partno(ls, (int)partno) : NULL;
                if (r >= 0 && !par)
                        r = -ENXIO;
                if (r >= 0) {
                        blkid_parttable tab = blkid_partition_get_table(par);
                        const char *scheme = tab ? blkid_parttable_get_type(tab) : NULL;
                        const char *ts = blkid_partition_get_type_string(par);
                        const char *uuid = blkid_partition_get_uuid(par);
                        i.scheme = scheme ? strdup(scheme) : NULL;
                        if (ts && *ts)
                                i.part_type = strdup_lower(ts);
                        else if (asprintf(&i.part_type, "0x%x", blkid_partition_get_type(par)) < 0)
                                i.part_type = NULL;
                        i.part_uuid = uuid && *uuid ? strdup_lower(uuid) : NULL;
                        offset = (uint64_t)blkid_partition_get_start(par) * 512;
                        size = (uint64_t)blkid_partition_get_size(par) * 512;
                        i.offset = offset;
                        i.size = size;
                        if (!i.part_type || (scheme && !i.scheme))
                                r = -ENOMEM;
                }
        } else
                i.size = (uint64_t)st.st_size;
        if (r >= 0)
                r = probe_filesystem(fd, offset, size, &i);
        if (r < 0) {
                esp_device_info_done(&i);
                return r;
        }
        *ret = i;
        return 0;
}

/* --- mountinfo ----------------------------------------------------------------------------- */

/* Mount points in mountinfo escape blanks, tabs, newlines and backslashes as \ooo. */
static void unescape_octal(char *s) {
        char *w = s;
        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else
                        *w++ = *r;
        }
        *w = 0;
}

struct mountinfo_search {
        dev_t dev;
        char *where;
};

static int mountinfo_line(char *line, unsigned lineno, void *userdata) {
        (void)lineno;
        struct mountinfo_search *s = userdata;
        unsigned maj, min;
        int n_end = 0;
        /* id parent major:minor root mount-point ... */
        if (sscanf(line, "%*u %*u %u:%u %*s %n", &maj, &min, &n_end) != 2 || n_end == 0)
                return 0;
        if (s->where || makedev(maj, min) != s->dev)
                return 0; /* the first match wins */
        char *mp = line + n_end;
        mp[strcspn(mp, " \t")] = 0;
        unescape_octal(mp);
        s->where = strdup(mp);
        return s->where ? 1 : -ENOMEM;
}

int esp_mountinfo_find(const char *buf, size_t len, dev_t dev, char **ret_where) {
        struct mountinfo_search s = { .dev = dev };
        int r = lines_foreach(buf, len, LINES_NO_TRIM, mountinfo_line, &s);
        if (r < 0)
                return r;
        if (!s.where)
                return 0;
        if (ret_where)
                *ret_where = s.where;
        else
                free(s.where);
        return 1;
}

int esp_device_is_mounted(const struct paths *p, dev_t dev, char **ret_where) {
        _cleanup_free_ char *path = paths_proc(p, PROC_MOUNTINFO), *buf = NULL;
        if (!path)
                return -ENOMEM;
        size_t len;
        int r = read_file_max(path, 16u << 20, &buf, &len);
        if (r < 0)
                return r;
        return esp_mountinfo_find(buf, len, dev, ret_where);
}

/* --- finding by serial --------------------------------------------------------------------- */

static int push_device(strv *list, dev_t *seen, size_t *n_seen, const char *name) {
        _cleanup_free_ char *canon = realpath(name, NULL);
        struct stat st;
        if (!canon || stat(canon, &st) < 0 || !S_ISBLK(st.st_mode))
                return 0; /* stale cache entry or dangling link */
        for (size_t k = 0; k < *n_seen; k++)
                if (seen[k] == st.st_rdev)
                        return 0;
        seen[(*n_seen)++] = st.st_rdev;
        return strv_push(list, canon);
}

/* A private libblkid cache: "/dev/null" keeps it from reading or rewriting the system's cache
 * file (a dry run writes nothing anywhere). */
static int private_cache(blkid_cache *ret) {
        if (blkid_get_cache(ret, "/dev/null") < 0)
                return -ENOMEM;
        return 0;
}

int esp_device_find_by_serial(const char *serial, char ***ret_devices) {
        *ret_devices = NULL;
        _cleanup_free_ char *up = strdup_upper(serial);
        if (!up)
                return -ENOMEM;
        _cleanup_strv_ strv list = {};
        size_t cap = 16, n_seen = 0;
        _cleanup_free_ dev_t *seen = malloc(cap * sizeof *seen);
        if (!seen)
                return -ENOMEM;
        _cleanup_free_ char *link = path_join(PATH_DEV_BY_UUID, up);
        if (!link)
                return -ENOMEM;
        int r = push_device(&list, seen, &n_seen, link);
        if (r < 0)
                return r;

        _cleanup_(blkid_cachep) blkid_cache cache = NULL;
        r = private_cache(&cache);
        if (r < 0)
                return r;
        if (blkid_probe_all(cache) < 0)
                return -EIO;
        blkid_dev_iterate it = blkid_dev_iterate_begin(cache);
        if (!it)
                return -ENOMEM;
        blkid_dev_set_search(it, "UUID", up);
        blkid_dev dev;
        while (r >= 0 && blkid_dev_next(it, &dev) == 0) {
                if (n_seen == cap) {
                        dev_t *n = realloc(seen, 2 * cap * sizeof *n);
                        if (!n) {
                                r = -ENOMEM;
                                break;
                        }
                        seen = n;
                        cap *= 2;
                }
                r = push_device(&list, seen, &n_seen, blkid_dev_devname(dev));
        }
        blkid_dev_iterate_end(it);
        if (r < 0)
                return r;
        if (list.n == 0)
                return 0;
        *ret_devices = TAKE_PTR(list.v);
        list = (strv){};
        return (int)n_seen;
}

int esp_device_lookup_serial(const char *serial, char **ret_device) {
        _cleanup_free_ char *up = strdup_upper(serial);
        _cleanup_free_ char *link = up ? path_join(PATH_DEV_BY_UUID, up) : NULL;
        if (!link)
                return -ENOMEM;
        char *canon = realpath(link, NULL);
        struct stat st;
        if (canon && stat(canon, &st) == 0 && S_ISBLK(st.st_mode)) {
                *ret_device = canon;
                return 0;
        }
        free(canon);
        _cleanup_(blkid_cachep) blkid_cache cache = NULL;
        int r = private_cache(&cache);
        if (r < 0)
                return r;
        char *dev = blkid_evaluate_tag("UUID", up, &cache);
        if (!dev)
                return -ENODEV;
        *ret_device = dev;
        return 0;
}

/* --- listing ESPs -------------------------------------------------------------------------- */

void esp_candidates_free(struct esp_candidate *c, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(c[i].device);
                free(c[i].serial);
                free(c[i].fstype);
                free(c[i].mounted_on);
        }
        free(c);
}

static int cmp_str(const char *a, const char *b) { return strcmp(a, b); }

int esp_device_list(const struct paths *p, struct esp_candidate **ret, size_t *ret_n) {
        *ret = NULL;
        *ret_n = 0;
        _cleanup_free_ char *cls = paths_sysfs(p, SYSFS_CLASS_BLOCK);
        if (!cls)
                return -ENOMEM;
        _cleanup_strv_ strv names = {};
        {
                _cleanup_(closedirp) DIR *d = opendir(cls);
                if (!d)
                        return negerrno();
                struct dirent *de;
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.' && strv_push(&names, de->d_name) < 0)
                                return -ENOMEM;
        }
        strv_sort(&names, cmp_str);
        struct esp_candidate *list = NULL;
        size_t n = 0;
        int r = 0;
        bool denied = false;
        for (size_t k = 0; k < names.n && r >= 0; k++) {
                _cleanup_free_ char *pdir = path_join(cls, names.v[k]);
                _cleanup_free_ char *pfile = pdir ? path_join(pdir, "partition") : NULL;
                if (!pfile) {
                        r = -ENOMEM;
                        break;
                }
                if (access(pfile, F_OK) < 0)
                        continue;
                _cleanup_free_ char *dev = path_join("/dev", names.v[k]);
                if (!dev) {
                        r = -ENOMEM;
                        break;
                }
                struct esp_device_info info;
                int pr = esp_device_probe(p, dev, 0, &info);
                if (pr == -EACCES || pr == -EPERM)
                        denied = true;
                if (pr < 0)
                        continue; /* no node, no permission, vanished: not listable */
                bool is_esp = info.scheme && streq(info.scheme, "gpt") && info.part_type &&
                              streq(info.part_type, ESP_TYPE_GUID);
                if (is_esp) {
                        struct esp_candidate *nl = realloc(list, (n + 1) * sizeof *nl);
                        if (!nl)
                                r = -ENOMEM;
                        else {
                                list = nl;
                                struct esp_candidate *c = &list[n++];
                                *c = (struct esp_candidate){ .size = info.size };
                                c->device = TAKE_PTR(info.devpath);
                                c->serial = TAKE_PTR(info.uuid);
                                c->fstype = TAKE_PTR(info.fstype);
                                int m = esp_device_is_mounted(p, info.devnum, &c->mounted_on);
                                if (m < 0 && m != -ENOENT)
                                        r = m;
                        }
                }
                esp_device_info_done(&info);
        }
        if (r >= 0 && n == 0 && denied)
                r = -EACCES; /* an empty list would hide that we could not look */
        if (r < 0) {
                esp_candidates_free(list, n);
                return r;
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

/* --- checks -------------------------------------------------------------------------------- */

void esp_check_done(struct esp_check *c) {
        esp_device_info_done(&c->info);
        free(c->mounted_on);
        free(c->reason);
        strv_free(&c->warnings);
        strv_free(&c->duplicates);
        *c = (struct esp_check){};
}

_printf_(2, 3) static int refuse(struct esp_check *c, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        free(c->reason);
        int r = vasprintf(&c->reason, fmt, ap);
        va_end(ap);
        if (r < 0) {
                c->reason = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

_printf_(2, 3) static int warn(struct esp_check *c, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *s;
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return strv_push_take(&c->warnings, s);
}

static const char *article(const char *word) {
        return strchr("aeiouAEIOU", word[0]) ? "an" : "a";
}

int esp_check_evaluate(struct esp_check *c, unsigned flags) {
        const struct esp_device_info *i = &c->info;
        const char *dev = i->devpath ? i->devpath : "?";
        if (!i->is_partition)
                return refuse(c, "%s: not a partition", dev);
        if (!i->scheme)
                return refuse(c, "%s: partition table unknown, expected GPT", dev);
        if (streq(i->scheme, "dos"))
                return refuse(c, "%s: partition table is MBR (dos), expected GPT; MBR disks are "
                              "not converted", dev);
        if (!streq(i->scheme, "gpt"))
                return refuse(c, "%s: partition table is %s, expected GPT", dev, i->scheme);
        if (!i->part_type || strcasecmp(i->part_type, ESP_TYPE_GUID) != 0)
                return refuse(c, "%s: partition type is %s, expected the ESP type %s; set the type "
                              "first, e.g. `sgdisk -t %u:EF00 %s`", dev,
                              i->part_type ? i->part_type : "unknown", ESP_TYPE_GUID, i->partno,
                              i->disk ? i->disk : "<disk>");
        char human[32];
        esp_format_size(i->size, human, sizeof human);
        if (i->size < ESP_MIN_SIZE)
                return refuse(c, "%s: size %s (%llu bytes) is too small, expected at least 256 MiB",
                              dev, human, (unsigned long long)i->size);
        int r;
        if (i->size < ESP_RECOMMENDED_SIZE &&
            (r = warn(c, "%s: size %s is below the recommended 512 MiB (room for about three "
                      "kernels)", dev, human)) < 0)
                return r;
        if (c->mounted_on) {
                if (!(flags & ESP_CHECK_ALLOW_MOUNTED))
                        return refuse(c, "%s: mounted on %s", dev, c->mounted_on);
                if ((r = warn(c, "%s: mounted on %s; other tools may write it too", dev,
                              c->mounted_on)) < 0)
                        return r;
        }
        if (flags & ESP_CHECK_NEED_FS) {
                if (i->ambivalent)
                        return refuse(c, "%s: several filesystem signatures, expected one vfat "
                                      "filesystem", dev);
                if (!i->fstype)
                        return refuse(c, "%s: no filesystem, expected vfat (run espctl format "
                                      "first)", dev);
                if (!streq(i->fstype, "vfat"))
                        return refuse(c, "%s: contains %s %s filesystem, expected vfat", dev,
                                      article(i->fstype), i->fstype);
                if (!esp_serial_is_valid(i->uuid))
                        return refuse(c, "%s: vfat filesystem without a serial, expected "
                                      "XXXX-XXXX, got '%s'", dev, i->uuid ? i->uuid : "");
                if (c->duplicates.n > 0)
                        return refuse(c, "%s: serial %s is also carried by %s; give the cloned "
                                      "disk a new serial", dev, i->uuid, c->duplicates.v[0]);
        } else if ((i->fstype || i->ambivalent) && !(flags & ESP_CHECK_ALLOW_FS)) {
                const char *t = i->fstype ? i->fstype : "unknown";
                return refuse(c, "%s: contains %s %s filesystem (use --force)", dev, article(t), t);
        }
        return 0;
}

int esp_device_check(const struct paths *p, const char *dev, unsigned flags, struct esp_check *ret) {
        *ret = (struct esp_check){};
        int r = esp_device_probe(p, dev, 0, &ret->info);
        if (r == -ENOTBLK)
                return refuse(ret, "%s: not a block device", dev);
        if (r < 0)
                return r;
        if (ret->info.is_partition) {
                r = esp_device_is_mounted(p, ret->info.devnum, &ret->mounted_on);
                if (r < 0)
                        return r;
        }
        if ((flags & ESP_CHECK_UNIQUE_SERIAL) && esp_serial_is_valid(ret->info.uuid)) {
                char **devs = NULL;
                r = esp_device_find_by_serial(ret->info.uuid, &devs);
                if (r < 0)
                        return r;
                for (char **d = devs; d && *d; d++) {
                        struct stat st;
                        if (stat(*d, &st) == 0 && st.st_rdev != ret->info.devnum &&
                            strv_push(&ret->duplicates, *d) < 0)
                                r = -ENOMEM;
                        free(*d);
                }
                free(devs);
                if (r < 0)
                        return r;
        }
        return esp_check_evaluate(ret, flags);
}

int esp_device_check_partition(const struct paths *p, const char *dev, bool need_fs, bool allow_fs,
                               bool allow_mounted, char **ret_reason) {
        *ret_reason = NULL;
        unsigned flags = (need_fs ? ESP_CHECK_NEED_FS | ESP_CHECK_UNIQUE_SERIAL : 0) |
                         (allow_fs ? ESP_CHECK_ALLOW_FS : 0) |
                         (allow_mounted ? ESP_CHECK_ALLOW_MOUNTED : 0);
        struct esp_check c;
        int r = esp_device_check(p, dev, flags, &c);
        if (r == -EINVAL) {
                *ret_reason = TAKE_PTR(c.reason);
        } else if (r >= 0 && c.warnings.n > 0) {
                size_t len = 0;
                for (size_t k = 0; k < c.warnings.n; k++)
                        len += strlen(c.warnings.v[k]) + 1;
                char *s = malloc(len), *w = s;
                if (!s)
                        r = -ENOMEM;
                for (size_t k = 0; s && k < c.warnings.n; k++)
                        w = stpcpy(stpcpy(w, k ? "\n" : ""), c.warnings.v[k]);
                *ret_reason = s;
                if (s)
                        r = 1;
        }
        esp_check_done(&c);
        return r;
}

int esp_device_verify_serial(const struct paths *p, const char *device, const char *serial,
                             struct esp_check *ret) {
        *ret = (struct esp_check){};
        int r = esp_device_probe(p, device, 0, &ret->info);
        if (r == -ENOTBLK)
                return refuse(ret, "%s: not a block device", device);
        if (r < 0)
                return r;
        const struct esp_device_info *i = &ret->info;
        if (!i->fstype || !streq(i->fstype, "vfat") || !i->uuid || strcasecmp(i->uuid, serial) != 0)
                return refuse(ret, "%s: expected a vfat filesystem with serial %s, got %s%s%s",
                              i->devpath, serial, i->fstype ? i->fstype : "no filesystem",
                              i->uuid ? " with serial " : "", i->uuid ? i->uuid : "");
        if (i->is_partition && (!i->part_type || strcasecmp(i->part_type, ESP_TYPE_GUID) != 0))
                return warn(ret, "%s: partition type is %s, expected the ESP type %s", i->devpath,
                            i->part_type ? i->part_type : "unknown", ESP_TYPE_GUID) < 0 ? -ENOMEM : 0;
        return 0;
}
