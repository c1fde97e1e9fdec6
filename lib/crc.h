/* crc32 (zlib's) of buffers and files, as the ESP manifest records them. */
#pragma once
#include <stddef.h>
#include <stdint.h>

uint32_t crc32_buf(const void *buf, size_t len);
/* Reads fd from its current offset to the end. */
int crc32_fd(int fd, uint32_t *ret_crc, uint64_t *ret_size);
int crc32_path(const char *path, uint32_t *ret_crc, uint64_t *ret_size);
