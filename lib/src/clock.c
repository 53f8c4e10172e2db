/*-------------------------------------------------------------------------
 *
 * clock.c
 *	  Seconds as doubles: see clock.h.
 *
 * IDENTIFICATION
 *	  lib/src/clock.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/clock.h"

#include <time.h>

double
sky_mono_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double
sky_wall_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
