/* Wake-on-LAN (spec §7): the 102-byte magic packet and its UDP broadcast. */
#pragma once
#include <netinet/in.h>
#include <stdint.h>

#define WOL_PACKET_SIZE 102
#define WOL_DEFAULT_PORT 9

/* Six 0xFF bytes, then the MAC sixteen times; no SecureOn password. */
void wol_packet(const uint8_t mac[6], uint8_t pkt[WOL_PACKET_SIZE]);

/* Sends the packet count times, 100 ms apart, over IPv4 UDP with SO_BROADCAST (and
 * SO_BINDTODEVICE when bind_if is set). On failure *ret_step names the call that failed. */
int wol_send(const uint8_t pkt[WOL_PACKET_SIZE], struct in_addr addr, uint16_t port, const char *bind_if,
             unsigned count, const char **ret_step);
