/* Reading whole small files (configuration, sysfs knobs) with a size cap. */
#pragma once
#include <stddef.h>

/* Reads path into a NUL-terminated malloc'd buffer. -EFBIG when larger than max bytes,
 * -ENOENT when absent, other -errno on failure. ret_len may be NULL. */
int read_file_max(const char *path, size_t max, char **ret, size_t *ret_len);
int read_fd_max(int fd, size_t max, char **ret, size_t *ret_len);
/* First line of a file, trimmed of blanks; "" for an empty file. */
int read_first_line(const char *path, size_t max, char **ret);
