/* EFI variables through an efivarfs directory (spec §4.6). A variable is the file
 * "<dir>/<Name>-<guid>" holding a 4-byte little-endian attribute word followed by the data. The
 * directory is always a parameter (callers pass paths->efivars), so tests use a directory of
 * regular files; libefivar is not linked, its efivar CLI is only the test oracle.
 *
 * All functions return >= 0 on success and -errno on failure; they never print. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "strv.h"

/* GUIDs, lower case as efivarfs names them. */
#define EFI_GUID_LOADER "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f" /* Boot Loader Interface */
#define EFI_GUID_GLOBAL "8be4df61-93ca-11d2-aa0d-00e098032b8c" /* EFI global variables */

/* Attribute bits. Anything outside EFI_VARIABLE_ATTR_MASK makes a variable malformed. */
#define EFI_VARIABLE_NON_VOLATILE                          0x01u
#define EFI_VARIABLE_BOOTSERVICE_ACCESS                    0x02u
#define EFI_VARIABLE_RUNTIME_ACCESS                        0x04u
#define EFI_VARIABLE_HARDWARE_ERROR_RECORD                 0x08u
#define EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS            0x10u
#define EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS 0x20u
#define EFI_VARIABLE_APPEND_WRITE                          0x40u
#define EFI_VARIABLE_ATTR_MASK                             0x7fu
/* What we always write: non-volatile, boot service and runtime access. */
#define EFI_VARIABLE_ATTR_DEFAULT 0x07u

/* Largest variable file we read (efivarfs variables are small; Boot#### a few hundred bytes). */
#define EFIVAR_MAX_SIZE (64u * 1024u)

/* Variable names of the Boot Loader Interface and the EFI global ones we use. */
#define EFIVAR_LOADER_INFO            "LoaderInfo"
#define EFIVAR_LOADER_FEATURES        "LoaderFeatures"
#define EFIVAR_LOADER_ENTRIES         "LoaderEntries"
#define EFIVAR_LOADER_ENTRY_SELECTED  "LoaderEntrySelected"
#define EFIVAR_LOADER_ENTRY_DEFAULT   "LoaderEntryDefault"
#define EFIVAR_LOADER_ENTRY_ONESHOT   "LoaderEntryOneShot"
#define EFIVAR_LOADER_BOOT_COUNT_PATH "LoaderBootCountPath"
#define EFIVAR_LOADER_DEVICE_PART_UUID "LoaderDevicePartUUID"
#define EFIVAR_SECURE_BOOT            "SecureBoot"
#define EFIVAR_SETUP_MODE             "SetupMode"
#define EFIVAR_BOOT_CURRENT           "BootCurrent"
#define EFIVAR_BOOT_ORDER             "BootOrder"

/* LoaderFeatures bits (systemd's names, spec §4.7). */
#define EFI_LOADER_FEATURE_ENTRY_ONESHOT (UINT64_C(1) << 3)
#define EFI_LOADER_FEATURE_BOOT_COUNTING (UINT64_C(1) << 4)

/* Malloc'd file name "<name>-<guid>" or NULL on ENOMEM. */
char *efivar_file_name(const char *guid, const char *name);

/* Parse the content of a variable file: attribute word and data. *ret_data points INTO buf
 * (not copied). -EBADMSG when len < 4 or attribute bits lie outside 0x7f. Any ret may be NULL. */
int efivar_parse(const void *buf, size_t len, uint32_t *ret_attr, const void **ret_data, size_t *ret_len);

/* Read a variable. *ret_data is malloc'd (NUL-terminated beyond len for convenience). Returns 0,
 * -ENOENT when absent (also when dir does not exist), -EBADMSG when malformed (see efivar_parse),
 * -EFBIG above EFIVAR_MAX_SIZE, other -errno from open/read (EINTR retried). Any ret may be NULL. */
int efivar_read(const char *dir, const char *guid, const char *name, uint32_t *ret_attr,
                void **ret_data, size_t *ret_len);

/* Write a variable. When the file already holds exactly attr and data this returns 0 and makes no
 * write-side system call at all (no open for writing, no ioctl). Otherwise FS_IMMUTABLE_FL is
 * cleared around the write (ENOTTY/EOPNOTSUPP/EINVAL from the flag ioctls ignored), a file with
 * other attributes is unlinked and created anew (O_CREAT|O_EXCL, 0644), and attributes and data go
 * out in ONE write() through lib/fsops (a fault point); the flags are restored. Returns 1 when
 * written, -errno on failure (see efivar_error_is_not_writable). attr is normally
 * EFI_VARIABLE_ATTR_DEFAULT; bits outside 0x7f give -EINVAL. */
int efivar_write(const char *dir, const char *guid, const char *name, uint32_t attr,
                 const void *data, size_t len);

/* Delete a variable: clear FS_IMMUTABLE_FL, unlink (a fault point). Returns 1 deleted, 0 absent,
 * -errno on failure. */
int efivar_delete(const char *dir, const char *guid, const char *name);

/* True for the errors that mean "variables cannot be written here" (EROFS, EPERM, EACCES, EIO,
 * ENOSPC, EINVAL): callers fall back to the pin file (spec §8). r is a negative errno. */
bool efivar_error_is_not_writable(int r);

/* ---- typed values: decoders take the DATA part (after the attribute word) ---- */

/* One UTF-16LE string (missing NUL accepted, see lib/utf16.h). -EBADMSG for an odd length. */
int efivar_data_to_string(const void *data, size_t len, char **ret);
/* LoaderEntries: consecutive NUL-terminated UTF-16LE strings, appended to *ret (which the caller
 * initialised, e.g. `strv s = {}`). A last string without NUL is accepted; an empty buffer gives
 * no entries. -EBADMSG for an odd length. */
int efivar_data_to_strv(const void *data, size_t len, strv *ret);
/* Exactly 2, 8, 1 bytes little-endian, else -EBADMSG. */
int efivar_data_to_u16(const void *data, size_t len, uint16_t *ret);
int efivar_data_to_u64(const void *data, size_t len, uint64_t *ret);
int efivar_data_to_u8(const void *data, size_t len, uint8_t *ret);

/* Read-and-decode wrappers: efivar_read() errors plus the decoder's -EBADMSG. */
int efivar_read_string(const char *dir, const char *guid, const char *name, char **ret);
int efivar_read_strv(const char *dir, const char *guid, const char *name, strv *ret);
int efivar_read_u16(const char *dir, const char *guid, const char *name, uint16_t *ret);
int efivar_read_u64(const char *dir, const char *guid, const char *name, uint64_t *ret);
int efivar_read_u8(const char *dir, const char *guid, const char *name, uint8_t *ret);

/* Write UTF-8 value as a UTF-16LE string with NUL, attributes 0x7 (efivar_write semantics:
 * 1 written, 0 unchanged; -EINVAL for invalid UTF-8). */
int efivar_write_string(const char *dir, const char *guid, const char *name, const char *value);

/* ---- Boot#### load options (EFI_LOAD_OPTION) ---- */

struct efi_load_option {
        uint32_t attributes;
        char *description;  /* UTF-8 */
        char *file_path;    /* first File node (4/4), as stored, e.g. "\EFI\BOOT\BOOTX64.EFI"; or NULL */
        char *part_guid;    /* first Hard-Drive node (4/1, length 42) with GPT signature type 2:
                             * lower-case "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"; or NULL */
        uint32_t part_number; /* of that Hard-Drive node; 0 when none */
};

/* Parse a load option from the DATA part of a Boot#### variable: uint32 attributes, uint16
 * device-path length, UTF-16 description (NUL-terminated), device path nodes (type, subtype,
 * uint16 length). The walk stops at End (0x7f/0xff), a node length < 4, or the end of the path
 * or buffer; a truncated path is not an error (the fields found so far are returned).
 * -EBADMSG when the fixed header (6 bytes) or the description is truncated or odd. */
int efi_load_option_parse(const void *data, size_t len, struct efi_load_option *ret);
void efi_load_option_free(struct efi_load_option *o);

/* "Boot%04X" into buf (at least 9 bytes). */
void efi_boot_option_name(uint16_t number, char buf[static 9]);
