/* See cmdline.h. */
#include "cmdline.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/parse.h"

#define CMDLINE_MAX 4095

int cmdline_from_file(const char *buf, size_t len, char **ret) {
        size_t n = 0;
        while (n < len && buf[n] != '\n')
                n++;
        _cleanup_free_ char *line = strndup(buf, n);
        if (!line)
                return -ENOMEM;
        char *t = str_trim(line);
        if (strlen(t) > CMDLINE_MAX || str_has_ctrl(t) || memchr(buf, 0, n))
                return -EINVAL;
        *ret = strdup(t);
        return *ret ? 0 : -ENOMEM;
}

/* Does token start with "key=" (or equal "key")? */
static bool token_keyed(const char *tok, size_t len, const char *key) {
        size_t k = strlen(key);
        return len >= k && strncmp(tok, key, k) == 0 && (len == k || tok[k] == '=');
}

int cmdline_from_proc(const char *buf, size_t len, char **ret) {
        char *out = malloc(len + 1);
        if (!out)
                return -ENOMEM;
        size_t o = 0, i = 0;
        while (i < len) {
                while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == 0))
                        i++;
                size_t start = i;
                bool quoted = false;
                while (i < len && buf[i] != 0 && (quoted || !(buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n'))) {
                        if (buf[i] == '"')
                                quoted = !quoted;
                        i++;
                }
                size_t l = i - start;
                if (l == 0 || token_keyed(buf + start, l, "BOOT_IMAGE") || token_keyed(buf + start, l, "initrd"))
                        continue;
                if (o)
                        out[o++] = ' ';
                memcpy(out + o, buf + start, l);
                o += l;
        }
        out[o] = 0;
        *ret = out;
        return 0;
}

bool cmdline_has_root(const char *c) {
        for (const char *p = c; (p = strstr(p, "root=")); p++)
                if (p == c || p[-1] == ' ')
                        return true;
        return false;
}

int cmdline_load(const struct paths *p, bool no_root_check, struct cmdline_result *ret) {
        *ret = (struct cmdline_result){};
        _cleanup_free_ char *buf = NULL;
        size_t len;
        ret->source = paths_root(p, PATH_KERNEL_CMDLINE);
        if (!ret->source)
                return -ENOMEM;
        int r = read_file_max(ret->source, 64 * 1024, &buf, &len);
        if (r >= 0) {
                r = cmdline_from_file(buf, len, &ret->cmdline);
                if (r < 0)
                        return r;
        } else if (r != -ENOENT)
                return r;
        if (!ret->cmdline || !*ret->cmdline) {
                free(ret->cmdline);
                free(ret->source);
                free(buf);
                buf = NULL;
                ret->cmdline = NULL;
                ret->source = paths_proc(p, PROC_CMDLINE);
                if (!ret->source)
                        return -ENOMEM;
                r = read_file_max(ret->source, 64 * 1024, &buf, &len);
                if (r < 0)
                        return r == -ENOENT ? -ENOENT : r;
                if ((r = cmdline_from_proc(buf, len, &ret->cmdline)) < 0)
                        return r;
                ret->from_proc = true;
        }
        if (!no_root_check && !cmdline_has_root(ret->cmdline))
                return -EDESTADDRREQ;
        return 0;
}

void cmdline_result_free(struct cmdline_result *r) {
        free(r->cmdline);
        free(r->source);
        *r = (struct cmdline_result){};
}
