/* Kubernetes LabelSelector semantics (spec §4.1): requirements, matching against node labels,
 * and the canonical string apimachinery prints. Built by policy.c, which validates the syntax. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "labels.h"
#include "lib/strv.h"

enum selector_op { SEL_EQUALS, SEL_IN, SEL_NOT_IN, SEL_EXISTS, SEL_DOES_NOT_EXIST };

struct selector_req {
        char *key;
        enum selector_op op;
        strv values; /* sorted, unique; SEL_EQUALS has exactly one */
};

struct selector {
        bool is_null;           /* no node: ksmConfiguration or nodeLabelSelector absent/null */
        struct selector_req *reqs;
        size_t n;
};

void selector_free(struct selector *s);
/* Adds a requirement; takes a copy of key and of the values (deduplicated and sorted). */
int selector_add(struct selector *s, const char *key, enum selector_op op, const strv *values);
/* Returns -EINVAL for an unknown operator name (case-sensitive). */
int selector_op_from_string(const char *name, enum selector_op *ret);
bool selector_matches(const struct selector *s, const struct labels *l);
bool selector_mentions(const struct selector *s, const char *key);
/* Malloc'd canonical text: "" for match-all, "null" for a null selector. */
char *selector_canonical(const struct selector *s);
