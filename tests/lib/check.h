/*
 * check.h - the assertion macros every C test uses.
 *
 * A failed check prints "not ok N - file:line: expr" with the values and
 * exits 1 at once (later checks would only report the same breakage).
 * check_done() prints the closing "N passed, 0 failed" line ctest's log
 * readers look for and returns 0 for main to return.
 */
#ifndef JD_TEST_CHECK_H
#define JD_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

extern int check_count;
void	check_fail(const char *file, int line, const char *expr,
	    const char *detail) __attribute__((noreturn));
void	check_pass(void);
int	check_done(void);

#define CHECK(e) do {							\
	if (e) check_pass();						\
	else check_fail(__FILE__, __LINE__, #e, NULL);			\
} while (0)

#define CHECK_INT(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	char _d[128];							\
	if (_a == _b) check_pass();					\
	else {								\
		snprintf(_d, sizeof(_d), "%lld != %lld", _a, _b);	\
		check_fail(__FILE__, __LINE__, #a " == " #b, _d);	\
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *_a = (a), *_b = (b);				\
	char _d[512];							\
	if (_a != NULL && _b != NULL && strcmp(_a, _b) == 0)		\
		check_pass();						\
	else {								\
		snprintf(_d, sizeof(_d), "\"%.200s\" != \"%.200s\"",	\
		    _a ? _a : "(null)", _b ? _b : "(null)");		\
		check_fail(__FILE__, __LINE__, #a " == " #b, _d);	\
	}								\
} while (0)

#define CHECK_CONTAINS(hay, needle) do {				\
	const char *_h = (hay), *_n = (needle);				\
	char _d[512];							\
	if (_h != NULL && strstr(_h, _n) != NULL) check_pass();		\
	else {								\
		snprintf(_d, sizeof(_d), "\"%.300s\" lacks \"%.100s\"",	\
		    _h ? _h : "(null)", _n);				\
		check_fail(__FILE__, __LINE__, #hay " contains " #needle, _d); \
	}								\
} while (0)

#endif
