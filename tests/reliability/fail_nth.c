/* Fault injection at the N-th call, on top of libfiu (Debian fiu-utils / libfiu-dev).
 *
 * fiu-run's own options fail every call or a random fraction of them; the reliability plan wants
 * a SQLite-style sweep over the 1st, 2nd, ... N-th call. This preload library, loaded together
 * with fiu-run's POSIX wrappers, enables libfiu failure points with an external callback that
 * fails exactly the N-th call through them (and only that one):
 *
 *   AVF_FAIL_POINT=posix/io/rw/pwrite AVF_FAIL_NTH=7 AVF_FAIL_ERRNO=28 \
 *     LD_PRELOAD="fiu_run_preload.so fiu_posix_preload.so libavf_fail_nth.so" avf run ...
 *
 *   AVF_FAIL_POINT   one failure point, or several separated by commas (one count for all):
 *                    posix/io/rw/read, posix/io/rw/pread, posix/stdio/rw/fread (EIO), or
 *                    posix/io/rw/read/reduce, posix/io/rw/pread/reduce (short reads: libfiu
 *                    returns fewer bytes than asked, never 0 — legal POSIX a reader must loop on)
 *   AVF_FAIL_NTH     N: fail the N-th call only; N+: fail every call from the N-th on (1+ for
 *                    short reads on every call); 0: never (to count calls)
 *   AVF_FAIL_ERRNO   the errno of a failed call (default 5, EIO)
 *   AVF_FAIL_PATH    only calls on a file whose path ends with this count and fail (read, pread
 *                    and fread on that file's descriptor or stream). For it this library must
 *                    come FIRST in LD_PRELOAD, before fiu's wrappers: its own read/pread/fread
 *                    note the file, then call fiu's, whose failure point asks the callback here.
 *   AVF_FAIL_COUNT_FILE  receives the number of calls counted, at exit (to size the sweep).
 *
 * The errno goes through libfiu's failinfo, which its POSIX wrappers set as errno. Built with
 * FIU_ENABLE defined: without it fiu.h makes the control calls no-op macros.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fiu-control.h>
#include <fiu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static long target = 0;
static int from_target_on = 0; /* "N+" */
static long calls = 0;
static const char* fail_path = NULL;
static __thread int t_on_path = 0; /* the current read is on AVF_FAIL_PATH */
static char* point_list = NULL;

static ssize_t (*next_read)(int, void*, size_t) = NULL;
static ssize_t (*next_pread)(int, void*, size_t, off_t) = NULL;
static ssize_t (*next_pread64)(int, void*, size_t, off64_t) = NULL;
static size_t (*next_fread)(void*, size_t, size_t, FILE*) = NULL;

static int on_call(const char* name, int* failnum, void** failinfo, unsigned int* flags) {
    (void)name;
    (void)failnum;
    (void)failinfo;
    (void)flags;
    if (fail_path && !t_on_path) return 0;
    const long n = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
    return target > 0 && (from_target_on ? n >= target : n == target);
}

/* Whether descriptor `fd` is the file named by AVF_FAIL_PATH (its path ends with it). */
static int fd_on_path(int fd) {
    if (!fail_path) return 1;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    const ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = '\0';
    const size_t want = strlen(fail_path);
    return (size_t)n >= want && strcmp(path + n - want, fail_path) == 0;
}

static void resolve(void) {
    if (!next_read) next_read = (ssize_t(*)(int, void*, size_t))dlsym(RTLD_NEXT, "read");
    if (!next_pread) next_pread = (ssize_t(*)(int, void*, size_t, off_t))dlsym(RTLD_NEXT, "pread");
    if (!next_pread64) next_pread64 = (ssize_t(*)(int, void*, size_t, off64_t))dlsym(RTLD_NEXT, "pread64");
    if (!next_fread) next_fread = (size_t(*)(void*, size_t, size_t, FILE*))dlsym(RTLD_NEXT, "fread");
}

/* The wrappers only mark whether the call is on AVF_FAIL_PATH and pass it on (to fiu's wrapper
 * when this library comes first, else to libc). The flag is saved and restored: fiu's wrapper
 * may itself be reached through these. */
ssize_t read(int fd, void* buf, size_t count) {
    if (!next_read) resolve();
    const int saved = t_on_path;
    t_on_path = fd_on_path(fd);
    const ssize_t r = next_read(fd, buf, count);
    t_on_path = saved;
    return r;
}

ssize_t pread(int fd, void* buf, size_t count, off_t offset) {
    if (!next_pread) resolve();
    const int saved = t_on_path;
    t_on_path = fd_on_path(fd);
    const ssize_t r = next_pread(fd, buf, count, offset);
    t_on_path = saved;
    return r;
}

ssize_t pread64(int fd, void* buf, size_t count, off64_t offset) {
    if (!next_pread64) resolve();
    const int saved = t_on_path;
    t_on_path = fd_on_path(fd);
    const ssize_t r = next_pread64(fd, buf, count, offset);
    t_on_path = saved;
    return r;
}

size_t fread(void* ptr, size_t size, size_t n, FILE* stream) {
    if (!next_fread) resolve();
    const int saved = t_on_path;
    t_on_path = stream ? fd_on_path(fileno(stream)) : 0;
    const size_t r = next_fread(ptr, size, n, stream);
    t_on_path = saved;
    return r;
}

__attribute__((constructor)) static void avf_fail_nth_init(void) {
    resolve(); /* now, single-threaded: dlsym later could deadlock with fiu's malloc wrapper */
    const char* points = getenv("AVF_FAIL_POINT");
    const char* nth = getenv("AVF_FAIL_NTH");
    const char* err = getenv("AVF_FAIL_ERRNO");
    const char* path = getenv("AVF_FAIL_PATH");
    if (!points || !nth) return;
    target = atol(nth);
    from_target_on = strchr(nth, '+') != NULL;
    if (path && *path) fail_path = path;
    fiu_init(0);
    point_list = strdup(points); /* kept (reachable, for LeakSanitizer): libfiu may keep the names */
    for (char *save = NULL, *point = strtok_r(point_list, ",", &save); point; point = strtok_r(NULL, ",", &save))
        fiu_enable_external(point, 1, (void*)(long)(err ? atol(err) : 5), 0, on_call);
}

__attribute__((destructor)) static void avf_fail_nth_report(void) {
    const char* path = getenv("AVF_FAIL_COUNT_FILE");
    if (!path) return;
    FILE* f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "%ld\n", calls);
    fclose(f);
}
