/* esp/cache.c: the volatile crc cache (crc_cache_parse; unparseable content is an empty cache). */
#include "esp/cache.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct crc_cache c = {};
        crc_cache_parse((const char *)data, size, &c);
        for (size_t i = 0; i < c.n; i++)
                FUZZ_ASSERT(c.e[i].key);
        crc_cache_free(&c);
        return 0;
}
