/* See state.h. */
#include "state.h"
#include "lib/macro.h"
#include <jansson.h>

void ksm_state_free(struct ksm_state *s) {
        free(s->boot_id);
        free(s->policy_sha256);
        labels_free(&s->previous);
        *s = (struct ksm_state){};
}

int ksm_state_parse(const char *buf, size_t len, const char *boot_id, struct ksm_state *ret, const char **ret_why) {
        *ret = (struct ksm_state){};
        json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
        int r = -EINVAL;
        json_t *version = json_object_get(root, "version"), *bid = json_object_get(root, "bootId"),
               *managed = json_object_get(root, "managed"), *prev = json_object_get(root, "previous"),
               *sha = json_object_get(root, "policySha256");
        if (!json_is_object(root))
                *ret_why = "not a JSON object";
        else if (!json_is_integer(version) || json_integer_value(version) != STATE_VERSION)
                *ret_why = "unknown version";
        else if (!json_is_string(bid) || !json_is_boolean(managed) || (prev && !json_is_object(prev)) ||
                 (sha && !json_is_string(sha) && !json_is_null(sha)))
                *ret_why = "members of the wrong type";
        else if (!streq(json_string_value(bid), boot_id)) {
                *ret_why = "written in another boot";
                r = -ESTALE;
        } else {
                ret->managed = json_is_true(managed);
                ret->boot_id = strdup(boot_id);
                ret->policy_sha256 = json_is_string(sha) ? strdup(json_string_value(sha)) : NULL;
                r = ret->boot_id && (!json_is_string(sha) || ret->policy_sha256) ? 0 : -ENOMEM;
                const char *k;
                json_t *v;
                json_object_foreach(prev, k, v) {
                        if (r < 0)
                                break;
                        if (!json_is_string(v)) {
                                *ret_why = "members of the wrong type";
                                r = -EINVAL;
                        } else
                                r = labels_set(&ret->previous, k, json_string_value(v));
                }
        }
        json_decref(root);
        if (r < 0)
                ksm_state_free(ret);
        return r;
}

int ksm_state_render(const struct ksm_state *s, char **ret, size_t *ret_len) {
        json_t *prev = json_object();
        for (size_t i = 0; prev && i < s->previous.keys.n; i++)
                json_object_set_new(prev, s->previous.keys.v[i], json_string(s->previous.values.v[i]));
        json_t *root = json_pack("{s:s?, s:b, s:s?, s:o, s:i}", "bootId", s->boot_id, "managed", s->managed,
                                 "policySha256", s->policy_sha256, "previous", prev, "version", STATE_VERSION);
        if (!root)
                return -ENOMEM;
        char *text = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2));
        json_decref(root);
        if (!text)
                return -ENOMEM;
        size_t n = strlen(text);
        char *out = realloc(text, n + 2);
        if (!out) {
                free(text);
                return -ENOMEM;
        }
        out[n] = '\n';
        out[n + 1] = 0;
        *ret = out;
        *ret_len = n + 1;
        return 0;
}

int ksm_state_copy(const struct ksm_state *from, struct ksm_state *to) {
        *to = (struct ksm_state){ .managed = from->managed };
        if ((from->boot_id && !(to->boot_id = strdup(from->boot_id))) ||
            (from->policy_sha256 && !(to->policy_sha256 = strdup(from->policy_sha256))) ||
            labels_merge(&to->previous, &from->previous) < 0) {
                ksm_state_free(to);
                return -ENOMEM;
        }
        return 0;
}
