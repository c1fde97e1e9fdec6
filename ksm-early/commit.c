/* See commit.h. */
#include "commit.h"
#include "outputs.h"
#include "lib/exitcode.h"
#include "lib/fsops.h"
#include "lib/log.h"
#include "lib/macro.h"
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>

int commit_open_dirs(struct ksm_commit *k, int (*before_create)(void *userdata), void *userdata) {
        const struct ksm_config *cfg = k->cfg;
        if (cfg->nfd_dir) {
                k->nfd_fd = open(cfg->nfd_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (k->nfd_fd < 0 || faccessat(k->nfd_fd, ".", W_OK, AT_EACCESS) < 0) {
                        report_error(k->rep, "E17", EXIT_BUSY, "NFD directory not writable: %s: %s", cfg->nfd_dir,
                                     strerror(errno));
                        return -1;
                }
        }
        k->run_fd = open(cfg->run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (k->run_fd < 0 && errno == ENOENT) {
                if (before_create && before_create(userdata) < 0)
                        return -1;
                _cleanup_free_ char *d = strdup(cfg->run_dir), *b = strdup(cfg->run_dir);
                _cleanup_close_ int pfd = d && b ? open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
                int r = pfd < 0 ? negerrno() : fs_mkdirat(pfd, basename(b), 0755);
                if (r >= 0) {
                        k->run_dir_created = true;
                        (void)fchmodat(pfd, basename(b), 0755, 0); /* whatever the umask */
                        r = fs_fsync(pfd);
                }
                if (r < 0 && r != -EEXIST) {
                        report_error(k->rep, "E17", EXIT_BUSY, "cannot create run directory: %s: %s", cfg->run_dir,
                                     strerror(-r));
                        goto fail;
                }
                k->run_fd = open(cfg->run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
        if (k->run_fd < 0) {
                report_error(k->rep, "E17", EXIT_BUSY, "run directory not usable: %s: %s", cfg->run_dir, strerror(errno));
                goto fail;
        }
        if (faccessat(k->run_fd, ".", W_OK, AT_EACCESS) < 0) {
                report_error(k->rep, "E17", EXIT_BUSY, "run directory not writable: %s: %s", cfg->run_dir, strerror(errno));
                goto fail;
        }
        int r = run_dir_lock(k->run_fd);
        if (r < 0) {
                report_error(k->rep, "E17", EXIT_BUSY, "cannot lock run directory: %s: %s", cfg->run_dir,
                             r == -EBUSY ? "held by another run" : strerror(-r));
                goto fail;
        }
        return 0;
fail:
        commit_remove_created_run_dir(k); /* a refusal leaves no new directory behind */
        return -1;
}

void commit_remove_created_run_dir(struct ksm_commit *k) {
        if (!k->run_dir_created)
                return;
        const char *dir = k->cfg->run_dir;
        _cleanup_free_ char *d = strdup(dir), *b = strdup(dir);
        _cleanup_close_ int pfd = d && b ? open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (pfd < 0 || fs_unlinkat(pfd, basename(b), AT_REMOVEDIR) < 0 || fs_fsync(pfd) < 0)
                report_warning(k->rep, "rollback failed: %s: could not remove the directory", dir);
        k->run_dir_created = false;
}

/* §8.4: knobs in reverse order, files back to their old bytes, a directory we made removed. */
static void rollback(struct ksm_commit *k) {
        plan_rollback_knobs(k->sys, k->plan, k->knobs_done, k->rep);
        file_txn_rollback(&k->txn, k->rep);
        commit_remove_created_run_dir(k);
}

/* One file through the transaction; text is consumed. */
static int write_file(struct ksm_commit *k, int dirfd, const char *dir, const char *name, char *text) {
        _cleanup_free_ char *owned = text;
        int r = owned ? file_txn_write(&k->txn, dirfd, name, owned, strlen(owned), 0644) : -ENOMEM;
        if (r < 0)
                report_error(k->rep, "E17", EXIT_BUSY, "cannot write output: %s/%s: %s", dir, name, strerror(-r));
        return r;
}

static char *state_text(const struct ksm_state *s) {
        char *text = NULL;
        size_t len;
        return ksm_state_render(s, &text, &len) < 0 ? NULL : text;
}

/* §9 outputs, then the final state. */
static int publish(struct ksm_commit *k) {
        const struct ksm_config *cfg = k->cfg;
        const struct policy *pol = &cfg->policy;
        const struct plan *p = k->plan;
        json_t *status = output_status_json(cfg, p);
        struct { int fd; const char *dir, *name; char *text; } files[] = {
                { k->run_fd, cfg->run_dir, OUT_NODE_LABELS, output_node_labels(pol, p->eligible) },
                { k->run_fd, cfg->run_dir, OUT_NODE_ANNOTATIONS, output_node_annotations(pol, p->managed_after) },
                { k->run_fd, cfg->run_dir, OUT_KUBELET_ENV, output_kubelet_env(pol, p->eligible) },
                { k->nfd_fd, cfg->nfd_dir, OUT_NFD_FILE, k->nfd_fd < 0 ? NULL : output_nfd(pol, p->eligible, p->managed_after) },
                { k->run_fd, cfg->run_dir, OUT_STATUS_JSON, output_json_text(status) },
                { k->run_fd, cfg->run_dir, STATE_FILE, state_text(&p->state) },
        };
        json_decref(status);
        int r = 0;
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (r >= 0 && files[i].fd >= 0)
                        r = write_file(k, files[i].fd, files[i].dir, files[i].name, TAKE_PTR(files[i].text));
                else
                        free(files[i].text);
        return r < 0 ? -1 : 0;
}

int commit_write(struct ksm_commit *k) {
        struct plan *p = k->plan;
        if (p->persist_first && p->n_actions > 0) {
                /* Never under-claim (§6): while writes are pending, the state says managed if
                 * either the old or the new decision does. */
                bool after = p->state.managed;
                p->state.managed = p->managed_before || after;
                int r = write_file(k, k->run_fd, k->cfg->run_dir, STATE_FILE, state_text(&p->state));
                p->state.managed = after;
                if (r < 0) {
                        rollback(k);
                        return -1;
                }
        }
        int r = plan_write_knobs(k->sys, p, &k->knobs_done, k->rep);
        if (r == -1) {
                rollback(k);
                return -1;
        }
        for (size_t i = 0; i < k->knobs_done; i++)
                log_info("%s: %s -> %s", knob_table[p->actions[i].knob].file, p->actions[i].from, p->actions[i].to);
        /* E14 still publishes: the kernel stopped KSM, so "not managed" is the truth now. */
        if (publish(k) < 0) {
                rollback(k);
                return -1;
        }
        return r;
}

void commit_free(struct ksm_commit *k) {
        file_txn_free(&k->txn);
        if (k->run_fd >= 0)
                close(k->run_fd); /* releases the lock */
        if (k->nfd_fd >= 0)
                close(k->nfd_fd);
        k->run_fd = k->nfd_fd = -1;
}

void commit_print_dry_run(const struct ksm_config *cfg, const struct plan *p, const char *extra) {
        for (size_t i = 0; i < p->n_actions; i++)
                printf("write %s: %s -> %s\n", knob_table[p->actions[i].knob].file, p->actions[i].from, p->actions[i].to);
        if (p->n_actions == 0)
                printf("no kernel writes\n");
        if (extra)
                printf("%s\n", extra);
        printf("label %s=%s\n", cfg->policy.enabled_label, p->eligible ? "true" : "false");
        printf("annotation %s=%s\n", cfg->policy.managed_annotation, p->managed_after ? "true" : "false");
}

json_t *commit_result_json(const struct ksm_config *cfg, const struct plan *p, bool show, size_t n_actions,
                           const struct report *rep, bool dry_run) {
        json_t *o = show ? output_status_json(cfg, p) : json_pack("{s:i}", "version", 1);
        json_t *actions = json_array(), *warnings = json_array();
        for (size_t i = 0; show && i < n_actions; i++)
                json_array_append_new(actions, json_pack("{s:s, s:s, s:s}", "file", knob_table[p->actions[i].knob].file,
                                                         "from", p->actions[i].from, "to", p->actions[i].to));
        for (size_t i = 0; i < rep->warnings.n; i++)
                json_array_append_new(warnings, json_string(rep->warnings.v[i]));
        json_object_set_new(o, "actions", actions);
        json_object_set_new(o, "warnings", warnings);
        json_object_set_new(o, "error", !rep->code ? json_null() :
                            json_pack("{s:s, s:i, s:s}", "code", rep->code, "exit", rep->exit, "message",
                                      rep->errors.n ? rep->errors.v[0] : ""));
        if (dry_run)
                json_object_set_new(o, "dryRun", json_true());
        return o;
}
