/* boot-detect: report firmware, Secure Boot and the boot loader's view of this boot (spec §4.7),
 * as text lines, single field values, or one JSON object. */
#include "boot/detect.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/paths.h"
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>

struct context {
        const char *root, *sysfs, *efivars;
        bool json;
        char **fields; /* argv tail; empty = all */
        int n_fields;
};

static const struct field {
        const char *name; /* text name; JSON key is the same with '_' */
        bool needs_efivars;
} fields[] = {
        { "firmware", false },        { "platform-size", false },  { "efivars", false },
        { "secure-boot", true },      { "loader", true },          { "loader-info", true },
        { "loader-features", true },  { "entry-selected", true },  { "entry-default", true },
        { "entry-oneshot", true },    { "entries", true },         { "boot-count-path", true },
        { "device-part-uuid", true }, { "boot-current", true },
};

static const struct field *field_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                if (streq(fields[i].name, name))
                        return &fields[i];
        return NULL;
}

static void help(void) {
        printf("usage: boot-detect [--root DIR] [--sysfs-root DIR] [--efivars-dir DIR] [--json] [FIELD...]\n"
               "\n"
               "Report the firmware, Secure Boot state and the boot loader's view of this boot.\n"
               "Fields:");
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                printf(" %s", fields[i].name);
        printf("\n\nExit: 0 ok, 1 usage, 3 sysfs unusable or a requested field needs absent EFI variables.\n");
}

static int parse_args(int argc, char **argv, struct context *c) {
        enum { ARG_ROOT = 0x100, ARG_SYSFS, ARG_EFIVARS, ARG_JSON };
        static const struct option opts[] = {
                { "root", required_argument, NULL, ARG_ROOT },
                { "sysfs-root", required_argument, NULL, ARG_SYSFS },
                { "efivars-dir", required_argument, NULL, ARG_EFIVARS },
                { "json", no_argument, NULL, ARG_JSON },
                { "quiet", no_argument, NULL, 'q' },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        int o;
        opterr = 0;
        while ((o = getopt_long(argc, argv, "+qvhV", opts, NULL)) >= 0) {
                switch (o) {
                case ARG_ROOT:
                        c->root = optarg;
                        break;
                case ARG_SYSFS:
                        c->sysfs = optarg;
                        break;
                case ARG_EFIVARS:
                        c->efivars = optarg;
                        break;
                case ARG_JSON:
                        c->json = true;
                        break;
                case 'q':
                        log_setup("boot-detect", LOG_LEVEL_WARNING);
                        break;
                case 'v':
                        log_setup("boot-detect", LOG_LEVEL_DEBUG);
                        break;
                case 'h':
                        help();
                        return 0;
                case 'V':
                        printf("boot-detect %s\n", TOOLKIT_VERSION);
                        return 0;
                default:
                        log_error("unknown or incomplete option: %s (see --help)", argv[optind - 1]);
                        return -EINVAL;
                }
        }
        c->fields = argv + optind;
        c->n_fields = argc - optind;
        for (int i = 0; i < c->n_fields; i++)
                if (!field_find(c->fields[i])) {
                        log_error("unknown field: %s (see --help)", c->fields[i]);
                        return -EINVAL;
                }
        return 1;
}

/* Text value of a field, malloc'd; NULL when absent (printed "-"). */
static char *field_text(const struct boot_info *i, const char *f) {
        char *r = NULL;
        if (streq(f, "firmware"))
                return boot_platform_to_string(i->platform) ? strdup(boot_platform_to_string(i->platform)) : NULL;
        if (streq(f, "platform-size"))
                return i->platform_size > 0 && asprintf(&r, "%d", i->platform_size) >= 0 ? r : NULL;
        if (streq(f, "efivars"))
                return strdup(i->efivars ? "yes" : "no");
        if (streq(f, "secure-boot"))
                return strdup(boot_secure_boot_to_string(i->secure_boot));
        if (streq(f, "loader"))
                return strdup(boot_loader_to_string(i->loader));
        if (streq(f, "loader-info"))
                return i->loader_info ? strdup(i->loader_info) : NULL;
        if (streq(f, "loader-features")) {
                if (!i->has_features)
                        return NULL;
                size_t cap = 1024, len = 0;
                r = calloc(1, cap);
                for (unsigned b = 0; r && b < 64; b++) {
                        if (!(i->features & (UINT64_C(1) << b)))
                                continue;
                        const char *n = boot_loader_feature_name(b);
                        len += (size_t)snprintf(r + len, cap - len, "%s%s", len ? " " : "", n ? n : "");
                        if (!n)
                                len += (size_t)snprintf(r + len, cap - len, "bit-%u", b);
                }
                if (r && len == 0)
                        strcpy(r, "none");
                return r;
        }
        if (streq(f, "entry-selected"))
                return i->entry_selected ? strdup(i->entry_selected) : NULL;
        if (streq(f, "entry-default"))
                return i->entry_default ? strdup(i->entry_default) : NULL;
        if (streq(f, "entry-oneshot"))
                return i->entry_oneshot ? strdup(i->entry_oneshot) : NULL;
        if (streq(f, "entries")) {
                if (!i->has_entries)
                        return NULL;
                size_t len = 5;
                for (size_t k = 0; k < i->entries.n; k++)
                        len += strlen(i->entries.v[k]) + 1;
                r = calloc(1, len);
                for (size_t k = 0; r && k < i->entries.n; k++) {
                        if (k)
                                strcat(r, " ");
                        strcat(r, i->entries.v[k]);
                }
                if (r && i->entries.n == 0)
                        strcpy(r, "none");
                return r;
        }
        if (streq(f, "boot-count-path"))
                return i->boot_count_path ? strdup(i->boot_count_path) : NULL;
        if (streq(f, "device-part-uuid"))
                return i->device_part_uuid ? strdup(i->device_part_uuid) : NULL;
        if (streq(f, "boot-current")) {
                const struct boot_current *b = &i->boot_current;
                if (b->number < 0)
                        return NULL;
                if (asprintf(&r, "Boot%04X description=%s%s%s path=%s part-guid=%s", (unsigned)b->number,
                             b->description ? "\"" : "", b->description ? b->description : "-",
                             b->description ? "\"" : "", b->path ? b->path : "-",
                             b->part_guid ? b->part_guid : "-") < 0)
                        return NULL;
                return r;
        }
        return NULL;
}

static json_t *json_string_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *field_json(const struct boot_info *i, const char *f) {
        if (streq(f, "firmware"))
                return json_string_or_null(boot_platform_to_string(i->platform));
        if (streq(f, "platform-size"))
                return i->platform_size > 0 ? json_integer(i->platform_size) : json_null();
        if (streq(f, "efivars"))
                return json_boolean(i->efivars);
        if (streq(f, "secure-boot"))
                return json_string(boot_secure_boot_to_string(i->secure_boot));
        if (streq(f, "loader"))
                return json_string(boot_loader_to_string(i->loader));
        if (streq(f, "loader-info"))
                return json_string_or_null(i->loader_info);
        if (streq(f, "loader-features")) {
                if (!i->has_features)
                        return json_null();
                json_t *a = json_array();
                for (unsigned b = 0; a && b < 64; b++) {
                        if (!(i->features & (UINT64_C(1) << b)))
                                continue;
                        const char *n = boot_loader_feature_name(b);
                        char tmp[16];
                        snprintf(tmp, sizeof tmp, "bit-%u", b);
                        json_array_append_new(a, json_string(n ? n : tmp));
                }
                return a;
        }
        if (streq(f, "entry-selected"))
                return json_string_or_null(i->entry_selected);
        if (streq(f, "entry-default"))
                return json_string_or_null(i->entry_default);
        if (streq(f, "entry-oneshot"))
                return json_string_or_null(i->entry_oneshot);
        if (streq(f, "entries")) {
                if (!i->has_entries)
                        return json_null();
                json_t *a = json_array();
                for (size_t k = 0; a && k < i->entries.n; k++)
                        json_array_append_new(a, json_string(i->entries.v[k]));
                return a;
        }
        if (streq(f, "boot-count-path"))
                return json_string_or_null(i->boot_count_path);
        if (streq(f, "device-part-uuid"))
                return json_string_or_null(i->device_part_uuid);
        if (streq(f, "boot-current")) {
                const struct boot_current *b = &i->boot_current;
                if (b->number < 0)
                        return json_null();
                return json_pack("{s:i,s:o,s:o,s:o}", "number", b->number, "description",
                                 json_string_or_null(b->description), "path", json_string_or_null(b->path),
                                 "part_guid", json_string_or_null(b->part_guid));
        }
        return json_null();
}

static int print_json(const struct boot_info *info, const struct context *c) {
        json_t *o = json_object();
        if (!o)
                return -ENOMEM;
        for (size_t k = 0; k < ELEMENTSOF(fields); k++) {
                const char *f = fields[k].name;
                bool wanted = c->n_fields == 0;
                for (int j = 0; j < c->n_fields && !wanted; j++)
                        wanted = streq(c->fields[j], f);
                if (!wanted)
                        continue;
                char key[32];
                snprintf(key, sizeof key, "%s", f);
                for (char *p = key; *p; p++)
                        if (*p == '-')
                                *p = '_';
                json_object_set_new(o, key, field_json(info, f));
        }
        int r = json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(o);
        if (r < 0)
                return -EIO;
        putchar('\n');
        return 0;
}

static int print_text(const struct boot_info *info, const struct context *c) {
        if (c->n_fields > 0) {
                for (int j = 0; j < c->n_fields; j++) {
                        _cleanup_free_ char *v = field_text(info, c->fields[j]);
                        printf("%s\n", v ? v : "-");
                }
                return 0;
        }
        for (size_t k = 0; k < ELEMENTSOF(fields); k++) {
                _cleanup_free_ char *v = field_text(info, fields[k].name);
                printf("%s: %s\n", fields[k].name, v ? v : "-");
        }
        return 0;
}

int main(int argc, char **argv) {
        log_setup("boot-detect", LOG_LEVEL_INFO);
        struct context c = {};
        int r = parse_args(argc, argv, &c);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_OK;

        _cleanup_(paths_free) struct paths p = {};
        if (paths_init(&p, c.root, c.sysfs, NULL, NULL, c.efivars) < 0) {
                log_error("out of memory");
                return EXIT_IO;
        }
        struct boot_info info;
        r = boot_detect(&p, &info);
        if (r == 0 && info.platform == BOOT_PLATFORM_UEFI && !info.efivars && boot_efivars_is_default(&p)) {
                /* efivarfs exists but is not mounted: look at it in a private namespace. */
                int m = boot_efivars_mount_private(&p);
                if (m < 0)
                        log_debug("cannot mount efivarfs at %s: %s", p.efivars, strerror(-m));
                else {
                        boot_info_free(&info);
                        r = boot_detect(&p, &info);
                }
        }
        int exit_code = EXIT_OK;
        if (r == -ENOMEDIUM) {
                log_error("sysfs not mounted at %s", p.sysfs);
                exit_code = EXIT_ENV;
        } else if (r < 0) {
                log_error("detection failed: %s", strerror(-r));
                boot_info_free(&info);
                return EXIT_IO;
        }
        for (size_t k = 0; k < info.warnings.n; k++)
                log_warning("%s", info.warnings.v[k]);
        if (exit_code == EXIT_OK && !info.efivars)
                for (int j = 0; j < c.n_fields; j++)
                        if (field_find(c.fields[j])->needs_efivars) {
                                log_error("%s: needs EFI variables, not available at %s (firmware %s)", c.fields[j],
                                          p.efivars, boot_platform_to_string(info.platform));
                                exit_code = EXIT_ENV;
                                break;
                        }
        r = 0;
        if (c.json)
                r = print_json(&info, &c);
        else if (exit_code == EXIT_OK || info.platform != BOOT_PLATFORM_UNKNOWN)
                r = print_text(&info, &c);
        boot_info_free(&info);
        if (r < 0 || fflush(stdout) != 0 || ferror(stdout)) {
                log_error("cannot write to stdout");
                return EXIT_IO;
        }
        return exit_code;
}
