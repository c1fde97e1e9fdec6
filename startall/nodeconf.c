/* Node configuration and the wake-on-LAN value grammar (spec §3, §7). */
#include "nodeconf.h"
#include "lib/macro.h"
#include "lib/parse.h"
#include <arpa/inet.h>
#include <net/if.h>

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int mac_parse(const char *s, uint8_t mac[6], const char **why) {
        static const char expect[] = "six two-digit hex groups joined by ':' (aa:bb:cc:dd:ee:ff)";
        size_t n = strlen(s);
        *why = expect;
        if (n == 17 && s[2] == '-')
                *why = "':' separators, not '-' (aa:bb:cc:dd:ee:ff)";
        if (n == 12 && !strchr(s, ':'))
                *why = "':' between the groups (aa:bb:cc:dd:ee:ff), not a bare hex string";
        if (n != 17)
                return -EINVAL;
        for (size_t i = 0; i < 6; i++) {
                int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);
                if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
                        return -EINVAL;
                mac[i] = (uint8_t)(hi << 4 | lo);
        }
        if (mac[0] & 1) {
                *why = "a unicast MAC (low bit of the first octet 0)";
                return -EINVAL;
        }
        *why = NULL;
        return 0;
}

void mac_format(const uint8_t mac[6], char buf[18]) {
        snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* ^[a-z][a-z0-9_]{1,20}([:.][0-9]+)?$ and shorter than IFNAMSIZ */
bool ifname_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n >= IFNAMSIZ || !(s[0] >= 'a' && s[0] <= 'z'))
                return false;
        size_t i = 1;
        while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
                i++;
        if (i - 1 < 1 || i - 1 > 20)
                return false;
        if (i == n)
                return true;
        if (s[i] != ':' && s[i] != '.')
                return false;
        if (++i == n)
                return false;
        for (; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

int ipv4_parse(const char *s, struct in_addr *ret) {
        /* inet_pton takes only the four-part dotted quad, no names, no shorthand. */
        return inet_pton(AF_INET, s, ret) == 1 ? 0 : -EINVAL;
}

int wol_spec_parse(const char *value, struct wol_spec *ret, const char **why) {
        *ret = (struct wol_spec){};
        _cleanup_free_ char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        bool first = true;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save), first = false) {
                char *eq = strchr(tok, '=');
                const char *key = "mac", *val = tok;
                if (eq) {
                        *eq = 0;
                        key = tok;
                        val = eq + 1;
                } else if (!first) {
                        *why = "key=value after the MAC (bind-interface=, broadcast-address=)";
                        return -EINVAL;
                }
                if (streq(key, "mac")) {
                        if (ret->has_mac) {
                                *why = "mac given once";
                                return -EINVAL;
                        }
                        if (mac_parse(val, ret->mac, why) < 0)
                                return -EINVAL;
                        ret->has_mac = true;
                } else if (streq(key, "bind-interface")) {
                        if (ret->has_bind || !ifname_valid(val)) {
                                *why = ret->has_bind ? "bind-interface given once" : "an interface name like eth0 or vmbr0";
                                return -EINVAL;
                        }
                        snprintf(ret->bind_if, sizeof ret->bind_if, "%s", val);
                        ret->has_bind = true;
                } else if (streq(key, "broadcast-address")) {
                        if (ret->has_bcast || ipv4_parse(val, &ret->bcast) < 0) {
                                *why = ret->has_bcast ? "broadcast-address given once" : "an IPv4 dotted-quad address";
                                return -EINVAL;
                        }
                        ret->has_bcast = true;
                } else {
                        *why = "only mac, bind-interface and broadcast-address";
                        return -EINVAL;
                }
        }
        if (!ret->has_mac) {
                *why = "a MAC address";
                return -EINVAL;
        }
        return 0;
}

struct node_state {
        const char *display;
        struct nodeconf *conf;
        struct diag *d;
        strv seen;
        bool bad;
};

static int node_line(char *line, unsigned lineno, void *userdata) {
        struct node_state *st = userdata;
        char *colon = strchr(line, ':');
        if (!colon || colon == line || (colon[1] != 0 && colon[1] != ' ' && colon[1] != '\t')) {
                diag_error(st->d, "invalid node config: %s:%u: expected \"key: value\", got \"%s\"", st->display, lineno, line);
                st->bad = true;
                return 0;
        }
        *colon = 0;
        char *key = str_trim(line), *value = str_trim(colon + 1);
        if (strv_contains(&st->seen, key)) {
                diag_error(st->d, "invalid node config: %s:%u: %s: expected each key once, got it again", st->display,
                           lineno, key);
                st->bad = true;
                return 0;
        }
        int r = strv_push(&st->seen, key);
        if (r < 0)
                return r;
        if (streq(key, "startall-onboot-delay")) {
                uint32_t v;
                st->conf->onboot_delay_line = lineno;
                if (parse_uint_bounded(value, NODE_ONBOOT_DELAY_MAX, &v) < 0) {
                        diag_error(st->d, "invalid node config: %s:%u: startall-onboot-delay: expected an integer 0-300 "
                                   "(seconds), got \"%s\"", st->display, lineno, value);
                        st->bad = true;
                        return 0;
                }
                st->conf->onboot_delay = v;
        } else if (streq(key, "wakeonlan")) {
                const char *why = NULL;
                r = wol_spec_parse(value, &st->conf->wol, &why);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        diag_error(st->d, "invalid node config: %s:%u: wakeonlan: expected %s, got \"%s\"", st->display,
                                   lineno, why, value);
                        st->conf->wol = (struct wol_spec){};
                        st->bad = true;
                        return 0;
                }
                st->conf->wol.line = lineno;
        }
        /* Other keys belong to Proxmox and are none of our business. */
        return 0;
}

int nodeconf_parse(const char *buf, size_t len, const char *display, struct nodeconf *ret, struct diag *d) {
        *ret = (struct nodeconf){};
        struct node_state st = { .display = display, .conf = ret, .d = d };
        int r = lines_foreach(buf, len, LINES_SKIP_BLANK_COMMENT, node_line, &st);
        strv_free(&st.seen);
        if (r < 0)
                return r;
        return st.bad ? -EINVAL : 0;
}
