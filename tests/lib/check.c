/*
 * check.c - counting and reporting for check.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

int check_count;

void
check_pass(void)
{
	check_count++;
}

void
check_fail(const char *file, int line, const char *expr, const char *detail)
{
	printf("not ok %d - %s:%d: %s%s%s\n", check_count + 1, file, line,
	    expr, detail ? ": " : "", detail ? detail : "");
	printf("%d passed, 1 failed\n", check_count);
	fflush(stdout);
	exit(1);
}

int
check_done(void)
{
	printf("%d passed, 0 failed\n", check_count);
	return 0;
}
