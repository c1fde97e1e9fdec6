/* Node labels (spec §5): an ordered key=value set built from four sources, each overriding the
 * previous key by key, and the Kubernetes key/value syntax rules (§4.1) shared with the selector. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "lib/strv.h"

struct labels {
        strv keys, values; /* parallel; keys unique */
};

void labels_free(struct labels *l);
const char *labels_get(const struct labels *l, const char *key); /* NULL when absent */
int labels_set(struct labels *l, const char *key, const char *value);

/* Syntax rules of §4.1. On false, *ret_why (static text) says which rule broke. */
bool label_key_valid(const char *key, const char **ret_why);
bool label_value_valid(const char *value, const char **ret_why);

/* Go's GOARCH for a uname machine (x86_64 -> amd64, ...); others unchanged. */
const char *label_goarch(const char *machine);

/* One source of labels: each parser checks syntax and keys repeated within the source, and
 * appends "SOURCE:LINE: ..." (or "SOURCE: ...") lines to errors. Return 0 or -EINVAL/-ENOMEM. */
int labels_parse_file(struct labels *into, const char *buf, size_t len, const char *display, strv *errors);
/* The comma-separated K=V list of one ksm_early.labels= parameter; seen collects the keys of the
 * whole kernel command line so a key repeated across parameters is caught too. */
int labels_parse_list(struct labels *into, const char *list, const char *display, strv *seen, strv *errors);
/* A single K=V (--label); the caller ensured the '=' is there. */
int labels_parse_one(struct labels *into, const char *kv, const char *display, strv *seen, strv *errors);
/* Apply a parsed source onto the accumulated set (later sources win). */
int labels_merge(struct labels *into, const struct labels *from);

/* The kernel command line's ksm_early.* parameters (quotes as the kernel understands them). */
struct cmdline_params {
        char *policy;  /* last ksm_early.policy=, or NULL */
        strv labels;   /* every ksm_early.labels= value, in order */
};
int cmdline_parse(const char *buf, struct cmdline_params *ret);
void cmdline_params_free(struct cmdline_params *p);
