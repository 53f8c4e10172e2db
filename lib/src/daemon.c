/*-------------------------------------------------------------------------
 *
 * daemon.c
 *	  Pidfiles and daemonizing: see daemon.h.
 *
 * IDENTIFICATION
 *	  lib/src/daemon.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *claimed_path = NULL;
static pid_t claimed_pid = 0;

pid_t
pidfile_read(const char *path)
{
	FILE *f = fopen(path, "r");
	long pid = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 0)
		pid = 0;
	fclose(f);
	return (pid_t) pid;
}

static void
remove_at_exit(void)
{
	if (claimed_path != NULL && pidfile_read(claimed_path) == getpid())
		unlink(claimed_path);
}

static bool
write_pid(const char *path, int flags, char *err, size_t errlen)
{
	char buf[32];
	int fd = open(path, O_WRONLY | flags, 0644);
	int n;

	if (fd < 0)
	{
		snprintf(err, errlen, "could not open pidfile '%s': %s", path,
				 strerror(errno));
		return false;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int) getpid());
	if (write(fd, buf, n) != n || close(fd) != 0)
	{
		snprintf(err, errlen, "could not write pidfile '%s': %s", path,
				 strerror(errno));
		return false;
	}
	return true;
}

bool
pidfile_claim(const char *path, bool *stale, char *err, size_t errlen)
{
	pid_t pid = pidfile_read(path);

	*stale = false;
	if (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM))
	{
		snprintf(err, errlen,
				 "pidfile exists, another instance running? (pid %d in %s)",
				 (int) pid, path);
		return false;
	}
	if (access(path, F_OK) == 0)
	{
		*stale = true;
		unlink(path);
	}
	if (!write_pid(path, O_CREAT | O_EXCL, err, errlen))
		return false;
	if (claimed_path == NULL)
		atexit(remove_at_exit);
	free(claimed_path);
	claimed_path = strdup(path);
	claimed_pid = getpid();
	return true;
}

bool
pidfile_update(char *err, size_t errlen)
{
	if (claimed_path == NULL)
		return true;
	claimed_pid = getpid();
	return write_pid(claimed_path, O_TRUNC, err, errlen);
}

void
pidfile_release(void)
{
	remove_at_exit();
	free(claimed_path);
	claimed_path = NULL;
}

int
pidfile_signal(const char *path, int sig)
{
	pid_t pid = pidfile_read(path);

	if (pid <= 0)
		return 0;
	if (kill(pid, sig) == 0)
		return 1;
	return errno == ESRCH ? 0 : -1;
}

bool
daemonize(char *err, size_t errlen)
{
	int fd = open("/dev/null", O_RDWR);
	pid_t pid;

	if (fd < 0)
	{
		snprintf(err, errlen, "could not open /dev/null: %s", strerror(errno));
		return false;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
	{
		snprintf(err, errlen, "fork failed: %s", strerror(errno));
		return false;
	}
	if (pid > 0)
		_exit(0);
	setsid();
	pid = fork();
	if (pid < 0)
	{
		snprintf(err, errlen, "fork failed: %s", strerror(errno));
		return false;
	}
	if (pid > 0)
		_exit(0);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return pidfile_update(err, errlen);
}
