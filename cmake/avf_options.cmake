# Interface targets carrying the project's compile policy; modules link the ones they need.

add_library(avf_warnings INTERFACE)
target_compile_options(avf_warnings INTERFACE -Wall -Wextra -Wpedantic $<$<BOOL:${AVF_WERROR}>:-Werror>
  # GCC 12 reports false positives inside Boost 1.74's envelope/expand code (boost/geometry/
  # algorithms/detail/expand/indexed.hpp) when inlined into our R-tree builders.
  -Wno-maybe-uninitialized
  # GCC 12 at -O3 reports a false -Wrestrict inside std::string concatenation (GCC bug 105329).
  -Wno-restrict)

# Boost 1.74's Geometry still includes headers Boost itself marks deprecated; the pragma notes
# they print are noise, not ours to fix.
target_compile_definitions(avf_warnings INTERFACE BOOST_ALLOW_DEPRECATED_HEADERS)

# Reproducible floating point for geo/ and fusion/: no fused multiply-add, never fast-math.
add_library(avf_determinism INTERFACE)
target_compile_options(avf_determinism INTERFACE -ffp-contract=off -fno-fast-math)

add_library(avf_sanitizers INTERFACE)
if(AVF_SANITIZE)
  string(REPLACE ";" "," _avf_san "${AVF_SANITIZE}")
  target_compile_options(avf_sanitizers INTERFACE -fsanitize=${_avf_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(avf_sanitizers INTERFACE -fsanitize=${_avf_san})
  if("undefined" IN_LIST AVF_SANITIZE)
    # One check stays recoverable so that tests/ubsan.supp can name the one known report, a signed
    # overflow inside Boost.Geometry 1.74 (docs/reliability.md §3); UBSAN_OPTIONS=halt_on_error=1
    # (Makefile, tests/fuzz/run.sh) keeps every report that is not suppressed fatal.
    target_compile_options(avf_sanitizers INTERFACE -fsanitize-recover=signed-integer-overflow)
  endif()
endif()

# avf_module(NAME SOURCES... [DETERMINISTIC]) — a static library for one top-level folder.
function(avf_module name)
  cmake_parse_arguments(M "DETERMINISTIC" "" "SOURCES" ${ARGN})
  add_library(avf_${name} STATIC ${M_SOURCES})
  target_include_directories(avf_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
  target_link_libraries(avf_${name} PRIVATE avf_warnings PUBLIC avf_sanitizers)
  if(M_DETERMINISTIC)
    target_link_libraries(avf_${name} PUBLIC avf_determinism)
  endif()
endfunction()
