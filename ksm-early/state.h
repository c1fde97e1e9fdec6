/* The boot-scoped state file (spec §6), <run-dir>/state.json: whether ksm-early owns the running
 * KSM ("managed") and each knob's value before ksm-early first wrote it this boot ("previous").
 * It stands in for KubeVirt's kubevirt.io/ksm-handler-managed node annotation. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "labels.h"

#define STATE_FILE "state.json"
#define STATE_VERSION 1

struct ksm_state {
        bool managed;
        char *boot_id;
        char *policy_sha256;      /* NULL: no policy file */
        struct labels previous;   /* knob file -> value (an ordered string map) */
};

void ksm_state_free(struct ksm_state *s);
/* Parses buf. -EINVAL (bad JSON, wrong shape, unknown version) or -ESTALE (another boot id) with
 * *ret_why set to a static text; the caller then starts from an empty, unmanaged state (E16). */
int ksm_state_parse(const char *buf, size_t len, const char *boot_id, struct ksm_state *ret, const char **ret_why);
/* Sorted keys, 2-space indent, final newline: the same state always gives the same bytes. */
int ksm_state_render(const struct ksm_state *s, char **ret, size_t *ret_len);
int ksm_state_copy(const struct ksm_state *from, struct ksm_state *to);
