/* kernel-select: the run context built by main.c and the verbs it dispatches to. */
#pragma once
#include <stdbool.h>
#include "kstate.h"
#include "lib/paths.h"
#include "lib/strv.h"

struct ks_ctx {
        struct paths paths;
        /* Global options as given, passed on to the espctl child. */
        const char *root, *sysfs, *proc, *run, *efivars;
        strv esp_dirs;
        bool json, dry_run, quiet, verbose, no_refresh, no_root_check;
        unsigned wait_sec;
        /* Verb options. */
        bool next_boot, efi_default;
        strv installing, removing;
        char **args; /* positional arguments after the verb */
        int n_args;
};

int verb_list(struct ks_ctx *c);
int verb_add(struct ks_ctx *c);
int verb_remove(struct ks_ctx *c);
int verb_pin(struct ks_ctx *c);
int verb_unpin(struct ks_ctx *c);

/* Shared by the writing verbs (edit.c). */
int ks_load(struct ks_ctx *c, struct kernel_state *st); /* exit code on failure, 0 ok */
int ks_lock(struct ks_ctx *c, int *ret_fd);             /* exit code */
/* Write or delete (content NULL) a file under --root; prints the plan in --dry-run. Exit code. */
int ks_write_file(struct ks_ctx *c, const char *abs, const char *content, bool *ret_changed);
/* Run "espctl refresh" with our global options and the held lock; exit code (child 1-5 pass). */
int ks_refresh(struct ks_ctx *c, int lock_fd);
void ks_print_warnings(const struct kernel_state *st);
/* A version argument that can never be a kernel (invalid, series): error, EXIT_INVALID. */
int ks_check_version_arg(const char *v);
/* "installed kernels: ..." after a refused version. */
void ks_print_installed(const struct kernel_state *st);
