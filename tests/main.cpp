// Catch2 runner for every test executable. With TEST_SET_LOCALE=de_DE.UTF-8 (or any locale) the
// suite runs under that global locale, to prove number parsing and formatting are locale-proof.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <clocale>
#include <cstdlib>
#include <locale>

int main(int argc, char* argv[]) {
    if (const char* loc = std::getenv("TEST_SET_LOCALE")) {
        std::setlocale(LC_ALL, loc);
        try {
            std::locale::global(std::locale(loc));
        } catch (const std::exception&) {
            // The locale is not installed; the C-level setlocale above still applies if it succeeded.
        }
    }
    return Catch::Session().run(argc, argv);
}
