/* Which guests a verb acts on and in what order (spec §6.1). */
#pragma once
#include "guest.h"

enum plan_verb { PLAN_START, PLAN_STOP, PLAN_LIST };

/* "--vms" list: ids separated by ',', ';' or blanks. -EINVAL with the bad token in *bad. */
int vms_parse(const char *list, uint32_t **ret, size_t *ret_n, char **bad);

/* Selected guests, sorted: start order (ascending order, ids ascending, unordered last) or stop
 * order (the exact reverse). An id of vms not defined gives -ENOENT and *ret_unknown. */
int plan_select(struct guest_set *s, enum plan_verb verb, bool force, const uint32_t *vms, size_t n_vms,
                struct guest ***ret, size_t *ret_n, uint32_t *ret_unknown);
bool plan_same_group(const struct guest *a, const struct guest *b);
