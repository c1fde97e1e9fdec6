/* Built only while the device layer (device.c, mount.c) is absent: format and list say so. */
#include "espctl.h"
#include "lib/exitcode.h"
#include "lib/log.h"

static int missing(const char *verb) {
        log_error("%s: this espctl was built without the device layer (libblkid/libfdisk)", verb);
        return EXIT_ENV;
}
int verb_format(struct esp_ctx *c) { (void)c; return missing("format"); }
int verb_list(struct esp_ctx *c) { (void)c; return missing("list"); }
