/*
 * pcapng_write.h: the blocks of a pcapng file, written
 * (draft-ietf-opsawg-pcapng: 4.1 Section Header Block, 4.2 Interface
 * Description Block, 4.3 Enhanced Packet Block, 3.5 options).
 *
 * Every block is written whole, in this machine's byte order: readers tell
 * the order from the Section Header Block's byte-order magic. Bodies and
 * option values are padded with zeros to 32 bits, and each block ends with
 * its total length repeated, so a reader can walk the file both ways.
 *
 * Each call returns false when stdio failed; ferror(f) then stays set.
 */
#ifndef PCAPNG_WRITE_H
#define PCAPNG_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PCAPNG_BT_SHB 0x0A0D0D0Au
#define PCAPNG_BT_IDB 0x00000001u
#define PCAPNG_BT_EPB 0x00000006u
#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4Du

#define PCAPNG_OPT_ENDOFOPT 0
#define PCAPNG_OPT_COMMENT 1
#define PCAPNG_SHB_USERAPPL 4
#define PCAPNG_IF_NAME 2
#define PCAPNG_IF_TSRESOL 9

/* An option's value is at most this long (its length is 16 bits); longer
 * text is cut there. */
#define PCAPNG_OPT_MAX 65535u

/* Interface time units: the default (no if_tsresol) and nanoseconds. */
#define PCAPNG_TSRESOL_US 6
#define PCAPNG_TSRESOL_NS 9

/*
 * A Section Header Block of version 1.0 whose section length is not given
 * (-1: the file is written as a stream). userappl: the shb_userappl text,
 * or NULL for none.
 */
bool pcapng_write_shb(FILE *f, const char *userappl);

/*
 * An Interface Description Block: linktype is a LINKTYPE_ value, snaplen
 * 0 for no limit; name: if_name, or NULL for none; tsresol: a power of
 * ten (PCAPNG_TSRESOL_*), written as if_tsresol unless it is the default.
 * The interface's id is the number of IDBs written before it in the
 * section.
 */
bool pcapng_write_idb(FILE *f, uint16_t linktype, uint32_t snaplen,
                      const char *name, uint8_t tsresol);

/*
 * An Enhanced Packet Block: ifid, the IDB the packet came on; ts in that
 * interface's units since 1970; caplen bytes of data, of len on the wire;
 * comment: opt_comment (UTF-8), or NULL for none.
 */
bool pcapng_write_epb(FILE *f, uint32_t ifid, uint64_t ts,
                      const uint8_t *data, uint32_t caplen, uint32_t len,
                      const char *comment);

#endif
