#include "cli/output.hpp"

#include "core/error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <ostream>
#include <streambuf>
#include <sys/stat.h>
#include <unistd.h>

namespace avf::cli {

std::string to_string(Format f) {
    switch (f) {
    case Format::table: return "table";
    case Format::csv: return "csv";
    case Format::json: return "json";
    case Format::geojson: return "geojson";
    case Format::gpkg: return "gpkg";
    }
    return "table";
}

Format parse_format(const std::string& text, const std::vector<Format>& accepted) {
    std::string list;
    std::string folded = text;
    std::transform(folded.begin(), folded.end(), folded.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (Format f : accepted) {
        if (to_string(f) == folded) return f;
        list += (list.empty() ? "" : ", ") + to_string(f);
    }
    throw UsageError("unknown --format '" + text + "'", Context{}.expected("one of: " + list));
}

std::string cell_text(const nlohmann::json& cell) {
    if (cell.is_null()) return "";
    if (cell.is_string()) return cell.get<std::string>();
    if (cell.is_number_float()) return fmt::format("{}", cell.get<double>());
    if (cell.is_boolean()) return cell.get<bool>() ? "true" : "false";
    return cell.dump();
}

Table problems_table(const std::vector<Problem>& problems) {
    Table t{{"severity", "code", "where", "field", "value", "reason"}};
    t.whole = true;
    for (const auto& p : problems)
        t.add({std::string(to_string(p.severity)), std::string(to_string(p.code)), p.where.location(), p.where.field(), p.where.value(), p.message});
    return t;
}

namespace {
std::string csv_escape(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// Display width in characters, counting UTF-8 continuation bytes as nothing.
std::size_t width(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// `s` cut to `w` characters, the last one "…" when anything was cut.
std::string cut(const std::string& s, std::size_t w) {
    if (width(s) <= w) return s;
    std::string out;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool starts_char = (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
        if (starts_char && ++chars > w - 1) break;
        out += s[i];
    }
    return out + "…";
}

// The table narrowed to its brief columns (when it has them).
Table brief_of(const Table& table) {
    if (table.brief.empty()) return table;
    std::vector<std::size_t> keep;
    for (std::size_t i = 0; i < table.columns.size(); ++i)
        if (std::find(table.brief.begin(), table.brief.end(), table.columns[i]) != table.brief.end()) keep.push_back(i);
    Table out;
    for (std::size_t i : keep) out.columns.push_back(table.columns[i]);
    for (const auto& row : table.rows) {
        std::vector<nlohmann::json> r;
        for (std::size_t i : keep) r.push_back(i < row.size() ? row[i] : nlohmann::json());
        out.rows.push_back(std::move(r));
    }
    return out;
}
} // namespace

std::string nested_dump(const nlohmann::json& value, int indent, int depth, bool indent_first) {
    const std::string pad(static_cast<std::size_t>(indent * depth), ' ');
    const std::string text = value.dump(indent);
    std::string out = indent_first ? pad : std::string();
    out.reserve(text.size() + pad.size() * 8);
    for (char c : text) {
        out += c;
        if (c == '\n') out += pad;
    }
    return out;
}

RowPrinter::RowPrinter(std::vector<std::string> columns, Format format, std::ostream& out)
    : m_columns(std::move(columns)), m_format(format), m_out(&out) {
    if (format != Format::csv && format != Format::json) throw InternalError("RowPrinter prints csv or json only");
    if (format == Format::csv) {
        for (std::size_t i = 0; i < m_columns.size(); ++i) out << (i ? "," : "") << csv_escape(m_columns[i]);
        out << "\n";
    }
}

void RowPrinter::add(const std::vector<nlohmann::json>& row) {
    std::ostream& out = *m_out;
    if (m_format == Format::csv) {
        for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_escape(cell_text(row[i]));
        out << "\n";
    } else {
        // As nlohmann's dump(2) of the whole array: "[\n", elements indented one level and
        // separated by ",\n", then "\n]".
        nlohmann::json obj = nlohmann::json::object();
        for (std::size_t i = 0; i < m_columns.size() && i < row.size(); ++i) obj[m_columns[i]] = row[i];
        out << (m_rows == 0 ? "[\n" : ",\n") << nested_dump(obj, 2, 1);
    }
    ++m_rows;
}

void RowPrinter::finish() {
    if (m_format == Format::json) *m_out << (m_rows == 0 ? "[]" : "\n]") << "\n";
}

void print(const Table& full, Format format, std::ostream& out, std::size_t max_width) {
    if (full.whole) max_width = 0;
    const Table narrowed = max_width > 0 && format == Format::table ? brief_of(full) : Table();
    const Table& table = max_width > 0 && format == Format::table ? narrowed : full;
    switch (format) {
    case Format::json:
    case Format::csv: {
        RowPrinter p(table.columns, format, out);
        for (const auto& row : table.rows) p.add(row);
        p.finish();
        return;
    }
    default: {
        std::vector<std::size_t> w(table.columns.size());
        for (std::size_t i = 0; i < w.size(); ++i) w[i] = width(table.columns[i]);
        std::vector<std::vector<std::string>> text;
        for (const auto& row : table.rows) {
            std::vector<std::string> r;
            for (std::size_t i = 0; i < row.size() && i < w.size(); ++i) {
                r.push_back(cell_text(row[i]));
                w[i] = std::max(w[i], width(r.back()));
            }
            text.push_back(std::move(r));
        }
        if (max_width > 0) {
            // Shrink the widest column, one character at a time, down to its header (at least 6).
            auto total = [&] {
                std::size_t n = 0;
                for (std::size_t x : w) n += x + 2;
                return n > 2 ? n - 2 : n;
            };
            while (total() > max_width) {
                auto widest = std::max_element(w.begin(), w.end());
                const std::size_t i = static_cast<std::size_t>(widest - w.begin());
                if (*widest <= std::max<std::size_t>(6, width(table.columns[i]))) break;
                --*widest;
            }
            for (auto& r : text)
                for (std::size_t i = 0; i < r.size(); ++i) r[i] = cut(r[i], w[i]);
        }
        auto line = [&](const std::vector<std::string>& cells) {
            std::string s;
            for (std::size_t i = 0; i < cells.size(); ++i) {
                s += cells[i];
                if (i + 1 < cells.size()) s += std::string(w[i] - width(cells[i]) + 2, ' ');
            }
            out << s << "\n";
        };
        line(table.columns);
        std::vector<std::string> rule;
        rule.reserve(w.size());
        for (const std::size_t n : w) rule.emplace_back(n, '-');
        line(rule);
        for (const auto& r : text) line(r);
        if (table.rows.empty()) out << "(none)\n";
    }
    }
}

// ---------------------------------------------------------------------------------------------
// OutputFile

namespace {

namespace fs = std::filesystem;

[[noreturn]] void io_fail(const std::string& path, const std::string& what, int error) {
    throw IoError(what + ": " + std::strerror(error), Context{}.file(path));
}

/// The file `path` names, following symlinks (relative targets from the link's directory); the
/// last one may name a file that does not exist yet, which is then created there.
fs::path resolve_target(const std::string& path) {
    fs::path p = fs::absolute(path);
    for (int hops = 0;; ++hops) {
        std::error_code ec;
        if (!fs::is_symlink(fs::symlink_status(p, ec))) break;
        if (hops == 40) throw UsageError("too many levels of symbolic links", Context{}.file(path));
        fs::path link = fs::read_symlink(p, ec);
        if (ec) io_fail(path, "cannot read the symbolic link", ec.value());
        p = link.is_absolute() ? link : p.parent_path() / link;
    }
    return fs::weakly_canonical(p); // directories above resolved too (the rename is in the real one)
}

/// A buffered stream buffer over a file descriptor that keeps the first write error's errno.
class DescriptorBuffer final : public std::streambuf {
public:
    explicit DescriptorBuffer(int fd) : m_fd(fd) { setp(m_buffer.data(), m_buffer.data() + m_buffer.size()); }
    int error() const { return m_error; }
    bool drain() {
        const char* p = pbase();
        auto left = static_cast<std::size_t>(pptr() - pbase());
        while (left > 0 && m_error == 0) {
            ssize_t n = ::write(m_fd, p, left);
            if (n < 0) {
                if (errno == EINTR) continue;
                m_error = errno;
                break;
            }
            p += n;
            left -= static_cast<std::size_t>(n);
        }
        setp(m_buffer.data(), m_buffer.data() + m_buffer.size());
        return m_error == 0;
    }

protected:
    int_type overflow(int_type c) override {
        if (!drain()) return traits_type::eof();
        if (!traits_type::eq_int_type(c, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(c);
            pbump(1);
        }
        return traits_type::not_eof(c);
    }
    int sync() override { return drain() ? 0 : -1; }

private:
    int m_fd;
    int m_error = 0;
    std::array<char, std::size_t{1} << 16> m_buffer{};
};

} // namespace

struct OutputFile::Impl {
    std::string path; // as given
    fs::path target;  // the file written, symlinks followed
    std::string temp; // in target's directory
    bool overwrite = false;
    std::vector<std::pair<dev_t, ino_t>> inputs; // device and inode of each existing input
    int fd = -1;
    std::unique_ptr<DescriptorBuffer> buffer;
    std::unique_ptr<std::ostream> stream;
    bool committed = false;

    /// The refusals: the target is an input, not a regular file, or exists without --overwrite.
    void check_target() const {
        struct stat st {};
        if (::stat(target.c_str(), &st) != 0) {
            if (errno == ENOENT) return;
            io_fail(path, "cannot examine the output file", errno);
        }
        for (const auto& [dev, ino] : inputs)
            if (st.st_dev == dev && st.st_ino == ino)
                throw UsageError("the output file is the store or an input of this command: writing it would destroy them; choose another output "
                                 "file (--overwrite does not allow this)",
                                 Context{}.file(path));
        if (!S_ISREG(st.st_mode)) throw UsageError("the output exists and is not a regular file; choose a file name", Context{}.file(path));
        if (!overwrite) throw UsageError("the output file exists; give --overwrite to replace it", Context{}.file(path));
    }

    void close_descriptor() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

OutputFile::OutputFile(std::string path, bool overwrite, const std::vector<std::string>& inputs) : m_impl(std::make_unique<Impl>()) {
    Impl& m = *m_impl;
    m.path = std::move(path);
    m.overwrite = overwrite;
    if (m.path.empty()) throw UsageError("the output file name is empty");
    for (const auto& in : inputs) {
        struct stat st {};
        if (::stat(in.c_str(), &st) == 0) m.inputs.emplace_back(st.st_dev, st.st_ino);
    }
    m.target = resolve_target(m.path);
    m.check_target();

    // Reserve the temporary name now: an unwritable directory fails before any work is done.
    const std::string stem = m.target.stem().string(), ext = m.target.extension().string();
    const fs::path dir = m.target.parent_path();
    for (int n = 0; m.fd < 0; ++n) {
        m.temp = (dir / fmt::format(".{}.tmp-{}{}{}", stem, ::getpid(), n ? fmt::format("-{}", n) : "", ext)).string();
        m.fd = ::open(m.temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (m.fd < 0 && (errno != EEXIST || n == 100)) io_fail(m.path, "cannot create a file in " + dir.string(), errno);
    }
}

OutputFile::~OutputFile() {
    if (!m_impl || m_impl->committed) return;
    m_impl->stream.reset();
    m_impl->close_descriptor();
    ::unlink(m_impl->temp.c_str());
    for (const char* sidecar : {"-journal", "-wal", "-shm"}) ::unlink((m_impl->temp + sidecar).c_str()); // SQLite's (GDAL's GPKG), if left
}

const std::string& OutputFile::path() const {
    return m_impl->path;
}
const std::string& OutputFile::temp_path() const {
    return m_impl->temp;
}

std::ostream& OutputFile::stream() {
    Impl& m = *m_impl;
    if (!m.stream) {
        if (m.fd < 0) throw InternalError("OutputFile::stream() after commit()");
        m.buffer = std::make_unique<DescriptorBuffer>(m.fd);
        m.stream = std::make_unique<std::ostream>(m.buffer.get());
    }
    return *m.stream;
}

void OutputFile::commit() {
    Impl& m = *m_impl;
    if (m.committed) return;
    if (m.buffer) {
        m.buffer->drain();
        if (m.buffer->error()) io_fail(m.path, "writing failed", m.buffer->error());
        m.stream.reset();
        m.buffer.reset();
    }
    // GDAL may have replaced the reserved file: fsync what is at the name now.
    m.close_descriptor();
    {
        int fd = ::open(m.temp.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) io_fail(m.path, "cannot reopen the written file " + m.temp, errno);
        const int synced = ::fsync(fd), error = errno;
        const int closed = ::close(fd);
        if (synced != 0) io_fail(m.path, "fsync failed", error);
        if (closed != 0) io_fail(m.path, "close failed", errno);
    }
    m.check_target(); // again: the name may have been taken while the content was written
    if (m.overwrite) {
        if (::rename(m.temp.c_str(), m.target.c_str()) != 0) io_fail(m.path, "cannot rename " + m.temp + " into place", errno);
    } else if (::renameat2(AT_FDCWD, m.temp.c_str(), AT_FDCWD, m.target.c_str(), RENAME_NOREPLACE) != 0) {
        int error = errno;
        if (error == EINVAL || error == ENOSYS) { // a file system without RENAME_NOREPLACE: link() also refuses an existing name
            error = ::link(m.temp.c_str(), m.target.c_str()) == 0 ? 0 : errno;
            if (error == 0) ::unlink(m.temp.c_str());
        }
        if (error == EEXIST) throw UsageError("the output file exists; give --overwrite to replace it", Context{}.file(m.path));
        if (error != 0) io_fail(m.path, "cannot rename " + m.temp + " into place", error);
    }
    m.committed = true;
    const std::string dir = m.target.parent_path().string();
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const int synced = fd < 0 ? -1 : ::fsync(fd), error = errno;
    if (fd >= 0) ::close(fd);
    if (synced != 0) io_fail(m.path, "the file is in place, but fsync of its directory failed, so it may not survive a power loss", error);
}

void add_overwrite_flag(CLI::App& cmd, bool& overwrite) {
    cmd.add_flag("--overwrite", overwrite, "Replace the output file when it exists (default: refuse; never the store or an input)");
}

std::string html_text(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

} // namespace avf::cli
