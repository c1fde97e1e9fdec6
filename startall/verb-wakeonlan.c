/* wakeonlan: wake another node with a magic packet; MAC from --mac or that node's config,
 * broadcast address and interface from the options or this node's config. */
#include "nodeconf.h"
#include "startall.h"
#include "tasklog.h"
#include "runner.h"
#include "wol.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"
#include <arpa/inet.h>

static bool node_name_valid(const char *s) {
        size_t n = strlen(s);
        if (n < 1 || n > 63)
                return false;
        for (; *s; s++)
                if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
                        return false;
        return true;
}

static char *node_config_path(const struct ctx *c, const char *node) {
        char *p = NULL;
        if (c->pve) { /* <pve>/nodes/<node>/config */
                _cleanup_free_ char *dir = path_join(c->nodes_dir, node);
                return dir ? path_join(dir, "config") : NULL;
        }
        if (asprintf(&p, "%s/%s.conf", c->nodes_dir, node) < 0)
                return NULL;
        return p;
}

static int target_mac(const struct ctx *c, uint8_t mac[6], char **ret_source) {
        const char *why;
        if (c->mac) {
                if (mac_parse(c->mac, mac, &why) < 0) {
                        log_error("bad option: --mac: expected %s, got \"%s\"", why, c->mac);
                        return EXIT_INVALID;
                }
                *ret_source = strdup("--mac");
                return 0;
        }
        const char *node = c->wol_target;
        if (!node_name_valid(node)) {
                log_error("bad node name: \"%s\": expected 1-63 of A-Z a-z 0-9 -", node);
                return EXIT_INVALID;
        }
        char host[256] = "";
        if (gethostname(host, sizeof host - 1) == 0) {
                char *dot = strchr(host, '.');
                if (dot)
                        *dot = 0;
                if (streq(host, node)) {
                        log_error("cannot wake the local node: %s is this host", node);
                        return EXIT_INVALID;
                }
        }
        _cleanup_free_ char *path = node_config_path(c, node);
        if (!path)
                return EXIT_IO;
        struct nodeconf conf;
        struct diag d = {};
        int r = config_load_node(path, &conf, &d);
        if (r == -ENOENT) {
                log_error("no config for node %s: %s does not exist", node, path);
                return EXIT_INVALID;
        }
        if (r < 0 || d.errors)
                return r == -ENOMEM ? EXIT_IO : EXIT_INVALID;
        if (!conf.wol.has_mac) {
                log_error("no MAC for node %s: %s: expected a \"wakeonlan: MAC\" line", node, path);
                return EXIT_INVALID;
        }
        memcpy(mac, conf.wol.mac, 6);
        *ret_source = TAKE_PTR(path);
        return 0;
}

int verb_wakeonlan(struct ctx *c) {
        uint8_t mac[6];
        _cleanup_free_ char *source = NULL;
        int exit = target_mac(c, mac, &source);
        if (exit)
                return exit;
        /* defaults of this node */
        struct nodeconf local;
        struct diag d = {};
        int r = config_load_node(c->node_conf, &local, &d);
        if ((r < 0 && r != -ENOENT) || d.errors)
                return r == -ENOMEM ? EXIT_IO : EXIT_INVALID;
        struct in_addr addr = { .s_addr = htonl(INADDR_BROADCAST) };
        if (c->bcast) {
                if (ipv4_parse(c->bcast, &addr) < 0) {
                        log_error("bad option: --broadcast-address: expected an IPv4 dotted-quad address, got \"%s\"",
                                  c->bcast);
                        return EXIT_INVALID;
                }
        } else if (local.wol.has_bcast) {
                addr = local.wol.bcast;
        }
        const char *bind_if = NULL;
        if (c->bind_if) {
                if (!ifname_valid(c->bind_if)) {
                        log_error("bad option: --bind-interface: expected an interface name like eth0 or vmbr0, got \"%s\"",
                                  c->bind_if);
                        return EXIT_INVALID;
                }
                bind_if = c->bind_if;
        } else if (local.wol.has_bind) {
                bind_if = local.wol.bind_if;
        }
        char macs[18], addrs[INET_ADDRSTRLEN];
        mac_format(mac, macs);
        inet_ntop(AF_INET, &addr, addrs, sizeof addrs);
        if (c->dry_run) {
                printf("Would send a Wake-on-LAN packet to %s via %s:%u%s%s (MAC from %s)\n", macs, addrs, c->port,
                       bind_if ? " on " : "", bind_if ? bind_if : "", source);
                return EXIT_OK;
        }
        uint8_t pkt[WOL_PACKET_SIZE];
        wol_packet(mac, pkt);
        const char *step = "";
        r = wol_send(pkt, addr, (uint16_t)c->port, bind_if, c->count, &step);
        if (r < 0) {
                if (r == -EPERM && bind_if)
                        log_error("cannot bind to interface %s: %s: operation not permitted (needs CAP_NET_RAW)", bind_if,
                                  step);
                else
                        log_error("cannot send the Wake-on-LAN packet: %s: %s", step, strerror(-r));
                return EXIT_IO;
        }
        if (!c->quiet)
                printf("Wake-on-LAN packet sent to %s via %s:%u\n", macs, addrs, c->port);
        struct tasklog log;
        uint64_t t0 = mono_ms();
        if (tasklog_open(&log, c->log_path, t0) == 0) {
                tasklog_write(&log, "action",
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "verb", "wakeonlan", "action",
                                        "wakeonlan", "node", c->wol_target ? c->wol_target : "", "mac", macs,
                                        "address", addrs, "port", (int)c->port, "status", "ok"));
                tasklog_close(&log);
        }
        return EXIT_OK;
}
