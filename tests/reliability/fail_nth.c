/* Fault injection at the N-th call, on top of libfiu (Debian fiu-utils / libfiu-dev).
 *
 * fiu-run's own options fail every call or a random fraction of them; the reliability plan wants
 * a SQLite-style sweep over the 1st, 2nd, ... N-th call. This preload library, loaded together
 * with fiu-run's POSIX wrappers, enables one libfiu failure point with an external callback that
 * fails exactly the N-th call through it (and only that one):
 *
 *   AVF_FAIL_POINT=posix/io/rw/pwrite AVF_FAIL_NTH=7 AVF_FAIL_ERRNO=28 \
 *     fiu-run -x -l .../libavf_fail_nth.so avf run ...
 *
 * AVF_FAIL_COUNT_FILE, when set, receives the number of calls seen at exit (to size the sweep).
 * The errno goes through libfiu's failinfo, which its POSIX wrappers set as errno. Built with
 * FIU_ENABLE defined: without it fiu.h makes the control calls no-op macros.
 */
#include <fiu-control.h>
#include <fiu.h>
#include <stdio.h>
#include <stdlib.h>

static long target = 0;
static long calls = 0;

static int on_call(const char *name, int *failnum, void **failinfo, unsigned int *flags) {
    (void)name;
    (void)failnum;
    (void)failinfo;
    (void)flags;
    return __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST) == target;
}

__attribute__((constructor)) static void avf_fail_nth_init(void) {
    const char *point = getenv("AVF_FAIL_POINT");
    const char *nth = getenv("AVF_FAIL_NTH");
    const char *err = getenv("AVF_FAIL_ERRNO");
    if (!point || !nth) return;
    target = atol(nth);
    fiu_init(0);
    fiu_enable_external(point, 1, (void *)(long)(err ? atol(err) : 5), 0, on_call);
}

__attribute__((destructor)) static void avf_fail_nth_report(void) {
    const char *path = getenv("AVF_FAIL_COUNT_FILE");
    if (!path) return;
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "%ld\n", calls);
    fclose(f);
}
