// Shared by the fuzz targets (tests/fuzz/fuzz_*.cpp). Each target defines LLVMFuzzerTestOneInput and
// is built twice: as a libFuzzer binary (`make fuzz`, clang, -fsanitize=fuzzer) and, in every build,
// as a replay test that runs the committed corpus (tests/fuzz/corpus/<target>/: seeds and every
// input that once crashed) through the same function — so a crash found once stays fixed.
//
// What counts as a bug: a crash, a sanitizer report, a hang, or an exception other than the ones
// avf uses to refuse a whole input (UsageError, InputError, IoError). InternalError and any other
// exception escape the target and abort the run.
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

namespace avf::fuzz {

/// A per-process scratch file with the given extension (the readers choose the format by it), in
/// $TMPDIR or /tmp; rewritten for every input.
inline std::string scratch_path(const char* extension) {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/avf-fuzz-" + std::to_string(::getpid()) + extension;
}

inline std::string write_scratch(const char* extension, const std::uint8_t* data, std::size_t size) {
    std::string path = scratch_path(extension);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) std::abort(); // the harness itself failed: not a finding about avf
    return path;
}

/// Runs `body`, accepting the refusals of a whole input; everything else escapes.
template <typename Body> int refuse_or_run(Body&& body) {
    try {
        body();
    } catch (const InternalError&) {
        throw;
    } catch (const UsageError&) {
    } catch (const InputError&) {
    } catch (const IoError&) {
    }
    return 0;
}

} // namespace avf::fuzz
