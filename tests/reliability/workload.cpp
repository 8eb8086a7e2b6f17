#include "tests/reliability/workload.hpp"

#include "core/sha256.hpp"
#include "core/time.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace avf::reliability {

std::string make_detections(const std::filesystem::path& file, std::size_t rows) {
    std::ifstream in(test::source_path("datasets/demo/detections.csv"));
    REQUIRE(in);
    std::string header, line;
    std::getline(in, header);
    std::vector<std::vector<std::string>> demo;
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ',')) cells.push_back(cell);
        if (!line.empty() && line.back() == ',') cells.emplace_back();
        REQUIRE(cells.size() == 12);
        demo.push_back(std::move(cells));
    }
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    REQUIRE(out);
    out << header << "\n";
    constexpr std::int64_t day_ms = 86'400'000;
    for (std::size_t n = 0, copy = 0; n < rows; ++copy) {
        for (const auto& d : demo) {
            if (n == rows) break;
            auto t = parse_utc(d[1]);
            REQUIRE(t);
            UtcTime shifted{t->ms + static_cast<std::int64_t>(copy) * 31 * day_ms};
            out << d[0] << "-" << copy << "," << format_utc(shifted);
            for (std::size_t i = 2; i < d.size(); ++i) out << "," << d[i];
            out << "\n";
            ++n;
        }
    }
    out.flush();
    REQUIRE(out);
    return file.string();
}

std::string asan_runtime_first() {
#if defined(__SANITIZE_ADDRESS__)
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
        auto at = line.find('/');
        if (at != std::string::npos && line.find("/libasan.so", at) != std::string::npos) return line.substr(at) + " ";
    }
#endif
    return {};
}

std::string q(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

int run_avf(const std::string& args, std::string& output) {
    return test::run_command("cd " + q(AVF_SOURCE_DIR) + " && " + q(test::avf_binary()) + " " + args, output);
}

int run_avf_stdout(const std::string& args, std::string& output) {
    return test::run_command("cd " + q(AVF_SOURCE_DIR) + " && (" + q(test::avf_binary()) + " " + args + " 2>/dev/null)", output);
}

std::string demo_store(const std::filesystem::path& store) {
    std::string out;
    int code = run_avf("zones import datasets/korea/zones.geojson datasets/korea/lines.geojson datasets/baltic/zones.geojson "
                       "datasets/baltic/lines.geojson datasets/mission/zones.geojson --store " +
                           q(store.string()) + " --set demo",
                       out);
    INFO(out);
    REQUIRE(code == 0);
    return store.string();
}

std::string demo_store_with_run(const std::filesystem::path& store) {
    std::string path = demo_store(store);
    std::string out;
    const int code =
        run_avf("run --regime datasets/demo/regime.toml --detections datasets/demo/detections.csv --quiet --top 0 --store " + q(path), out);
    INFO(out);
    REQUIRE(code == 0);
    return path;
}

Child::Child(const std::vector<std::string>& args, const std::string& log, const std::vector<std::string>& env) {
    // Everything the child needs is built before fork(): after it, only async-signal-safe calls.
    std::vector<std::string> owned = args;
    std::vector<char*> argv;
    for (auto& a : owned) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> environment = env;
    for (char** e = environ; *e != nullptr; ++e) environment.emplace_back(*e);
    std::vector<char*> envp;
    for (auto& e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);
    m_pid = ::fork();
    if (m_pid < 0) throw std::runtime_error("fork failed");
    if (m_pid == 0) {
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        if (::chdir(AVF_SOURCE_DIR) != 0) ::_exit(126);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
}

Child::~Child() {
    if (m_pid > 0 && !m_reaped) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, &m_status, 0);
    }
}

bool Child::kill_after(std::chrono::microseconds delay) {
    std::this_thread::sleep_for(delay);
    if (m_reaped) return false;
    if (::waitpid(m_pid, &m_status, WNOHANG) == m_pid) {
        m_reaped = true;
        return false;
    }
    return ::kill(m_pid, SIGKILL) == 0;
}

bool Child::running_after(std::chrono::microseconds delay) {
    std::this_thread::sleep_for(delay);
    if (m_reaped) return false;
    if (::waitpid(m_pid, &m_status, WNOHANG) == m_pid) {
        m_reaped = true;
        return false;
    }
    return true;
}

int Child::wait() {
    if (!m_reaped) {
        while (::waitpid(m_pid, &m_status, 0) < 0 && errno == EINTR) {
        }
        m_reaped = true;
    }
    return m_status;
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    return "status " + std::to_string(status);
}

bool killed_by_sigkill(int status) {
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}
bool exited_with(int status, int code) {
    return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

std::string file_sha256(const std::string& path) {
    return sha256_file(path);
}

} // namespace avf::reliability
