/* The policy file (spec §4): strict JSON parsed with jansson (JSON_REJECT_DUPLICATES), every
 * member checked for type, range and the combinations §4 excludes before anything is written.
 * A buffer in, a struct out; errors are collected (all of them) as ready-to-print lines. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "knobs.h"
#include "selector.h"
#include "lib/strv.h"

#define POLICY_API_VERSION "ksm-early/v1alpha1"
#define POLICY_MAX_SIZE (64 * 1024)
#define DEFAULT_ENABLED_LABEL "kubevirt.io/ksm-enabled"
#define DEFAULT_MANAGED_ANNOTATION "kubevirt.io/ksm-handler-managed"

enum activation { ACTIVATION_ALWAYS, ACTIVATION_ON_PRESSURE };
enum disable_action { DISABLE_STOP, DISABLE_UNMERGE };

/* loop (§12), defaults as KubeVirt's virt-handler. */
struct loop_params {
        int64_t pages_boost, pages_decay, pages_min, pages_max, pages_init, sleep_ms_baseline;
        double free_percent;
        int64_t interval_seconds;
};

struct policy {
        struct selector selector;   /* is_null unless ksmConfiguration.nodeLabelSelector is an object */
        enum activation activation;
        enum disable_action disable_action;
        bool allow_unmerge_for_reconfigure;
        bool tuning_set[_KNOB_TUNING_MAX];
        char tuning[_KNOB_TUNING_MAX][24]; /* the text to write ("1"/"0" for booleans) */
        bool has_loop;
        struct loop_params loop;
        char *enabled_label, *managed_annotation;
        bool require_ksm, strict_knobs;
};

/* A policy equivalent to "ksmConfiguration: null" (E2: no policy file at the default path). */
int policy_init_default(struct policy *p);
void policy_free(struct policy *p);

/* Parses and validates buf. On -EINVAL every problem was appended to errors as
 * "DISPLAY:LINE:COL: text" or "DISPLAY: .member.path: text", and *ret_code is the E-code of the
 * first ("E4", "E5" or "E6"). */
int policy_parse(const char *buf, size_t len, const char *display, struct policy *ret, strv *errors,
                 const char **ret_code);
