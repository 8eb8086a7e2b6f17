// Fuzz target: the regime loader (TOML → classes, rules, waivers, with strict keys and typed
// parameters). Input: the text of a regime file.
#include "fusion/regime.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    return avf::fuzz::refuse_or_run([&] { (void)avf::fusion::parse_regime(text, "fuzz.toml"); });
}
