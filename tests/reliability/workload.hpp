// Helpers of the reliability tests: a large seeded workload built from the demo detections, the
// demo store, and child processes of the real avf binary that can be killed with SIGKILL.
//
//   avf::test::TempDir tmp;
//   auto csv = avf::reliability::make_detections(tmp.path() / "d.csv", 200000);  // demo rows, shifted
//   auto store = avf::reliability::demo_store(tmp.path() / "s.h5");                // zones imported
//   avf::reliability::Child run({avf_binary(), "run", ...});                       // fork + exec
//   run.kill_after(std::chrono::milliseconds(700));  int status = run.wait();
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace avf::reliability {

/// Writes `rows` detections: the 868 demo rows (datasets/demo/detections.csv) repeated, copy k
/// with ids suffixed "-k" and times shifted by 31·k days, so every copy yields the demo's 79
/// findings again (in its own days). Deterministic: the same `rows` give the same bytes.
std::string make_detections(const std::filesystem::path& file, std::size_t rows);

/// Runs `avf <args>` from the repository root; returns the exit code, fills `output` (stdout and
/// stderr together).
int run_avf(const std::string& args, std::string& output);
/// As run_avf, with stdout only in `output` (stderr discarded): for JSON and CSV output.
int run_avf_stdout(const std::string& args, std::string& output);
/// Single-quotes for the shell.
std::string q(const std::string& s);

/// Imports the demo zones and lines (Korea, Baltic, the mission's observation areas) into `store` as
/// set "demo" — what datasets/demo/regime.toml refers to; REQUIREs success.
std::string demo_store(const std::filesystem::path& store);
/// demo_store() with one committed run of the demo regime over the demo detections; REQUIREs success.
std::string demo_store_with_run(const std::filesystem::path& store);

/// The avf binary as a child process (stdout and stderr to `log`).
class Child {
public:
    /// `env`: extra "NAME=value" entries (e.g. the crash hook).
    Child(const std::vector<std::string>& args, const std::string& log, const std::vector<std::string>& env = {});
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    /// Sleeps `delay`, then sends SIGKILL unless the child has already exited. Returns whether
    /// the signal was sent to a running child.
    bool kill_after(std::chrono::microseconds delay);
    /// Sleeps `delay`; true when the child is still running afterwards (it is not signalled).
    bool running_after(std::chrono::microseconds delay);
    /// Waits for the child; returns the raw wait status.
    int wait();

private:
    int m_pid = -1;
    bool m_reaped = false;
    int m_status = 0;
};

/// "exit N" or "killed by signal N" for a wait status.
std::string describe_status(int status);
bool killed_by_sigkill(int status);
bool exited_with(int status, int code);

/// For LD_PRELOAD lists given to the avf binary: under ASan (make test-asan) the binary refuses to
/// start unless the ASan runtime comes first in the initial library list, hence first in
/// LD_PRELOAD too. The runtime this test process loaded ("/…/libasan.so.8 ", from
/// /proc/self/maps) followed by a space; "" in builds without ASan.
std::string asan_runtime_first();

/// SHA-256 of a file's bytes (hex).
std::string file_sha256(const std::string& path);

} // namespace avf::reliability
