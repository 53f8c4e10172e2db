/*-------------------------------------------------------------------------
 *
 * clock.h
 *	  Seconds as doubles: sky_mono_secs for waits and durations (never
 *	  goes back), sky_wall_secs for comparing with database timestamps.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/clock.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_CLOCK_H
#define SKYTOOLS_CLOCK_H

extern double sky_mono_secs(void);
extern double sky_wall_secs(void);

#endif /* SKYTOOLS_CLOCK_H */
