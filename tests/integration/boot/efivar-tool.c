/* Test helper: write, delete or read an EFI variable of the loader interface through
 * lib/efivarfs, so integration tests can compare our bytes with libefivar's efivar CLI.
 *   efivar-tool DIR write NAME VALUE | DIR delete NAME | DIR read NAME
 * Exit 0 ok, 1 usage, 2 failure (message on stderr); write prints "written" or "unchanged". */
#include "lib/efivarfs.h"
#include "lib/macro.h"
#include <stdio.h>

int main(int argc, char **argv) {
        if (argc < 4)
                return 1;
        const char *dir = argv[1], *verb = argv[2], *name = argv[3];
        int r;
        if (streq(verb, "write") && argc == 5) {
                r = efivar_write_string(dir, EFI_GUID_LOADER, name, argv[4]);
                if (r >= 0)
                        puts(r ? "written" : "unchanged");
        } else if (streq(verb, "delete") && argc == 4) {
                r = efivar_delete(dir, EFI_GUID_LOADER, name);
                if (r >= 0)
                        puts(r ? "deleted" : "absent");
        } else if (streq(verb, "read") && argc == 4) {
                _cleanup_free_ char *s = NULL;
                r = efivar_read_string(dir, EFI_GUID_LOADER, name, &s);
                if (r >= 0)
                        puts(s);
        } else
                return 1;
        if (r < 0) {
                fprintf(stderr, "efivar-tool: %s %s: %s\n", verb, name, strerror(-r));
                return 2;
        }
        return 0;
}
