/* kernel-select list: inventory, selection with reasons, pins and the default, as text in
 * proxmox-boot-tool's layout or as one JSON object. */
#include <jansson.h>
#include "ks.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"

static bool is_auto(const struct kernel_entry *k) {
        return k->reasons & (REASON_RUNNING | REASON_NEWEST | REASON_PREVIOUS_SERIES | REASON_INSTALLING);
}

static void print_section(const char *title, const char *const *items, size_t n) {
        printf("%s\n", title);
        if (n == 0)
                printf("None.\n");
        for (size_t i = 0; i < n; i++)
                printf("%s\n", items[i]);
        printf("\n");
}

static void reasons_text(unsigned reasons, char *buf, size_t size) {
        buf[0] = 0;
        for (unsigned b = 0; b < REASON_COUNT; b++)
                if (reasons & (1u << b)) {
                        size_t l = strlen(buf);
                        snprintf(buf + l, size - l, "%s%s", l ? "," : "", kernel_reason_name(b));
                }
}

static void print_text(const struct kernel_state *st) {
        const struct selection *s = &st->sel;
        print_section("Manually selected kernels:", (const char *const *)st->manual.v, st->manual.n);
        const char *autos[s->n_kernels + 1];
        size_t n = 0;
        for (size_t i = 0; i < s->n_kernels; i++)
                if (s->kernels[i].selected && is_auto(&s->kernels[i]))
                        autos[n++] = s->kernels[i].version;
        print_section("Automatically selected kernels:", autos, n);
        print_section("Pinned kernel:", (const char *const *)&s->pinned, s->pinned ? 1 : 0);
        char nb[256];
        const char *nbp = nb;
        if (s->next_boot)
                snprintf(nb, sizeof nb, "%s (%s)", s->next_boot, next_boot_state_name(s->next_boot_state));
        print_section("Kernel pinned on next-boot:", &nbp, s->next_boot ? 1 : 0);
        printf("Default kernel: %s\n\n", s->default_version ? s->default_version : "none");
        printf("Kernels:\n");
        for (size_t i = 0; i < s->n_kernels; i++) {
                const struct kernel_entry *k = &s->kernels[i];
                char why[256];
                reasons_text(k->reasons, why, sizeof why);
                const char *state = k->synced ? "synced" : k->selected ? "selected" : "-";
                printf("%-24s %-8s %s", k->version, state, why[0] ? why : "-");
                if (!k->image)
                        printf(k->modules ? "  (modules only)" : "  (not installed)");
                else if (!k->initrd)
                        printf("  (no initrd)");
                printf("\n");
        }
}

static json_t *json_str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static int print_json(const struct kernel_state *st) {
        const struct selection *s = &st->sel;
        json_t *kernels = json_array();
        for (size_t i = 0; i < s->n_kernels; i++) {
                const struct kernel_entry *k = &s->kernels[i];
                json_t *reasons = json_array();
                for (unsigned b = 0; b < REASON_COUNT; b++)
                        if (k->reasons & (1u << b))
                                json_array_append_new(reasons, json_string(kernel_reason_name(b)));
                json_array_append_new(kernels, json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:o}",
                        "version", k->version, "image", k->image, "initrd", k->initrd, "modules", k->modules,
                        "selected", k->selected, "synced", k->synced, "reasons", reasons));
        }
        json_t *manual = json_array();
        for (size_t i = 0; i < st->manual.n; i++)
                json_array_append_new(manual, json_string(st->manual.v[i]));
        json_t *root = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                "kernels", kernels,
                "manual", manual,
                "flavour", json_str_or_null(s->flavour),
                "pinned", json_str_or_null(s->pinned),
                "next_boot", json_str_or_null(s->next_boot),
                "next_boot_state", json_str_or_null(next_boot_state_name(s->next_boot_state)),
                "default", json_str_or_null(s->default_version));
        if (!root)
                return EXIT_IO;
        int r = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(root);
        printf("\n");
        return r < 0 ? EXIT_IO : 0;
}

int verb_list(struct ks_ctx *c) {
        int lock_fd = -1;
        int r = ks_lock(&(struct ks_ctx){ .paths = c->paths, .dry_run = true, .wait_sec = c->wait_sec }, &lock_fd);
        if (r)
                return r;
        struct kernel_state st;
        r = ks_load(c, &st);
        if (r == 0) {
                ks_print_warnings(&st);
                r = c->json ? print_json(&st) : (print_text(&st), 0);
                kernel_state_free(&st);
        }
        if (lock_fd >= 0)
                close(lock_fd);
        return r;
}
