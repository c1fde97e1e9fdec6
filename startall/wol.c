/* Wake-on-LAN magic packet and sender. */
#include "wol.h"
#include "lib/macro.h"
#include <sys/socket.h>
#include <time.h>

void wol_packet(const uint8_t mac[6], uint8_t pkt[WOL_PACKET_SIZE]) {
        memset(pkt, 0xff, 6);
        for (int i = 0; i < 16; i++)
                memcpy(pkt + 6 + 6 * i, mac, 6);
}

int wol_send(const uint8_t pkt[WOL_PACKET_SIZE], struct in_addr addr, uint16_t port, const char *bind_if,
             unsigned count, const char **ret_step) {
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                *ret_step = "socket";
                return negerrno();
        }
        int one = 1;
        if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0) {
                *ret_step = "setsockopt(SO_BROADCAST)";
                return negerrno();
        }
        if (bind_if && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, bind_if, (socklen_t)strlen(bind_if) + 1) < 0) {
                *ret_step = "setsockopt(SO_BINDTODEVICE)";
                return negerrno();
        }
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr = addr };
        for (unsigned i = 0; i < count; i++) {
                if (i > 0)
                        nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
                ssize_t n = sendto(fd, pkt, WOL_PACKET_SIZE, 0, (struct sockaddr *)&sa, sizeof sa);
                if (n != WOL_PACKET_SIZE) {
                        *ret_step = "sendto";
                        return n < 0 ? negerrno() : -EIO;
                }
        }
        return 0;
}
