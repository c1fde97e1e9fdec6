/* Task log: JSON lines, appended atomically line by line (O_APPEND, one write each). */
#include "tasklog.h"
#include "lib/fsops.h"
#include "lib/macro.h"
#include <fcntl.h>
#include <sys/stat.h>

void rfc3339_ms(const struct timespec *ts, char buf[32]) {
        struct tm tm;
        gmtime_r(&ts->tv_sec, &tm);
        size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, 32 - n, ".%03dZ", (int)(ts->tv_nsec / 1000000) % 1000);
}

int mkdir_parents(const char *path, unsigned mode) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        char *slash = strrchr(p, '/');
        if (!slash || slash == p)
                return 0;
        *slash = 0;
        struct stat st;
        if (stat(p, &st) == 0)
                return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
        int r = mkdir_parents(p, mode);
        if (r < 0)
                return r;
        r = fs_mkdirat(AT_FDCWD, p, mode);
        return r == -EEXIST ? 0 : r;
}

int tasklog_open(struct tasklog *t, const char *path, uint64_t mono0) {
        t->fd = -1;
        t->mono0 = mono0;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        struct tm tm;
        gmtime_r(&now.tv_sec, &tm);
        char stamp[24];
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
        snprintf(t->run_id, sizeof t->run_id, "%s-%d", stamp, (int)getpid());
        if (!path)
                return 0;
        int r = mkdir_parents(path, 0750);
        if (r < 0)
                return r;
        int fd = fs_openat_write(AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0640);
        if (fd < 0)
                return fd;
        t->fd = fd;
        return 0;
}

int tasklog_write(struct tasklog *t, const char *event, json_t *obj) {
        if (!obj)
                return -ENOMEM;
        if (t->fd < 0) {
                json_decref(obj);
                return 0;
        }
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        char ts[32];
        rfc3339_ms(&now, ts);
        /* Fixed keys first so a line reads well with grep. */
        json_t *line = json_pack("{s:i, s:s, s:s, s:s}", "v", 1, "run", t->run_id, "ts", ts, "event", event);
        if (!line) {
                json_decref(obj);
                return -ENOMEM;
        }
        json_object_update(line, obj);
        json_decref(obj);
        _cleanup_free_ char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(line);
        if (!text)
                return -ENOMEM;
        size_t n = strlen(text);
        _cleanup_free_ char *buf = malloc(n + 2);
        if (!buf)
                return -ENOMEM;
        memcpy(buf, text, n);
        buf[n] = '\n';
        return fs_write_all(t->fd, buf, n + 1);
}

int tasklog_close(struct tasklog *t) {
        if (t->fd < 0)
                return 0;
        int r = fs_fsync(t->fd);
        close(t->fd);
        t->fd = -1;
        return r;
}
