/* SHA-256 of a buffer, for the policy fingerprint (policySha256) in the state file and
 * status.json. None of the chosen libraries (jansson, zlib) offers it, and pulling in a crypto
 * library for one hash of a 64 KiB file would cost more than these 100 lines. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 64

void sha256(const void *buf, size_t len, uint8_t out[32]);
/* Lowercase hex of the digest into out (65 bytes with the NUL). */
void sha256_hex(const void *buf, size_t len, char out[SHA256_HEX_LEN + 1]);
