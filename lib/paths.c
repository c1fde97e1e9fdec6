/* Placement of system paths under --root and the per-base overrides. */
#include "paths.h"
#include "macro.h"
#include <libgen.h>
#include <stdio.h>

char *path_join(const char *dir, const char *name) {
        char *r;
        size_t n = strlen(dir);
        while (*name == '/')
                name++;
        if (n > 0 && dir[n - 1] == '/')
                n--;
        if (asprintf(&r, "%.*s/%s", (int)n, dir, name) < 0)
                return NULL;
        return r;
}

static char *root_prefixed(const char *root, const char *abs) {
        if (streq(root, "/"))
                return strdup(abs);
        return path_join(root, abs);
}

int paths_init(struct paths *p, const char *root, const char *sysfs, const char *proc,
               const char *run, const char *efivars) {
        *p = (struct paths){};
        if (!root || !*root)
                root = "/";
        size_t n = strlen(root);
        while (n > 1 && root[n - 1] == '/')
                n--;
        p->root = strndup(root, n);
        p->sysfs = sysfs ? strdup(sysfs) : root_prefixed(p->root, PATH_SYSFS_DEFAULT);
        p->proc = proc ? strdup(proc) : root_prefixed(p->root, PATH_PROC_DEFAULT);
        p->run = run ? strdup(run) : root_prefixed(p->root, PATH_RUN_DEFAULT);
        p->efivars = efivars ? strdup(efivars) : (p->sysfs ? path_join(p->sysfs, SYSFS_EFIVARS_DIR) : NULL);
        if (!p->root || !p->sysfs || !p->proc || !p->run || !p->efivars) {
                paths_free(p);
                return -ENOMEM;
        }
        return 0;
}

void paths_free(struct paths *p) {
        free(p->root);
        free(p->sysfs);
        free(p->proc);
        free(p->run);
        free(p->efivars);
        *p = (struct paths){};
}

char *paths_root(const struct paths *p, const char *abs) { return root_prefixed(p->root, abs); }
char *paths_sysfs(const struct paths *p, const char *rel) { return path_join(p->sysfs, rel); }
char *paths_proc(const struct paths *p, const char *rel) { return path_join(p->proc, rel); }
char *paths_run(const struct paths *p, const char *rel) { return path_join(p->run, rel); }
bool paths_root_is_real(const struct paths *p) { return streq(p->root, "/"); }

char *path_beside_self(const char *const *rels) {
        char self[4096];
        ssize_t n = readlink(PATH_SELF_EXE, self, sizeof self - 1);
        if (n <= 0)
                return NULL;
        self[n] = 0;
        const char *dir = dirname(self);
        for (; *rels; rels++) {
                char *p = path_join(dir, *rels);
                if (p && access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}
