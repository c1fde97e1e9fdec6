/* Shared helpers of the boot unit tests: golden files under tests/unit/boot/golden/. Set
 * UPDATE_EXPECTED=1 to rewrite the files our renderers own (never the grub-editenv ones). */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/atomic.h"

static inline char *golden_path(const char *name) {
        char *p;
        if (asprintf(&p, "%s/%s", GOLDEN_DIR, name) < 0)
                abort();
        return p;
}

static inline char *golden_read(const char *name, size_t *ret_len) {
        _cleanup_free_ char *p = golden_path(name);
        char *buf = NULL;
        int r = read_file_max(p, 1 << 20, &buf, ret_len);
        if (r < 0)
                fail_msg("cannot read golden file %s: %s", p, strerror(-r));
        return buf;
}

/* Compare rendered bytes with a golden file. */
static inline void golden_compare(const char *name, const char *buf, size_t len) {
        const char *upd = getenv("UPDATE_EXPECTED");
        if (upd && streq(upd, "1")) {
                _cleanup_free_ char *p = golden_path(name);
                assert_true(atomic_write(p, buf, len, 0644) >= 0);
        }
        size_t glen;
        _cleanup_free_ char *g = golden_read(name, &glen);
        if (glen != len || memcmp(g, buf, len) != 0)
                fail_msg("%s differs from the rendered text:\n--- golden\n%s\n--- rendered\n%.*s", name, g, (int)len, buf);
}
