/* list: the resolved plan (selection, order, effective delays and limits, argv), as a table or
 * one JSON document. */
#include "plan.h"
#include "startall.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"
#include <jansson.h>

static json_t *argv_json(const strv *a) {
        if (a->n == 0)
                return json_null();
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < a->n; i++)
                json_array_append_new(arr, json_string(a->v[i]));
        return arr;
}

/* Whether startall (without --force) would start it. */
static bool starts_at_boot(const struct guest *g) { return g->onboot && !g->is_template && !g->ha; }

static int list_json(const struct ctx *c, struct guest **sel, size_t n) {
        json_t *arr = json_array();
        if (!arr)
                return EXIT_IO;
        for (size_t i = 0; i < n; i++) {
                const struct guest *g = sel[i];
                json_t *o = json_object();
                json_object_set_new(o, "id", json_integer(g->id));
                json_object_set_new(o, "name", json_string(g->name));
                json_object_set_new(o, "type", json_string(guest_type_key(g->type)));
                json_object_set_new(o, "source", json_string(g->compat ? "pve" : "native"));
                json_object_set_new(o, "file", json_string(g->source));
                json_object_set_new(o, "onboot", json_boolean(g->onboot));
                json_object_set_new(o, "startall", json_boolean(starts_at_boot(g)));
                json_object_set_new(o, "template", json_boolean(g->is_template));
                json_object_set_new(o, "ha", json_boolean(g->ha));
                json_object_set_new(o, "order", g->has_order ? json_integer(g->order) : json_null());
                json_object_set_new(o, "up", json_integer(guest_up(g)));
                json_object_set_new(o, "down", json_integer(guest_down(g, c->timeout)));
                json_object_set_new(o, "start-timeout", json_integer(g->start_timeout));
                json_object_set_new(o, "stop-timeout", json_integer(g->stop_timeout));
                json_object_set_new(o, "ksm", g->ksm_merge ? json_string("merge") : json_null());
                json_object_set_new(o, "start", argv_json(&g->start));
                json_object_set_new(o, "shutdown", argv_json(&g->shutdown));
                json_object_set_new(o, "stop", argv_json(&g->stop));
                json_object_set_new(o, "status", argv_json(&g->status));
                json_array_append_new(arr, o);
        }
        json_t *doc = json_pack("{s:o}", "guests", arr);
        char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        json_decref(doc);
        if (!text)
                return EXIT_IO;
        puts(text);
        free(text);
        return EXIT_OK;
}

static void list_table(const struct ctx *c, struct guest **sel, size_t n) {
        printf("%-9s %-4s %-20s %-8s %-10s %5s %5s  %s\n", "ID", "TYPE", "NAME", "STARTALL", "ORDER", "UP", "DOWN",
               "START");
        for (size_t i = 0; i < n; i++) {
                const struct guest *g = sel[i];
                char order[16] = "-";
                if (g->has_order)
                        snprintf(order, sizeof order, "%u", g->order);
                const char *why = g->is_template ? "template" : g->ha ? "ha" : g->onboot ? "yes" : "no";
                printf("%-9u %-4s %-20s %-8s %-10s %5u %5u  %s", g->id, guest_type_word(g->type), g->name, why, order,
                       guest_up(g), guest_down(g, c->timeout), g->ksm_merge ? "[ksm-early exec --merge --] " : "");
                for (size_t k = 0; k < g->start.n; k++)
                        printf("%s%s", k ? " " : "", g->start.v[k]);
                putchar('\n');
        }
}

int verb_list(struct ctx *c) {
        struct guest_set set = {};
        struct nodeconf node;
        _cleanup_free_ struct guest **sel = NULL;
        size_t n = 0;
        int exit = verb_prepare(c, PLAN_LIST, &set, &node, &sel, &n);
        if (exit == 0) {
                if (c->json)
                        exit = list_json(c, sel, n);
                else
                        list_table(c, sel, n);
        }
        guest_set_free(&set);
        return exit;
}
