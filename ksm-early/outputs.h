/* Files ksm-early publishes (spec §9) and a small transaction over them: every file written in
 * a run remembers its old bytes so a later failure can put the tree back as it was (§8.4). */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "config.h"
#include "engine.h"

#define OUT_NODE_LABELS "node-labels"
#define OUT_NODE_ANNOTATIONS "node-annotations"
#define OUT_KUBELET_ENV "kubelet.env"
#define OUT_STATUS_JSON "status.json"
#define OUT_NFD_FILE "ksm-early"

struct file_txn_entry {
        int dirfd;
        char *name;
        char *old;      /* NULL: the file did not exist */
        size_t old_len;
};

struct file_txn {
        struct file_txn_entry *e;
        size_t n;
};

/* atomic_write_at() that first saves the old bytes; returns 1 written, 0 unchanged, -errno. */
int file_txn_write(struct file_txn *t, int dirfd, const char *name, const char *buf, size_t len, mode_t mode);
/* Restores every written file in reverse order; failures become "rollback failed" warnings. */
void file_txn_rollback(struct file_txn *t, struct report *rep);
void file_txn_free(struct file_txn *t);

/* The text of each output file (malloc'd). */
char *output_node_labels(const struct policy *pol, bool eligible);
char *output_node_annotations(const struct policy *pol, bool managed);
char *output_kubelet_env(const struct policy *pol, bool eligible);
char *output_nfd(const struct policy *pol, bool eligible, bool managed);

/* The decision object of §9.1 (status.json; apply --json adds actions, warnings and error). */
json_t *output_status_json(const struct ksm_config *cfg, const struct plan *p);
/* status.json's bytes: sorted keys, 2-space indent, final newline. */
char *output_json_text(json_t *o);
