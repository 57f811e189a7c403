/*
 * dbfile.h - look at a stopped or running jaild's database file from a
 * test, the way an operator with sqlite3(1) would, without going through
 * the server.  For the crash tests, which must show that no kill or fault
 * left the file damaged.
 */
#ifndef JD_TEST_DBFILE_H
#define JD_TEST_DBFILE_H

/*
 * Open DATADIR/jaild.db read-only (waiting up to 10 s for a lock) and run
 * PRAGMA integrity_check: the open, the prepare and an "ok" answer are
 * three checks; any of them failing fails the test.  Main thread.
 */
void	dbfile_check_integrity(const char *datadir);

#endif
