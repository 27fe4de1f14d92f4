#ifndef SKYBENCH_WHEEL_LEVELS_H
#define SKYBENCH_WHEEL_LEVELS_H

/* skynet's wheel geometry (skynet_timer.c), shared by wheel.c and cwheel.c, which differ
 * only in how a bucket stores its timers: near[256] holds expiries that agree with the
 * clock in every bit above the low 8; t[i][64] those that first disagree in bits
 * 8+6i .. 13+6i (level 3: bits 26..31). */

#include <stdint.h>

#define TIME_NEAR_SHIFT 8
#define TIME_NEAR (1 << TIME_NEAR_SHIFT)
#define TIME_LEVEL_SHIFT 6
#define TIME_LEVEL (1 << TIME_LEVEL_SHIFT)
#define TIME_NEAR_MASK (TIME_NEAR - 1)
#define TIME_LEVEL_MASK (TIME_LEVEL - 1)

/* Every bucket of a timerq with near[TIME_NEAR] and t[4][TIME_LEVEL], whatever a bucket's
 * type: k = 0 .. WHEEL_BUCKETS - 1 walks near[0..255], then t[0][0..63] .. t[3][0..63]. */
#define WHEEL_BUCKETS (TIME_NEAR + 4 * TIME_LEVEL)
#define WHEEL_BUCKET(q, k) ((k) < TIME_NEAR ? &(q)->near[(k)] : \
	&(q)->t[((k) - TIME_NEAR) >> TIME_LEVEL_SHIFT][((k) - TIME_NEAR) & TIME_LEVEL_MASK])

/* skynet's add_node: where `expire` goes at time `now`. -1 for near (bucket
 * expire & TIME_NEAR_MASK), else the level, with its bucket in *idx. */
static inline int
wheel_level(uint32_t expire, uint32_t now, int *idx) {
	if ((expire | TIME_NEAR_MASK) == (now | TIME_NEAR_MASK))
		return -1;
	uint32_t mask = TIME_NEAR << TIME_LEVEL_SHIFT;
	int i;
	for (i = 0; i < 3; i++) {
		if ((expire | (mask - 1)) == (now | (mask - 1)))
			break;
		mask <<= TIME_LEVEL_SHIFT;
	}
	*idx = (int)((expire >> (TIME_NEAR_SHIFT + i * TIME_LEVEL_SHIFT)) & TIME_LEVEL_MASK);
	return i;
}

/* skynet's shift, after the clock moved to ct: 1 and the bucket t[*level][*idx] to
 * cascade (t[3][0] when the clock wrapped to 0), or 0 if none is due. */
static inline int
wheel_cascade_due(uint32_t ct, int *level, int *idx) {
	if (ct == 0) {
		*level = 3;
		*idx = 0;
		return 1;
	}
	uint32_t mask = TIME_NEAR;
	uint32_t time = ct >> TIME_NEAR_SHIFT;
	/* ct != 0, so some level's index is nonzero before mask would overflow */
	for (int l = 0; (ct & (mask - 1)) == 0; l++) {
		int i = (int)(time & TIME_LEVEL_MASK);
		if (i != 0) {
			*level = l;
			*idx = i;
			return 1;
		}
		mask <<= TIME_LEVEL_SHIFT;
		time >>= TIME_LEVEL_SHIFT;
	}
	return 0;
}

#endif
