/* Exit codes shared by every binary (DESIGN §4, spec §1.3). */
#pragma once

enum {
        EXIT_OK = 0,
        EXIT_USAGE = 1,   /* usage error: nothing read or written */
        EXIT_INVALID = 2, /* invalid configuration or input: nothing written */
        EXIT_ENV = 3,     /* environment missing (no ESP, no efivarfs, no KSM...) */
        EXIT_IO = 4,      /* a write or system call failed; previous state kept */
        EXIT_BUSY = 5,    /* lock held by another run */
        EXIT_CHILD = 6,   /* a spawned program failed */
};
