// Sanitizer defaults of test_storage in the ASan build (compiled to nothing otherwise): the
// LeakSanitizer suppression file tests/storage/lsan.supp, which documents the one leak inside
// HDF5 it suppresses and why it is not ours, and full stack unwinding on malloc so that the
// suppression can match a function inside libhdf5 (which has no frame pointers). LSAN_OPTIONS
// and ASAN_OPTIONS in the environment still override these.
#if defined(__SANITIZE_ADDRESS__)
extern "C" {
// NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp,readability-identifier-naming): names the sanitizer runtime looks up
const char* __asan_default_options() {
    return "fast_unwind_on_malloc=0";
}
const char* __lsan_default_options() {
    return "suppressions=" AVF_SOURCE_DIR "/tests/storage/lsan.supp:print_suppressions=0";
}
// NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp,readability-identifier-naming)
}
#endif
