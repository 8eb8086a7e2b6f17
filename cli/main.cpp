// The avf executable. Everything lives in avf_cli so tests link the same code.
#include "cli/app.hpp"

int main(int argc, char** argv) {
    return avf::cli::run(argc, argv);
}
