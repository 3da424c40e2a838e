/*
 * tcp_track_int.h: what the two halves of tcp_track.h share, private to
 * src/tcp/ (tcp_track.c keeps the facts packet by packet, tcp_judge.c
 * decides from them how the connection ended and who ended it).
 */
#ifndef TCP_TRACK_INT_H
#define TCP_TRACK_INT_H

#include "tcp/tcp_track.h"

/* A counter IP-ID advances by at most this much between two packets of one
 * connection (the per-socket counter of Linux moves by one per packet). */
#define IPID_WINDOW 512u

#endif
