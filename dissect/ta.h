/* ta.h: definitions shared by every layer: byte views, parser status. */
#ifndef TA_H
#define TA_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define TA_MUST_CHECK __attribute__((warn_unused_result))
#define TA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TA_MUST_CHECK
#define TA_PRINTF(f, a)
#endif

#define TA_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* A read-only view into bytes someone else owns. */
struct ta_bytes {
	const uint8_t *p;
	size_t n;
};

/*
 * Outcome of a parser. SHORT: the bytes end before the structure does (the
 * capture ran out, wait or give up). MALFORMED: the bytes are all there but
 * contradict themselves (a length that overruns its container).
 */
/*
 * A frame reference: which input file (0 for the first -r) and the frame's
 * number in that file, counted from 1 as Wireshark shows it. Packed in one
 * integer so that every fact can carry one cheaply.
 */
typedef uint64_t ta_frame;
#define TA_FRAME(file, no) (((uint64_t)(file) << 48) | ((uint64_t)(no) & 0xffffffffffffULL))
#define TA_FRAME_FILE(f) ((unsigned)((f) >> 48))
#define TA_FRAME_NO(f) ((f) & 0xffffffffffffULL)

/* Capture time: nanoseconds since the Unix epoch, UTC. */
typedef uint64_t ta_time;
#define TA_NS_PER_SEC 1000000000ULL
#define TA_NS_PER_MS 1000000ULL

enum dis_status {
	DIS_OK = 0,
	DIS_SHORT,
	DIS_MALFORMED,
	DIS_UNSUPPORTED,
	DIS_LIMIT,
};

const char *dis_status_str(enum dis_status s);

#endif
