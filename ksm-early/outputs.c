/* See outputs.h. */
#include "outputs.h"
#include "lib/atomic.h"
#include "lib/fileio.h"
#include "lib/fsops.h"
#include "lib/macro.h"
#include <fcntl.h>
#include <stdio.h>

static int read_old(int dirfd, const char *name, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : negerrno();
        int r = read_fd_max(fd, 1024 * 1024, ret, ret_len);
        return r < 0 ? r : 1;
}

int file_txn_write(struct file_txn *t, int dirfd, const char *name, const char *buf, size_t len, mode_t mode) {
        struct file_txn_entry e = { .dirfd = dirfd };
        int r = read_old(dirfd, name, &e.old, &e.old_len);
        if (r < 0)
                return r;
        /* Recorded before the write: a failure after the rename (the directory's fsync) has
         * replaced the file already, and the rollback must know to put the old one back. */
        e.name = strdup(name);
        struct file_txn_entry *n = e.name ? realloc(t->e, (t->n + 1) * sizeof *n) : NULL;
        if (!n) {
                free(e.name);
                free(e.old);
                return -ENOMEM;
        }
        t->e = n;
        t->e[t->n++] = e;
        r = atomic_write_at(dirfd, name, buf, len, mode);
        if (r == 0) { /* unchanged: nothing to undo */
                t->n--;
                free(e.name);
                free(e.old);
        }
        return r;
}

void file_txn_rollback(struct file_txn *t, struct report *rep) {
        while (t->n > 0) {
                struct file_txn_entry *e = &t->e[--t->n];
                int r;
                if (e->old)
                        r = atomic_write_at(e->dirfd, e->name, e->old, e->old_len, 0644);
                else {
                        r = fs_unlinkat(e->dirfd, e->name, 0);
                        if (r == -ENOENT) /* the failed write never got as far as its rename */
                                r = 0;
                        else if (r >= 0)
                                r = fs_fsync(e->dirfd);
                }
                if (r < 0)
                        report_warning(rep, "rollback failed: %s: %s", e->name, strerror(-r));
                free(e->name);
                free(e->old);
        }
}

void file_txn_free(struct file_txn *t) {
        for (size_t i = 0; i < t->n; i++) {
                free(t->e[i].name);
                free(t->e[i].old);
        }
        free(t->e);
        *t = (struct file_txn){};
}

static char *kv(const char *key, bool value) {
        char *s = NULL;
        return asprintf(&s, "%s=%s\n", key, value ? "true" : "false") < 0 ? NULL : s;
}

char *output_node_labels(const struct policy *pol, bool eligible) { return kv(pol->enabled_label, eligible); }
char *output_node_annotations(const struct policy *pol, bool managed) { return kv(pol->managed_annotation, managed); }

char *output_kubelet_env(const struct policy *pol, bool eligible) {
        char *s = NULL;
        return asprintf(&s, "KSM_EARLY_NODE_LABELS=%s=%s\n", pol->enabled_label, eligible ? "true" : "false") < 0 ? NULL : s;
}

/* "# +no-label" keeps the managed flag an NFD feature rather than a label (§9). */
char *output_nfd(const struct policy *pol, bool eligible, bool managed) {
        char *s = NULL;
        return asprintf(&s, "# written by ksm-early\n%s=%s\n# +no-label\n%s=%s\n", pol->enabled_label,
                        eligible ? "true" : "false", pol->managed_annotation, managed ? "true" : "false") < 0 ? NULL : s;
}

json_t *output_status_json(const struct ksm_config *cfg, const struct plan *p) {
        _cleanup_free_ char *sel = selector_canonical(&cfg->policy.selector);
        json_t *knobs = json_object(), *labels = json_object(), *ann = json_object();
        for (enum knob k = 0; k < _KNOB_MAX; k++)
                if (p->final_set[k])
                        json_object_set_new(knobs, knob_table[k].file, json_string(p->final[k]));
        json_object_set_new(labels, cfg->policy.enabled_label, json_string(p->eligible ? "true" : "false"));
        json_object_set_new(ann, cfg->policy.managed_annotation, json_string(p->managed_after ? "true" : "false"));
        return json_pack("{s:i, s:b, s:b, s:b, s:b, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:o, s:o}",
                         "version", 1, "available", p->available, "matched", p->matched, "eligible", p->eligible,
                         "managed", p->managed_after, "owner", plan_owner(p), "bootId", cfg->boot_id,
                         "policy", cfg->policy_present ? cfg->policy_path : NULL,
                         "policySha256", cfg->policy_present ? cfg->policy_sha256 : NULL,
                         "selector", streq(sel ? sel : "null", "null") ? NULL : sel,
                         "knobs", knobs, "labels", labels, "annotations", ann);
}

char *output_json_text(json_t *o) {
        char *text = o ? json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
        if (!text)
                return NULL;
        char *out = NULL;
        if (asprintf(&out, "%s\n", text) < 0)
                out = NULL;
        free(text);
        return out;
}
