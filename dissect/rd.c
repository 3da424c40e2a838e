/* rd.c: parser status names; the bounds-checked reader is inline (rd.h). */
#include "rd.h"

const char *
dis_status_str(enum dis_status s)
{
	switch (s) {
	case DIS_OK:
		return "ok";
	case DIS_SHORT:
		return "short";
	case DIS_MALFORMED:
		return "malformed";
	case DIS_UNSUPPORTED:
		return "unsupported";
	case DIS_LIMIT:
		return "limit";
	}
	return "unknown";
}
