/* Node configuration (spec §3): "key: value" lines as in Proxmox node configs, of which only
 * startall-onboot-delay and wakeonlan are used; plus the value parsers wake-on-LAN needs. */
#pragma once
#include "guest.h"
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define NODE_ONBOOT_DELAY_MAX 300u

struct wol_spec {
        bool has_mac, has_bind, has_bcast;
        uint8_t mac[6];
        char bind_if[16];
        struct in_addr bcast;
        unsigned line; /* where it was set, for messages */
};

struct nodeconf {
        uint32_t onboot_delay;
        unsigned onboot_delay_line;
        struct wol_spec wol;
};

/* Parses a node config buffer; every problem goes through d naming display:line. A bad delay
 * leaves it at 0. Returns 0 when valid, -EINVAL when any error was reported, -ENOMEM. */
int nodeconf_parse(const char *buf, size_t len, const char *display, struct nodeconf *ret, struct diag *d);

/* The wakeonlan value "[mac=]MAC[,bind-interface=IF][,broadcast-address=IPV4]". On error a
 * static reason (with the expectation) is returned in *why. */
int wol_spec_parse(const char *value, struct wol_spec *ret, const char **why);

/* Six two-digit hex groups joined by ':', unicast. */
int mac_parse(const char *s, uint8_t mac[6], const char **why);
bool ifname_valid(const char *s);
int ipv4_parse(const char *s, struct in_addr *ret);
/* "aa:bb:..." lower case into buf (18 bytes). */
void mac_format(const uint8_t mac[6], char buf[18]);
