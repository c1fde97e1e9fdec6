/* The guest model: accessors for the effective values, the guest set and diagnostics. */
#include "guest.h"
#include "lib/log.h"
#include "lib/macro.h"
#include <stdarg.h>

const char *guest_type_word(enum guest_type t) { return t == GUEST_CT ? "CT" : "VM"; }
const char *guest_type_key(enum guest_type t) { return t == GUEST_CT ? "ct" : "vm"; }

uint32_t guest_up(const struct guest *g) {
        if (g->has_up)
                return g->up;
        return g->type == GUEST_CT ? GUEST_UP_DEFAULT_CT : GUEST_UP_DEFAULT_VM;
}

uint32_t guest_down(const struct guest *g, uint32_t timeout) { return g->has_down ? g->down : timeout; }

void guest_done(struct guest *g) {
        free(g->name);
        free(g->source);
        strv_free(&g->start);
        strv_free(&g->shutdown);
        strv_free(&g->stop);
        strv_free(&g->status);
        *g = (struct guest){};
}

struct guest *guest_set_add(struct guest_set *s) {
        if (s->n == s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 16;
                struct guest *v = realloc(s->v, cap * sizeof *v);
                if (!v)
                        return NULL;
                s->v = v;
                s->cap = cap;
        }
        struct guest *g = &s->v[s->n++];
        *g = (struct guest){};
        return g;
}

struct guest *guest_set_find(const struct guest_set *s, uint32_t id) {
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i].id == id)
                        return &s->v[i];
        return NULL;
}

void guest_set_free(struct guest_set *s) {
        for (size_t i = 0; i < s->n; i++)
                guest_done(&s->v[i]);
        free(s->v);
        *s = (struct guest_set){};
}

static void diag_vmsg(enum log_level level, const char *fmt, va_list ap) {
        _cleanup_free_ char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                return;
        log_msg(level, "%s", msg);
}

void diag_error(struct diag *d, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        diag_vmsg(LOG_LEVEL_ERROR, fmt, ap);
        va_end(ap);
        d->errors++;
}

void diag_warning(struct diag *d, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        diag_vmsg(LOG_LEVEL_WARNING, fmt, ap);
        va_end(ap);
        d->warnings++;
}

