// StoreTransaction and RunWriter: copy-on-write, atomically published writes to the store.

#include "core/error.hpp"
#include "storage/codec.hpp"
#include "storage/crash_point.hpp"
#include "storage/hdf5_handle.hpp"
#include "storage/schema.hpp"
#include "storage/store.hpp"
#include "storage/store_file.hpp"
#include "storage/table.hpp"
#include "storage/wkb.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <optional>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace avf::storage {
namespace {

[[noreturn]] void posix_fail(const std::string& file, const std::string& what, int error) {
    throw IoError(what + ": " + std::strerror(error), Context{}.file(file));
}

/// A file descriptor closed on scope exit (close errors on read-only or lock descriptors carry
/// no data, so they are not reported).
class Descriptor {
public:
    explicit Descriptor(int fd = -1) : m_fd(fd) {}
    ~Descriptor() { reset(); }
    Descriptor(Descriptor&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)) {}
    Descriptor& operator=(Descriptor&& o) noexcept {
        if (this != &o) {
            reset();
            m_fd = std::exchange(o.m_fd, -1);
        }
        return *this;
    }
    [[nodiscard]] int get() const { return m_fd; }
    void reset() noexcept {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        m_fd = -1;
    }

private:
    int m_fd;
};

void fsync_path(const std::string& path, int flags, const std::string& what) {
    Descriptor fd(::open(path.c_str(), flags | O_CLOEXEC));
    if (fd.get() < 0) {
        posix_fail(path, "open for " + what, errno);
    }
    if (::fsync(fd.get()) != 0) {
        posix_fail(path, what, errno);
    }
}

std::string directory_of(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    return dir.empty() ? "." : dir;
}

/// The transaction's file, shared with the RunWriter it hands out (which may outlive it).
struct FileState {
    std::string path;      ///< the published store
    std::string temp_path; ///< where this transaction writes
    h5::File file;
    std::atomic<bool> failed = false; ///< a write failed after it began: the file must never be published
    std::string run_in_progress; ///< run id begun and not finished, "" when none
    bool ended = false;          ///< committed or abandoned: the file is closed

    void require_open(std::string_view operation) const {
        if (ended || !file) {
            throw InternalError(std::string(operation) + " after the transaction ended");
        }
        if (failed) {
            throw InternalError(std::string(operation) + " after a failed write; the transaction can only be abandoned");
        }
    }
    [[nodiscard]] hid_t root() const { return file.get(); }
};

/// Runs `write`; any exception marks the transaction failed, because something may already be in
/// the file (a write error is never retried or ignored, and never published).
template <typename Write> auto guarded(FileState& state, Write&& write) {
    try {
        return write();
    } catch (...) {
        state.failed = true;
        throw;
    }
}

/// Encodes `files` into rows of `schema`, validating every value.
std::vector<std::uint8_t> encode_files(const TableSchema& schema, const std::vector<InputFile>& files) {
    std::vector<std::uint8_t> rows(files.size() * schema.row_size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        encode_source_file(schema, files[i], rows.data() + i * schema.row_size());
    }
    return rows;
}

void append_table(hid_t group, const TableSchema& schema, const std::vector<std::uint8_t>& rows,
                  std::vector<std::pair<std::string, DigestResult>>& digests, const std::string& path) {
    Appender table = Appender::create_table(group, schema, path);
    table.append(rows.data(), rows.size() / schema.row_size());
    digests.emplace_back(schema.name(), table.finish());
}

void append_heap(hid_t group, const std::string& name, const std::string& description, const std::string& bytes,
                 std::vector<std::pair<std::string, DigestResult>>& digests, const std::string& path) {
    Appender heap = Appender::create_heap(group, name, description, path);
    heap.append_bytes(bytes);
    digests.emplace_back(name, heap.finish());
}

/// Problems of a batch, encoded: rows plus the text to append to problem_text at `text_base`.
struct EncodedProblems {
    std::vector<std::uint8_t> rows;
    std::string text;
};

EncodedProblems encode_problems(const std::vector<Problem>& problems, std::uint64_t text_base) {
    const TableSchema& schema = problems_table();
    EncodedProblems out;
    out.rows.resize(problems.size() * schema.row_size());
    for (std::size_t i = 0; i < problems.size(); ++i) {
        encode_problem(problems[i], out.rows.data() + i * schema.row_size(), text_base, out.text);
    }
    return out;
}

const char* problem_text_description() {
    return "UTF-8 text of problems: message, file, layer, feature, record, field, value, expected, addressed by "
           "problems.<field>_offset/_length";
}

} // namespace

std::vector<std::string> leftover_temporary_files(const std::string& store_path) {
    namespace fs = std::filesystem;
    const std::string prefix = fs::path(store_path).filename().string() + ".tmp-";
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(directory_of(store_path), ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
            std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            out.push_back((fs::path(directory_of(store_path)) / name).string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// =============================================================================================
// RunWriter

struct RunWriter::Impl {
    std::shared_ptr<FileState> state;
    RunHeader header;
    std::string zone_set_digest;
    h5::Group group;
    std::optional<Appender> findings, explanations, evidence, problems, problem_text;
    bool finished = false;
    /// Digests of the imagery members (schema 2), in commit order; empty when none were written.
    std::vector<std::pair<std::string, DigestResult>> imagery;
    bool has_imagery = false;

    ~Impl() {
        if (state->ended) {
            // The file was closed with H5F_CLOSE_STRONG, which closed these identifiers too.
            group.release();
            for (auto* a : {&findings, &explanations, &evidence, &problems, &problem_text}) {
                if (*a) {
                    (*a)->release();
                }
            }
        }
    }

    void require_writable(std::string_view operation) const {
        state->require_open(operation);
        if (finished) {
            throw InternalError(std::string(operation) + " after run " + header.run_id + " was finished");
        }
    }
};

RunWriter::RunWriter(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
RunWriter::RunWriter(RunWriter&&) noexcept = default;
RunWriter& RunWriter::operator=(RunWriter&&) noexcept = default;
RunWriter::~RunWriter() = default;

const std::string& RunWriter::run_id() const {
    return m_impl->header.run_id;
}

void RunWriter::append_findings(const std::vector<Finding>& batch) {
    write(prepare_findings(batch));
}

RunWriter::Prepared RunWriter::prepare_findings(const std::vector<Finding>& batch) {
    Impl& run = *m_impl;
    run.require_writable("prepare_findings");
    const TableSchema& f_schema = findings_table();
    const TableSchema& e_schema = evidence_table();

    // Encode and check the whole batch before staging any of it.
    std::size_t n_evidence = 0;
    for (const Finding& f : batch) {
        n_evidence += f.evidence.size();
    }
    std::vector<std::uint8_t> f_rows(batch.size() * f_schema.row_size());
    std::vector<std::uint8_t> e_rows(n_evidence * e_schema.row_size());
    std::string text;
    std::uint64_t finding_row = run.findings->size();
    std::uint64_t evidence_row = run.evidence->size();
    std::size_t e = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const Finding& f = batch[i];
        encode_finding(f, evidence_row + e, f_rows.data() + i * f_schema.row_size(), run.explanations->size(), text);
        for (const Evidence& ev : f.evidence) {
            std::int64_t input = input_index(run.header.inputs, ev.source_file, "evidence of finding " + f.id);
            encode_evidence(f, finding_row + i, ev, input, e_rows.data() + e * e_schema.row_size());
            ++e;
        }
    }
    // Staging changes the digests and offsets: a failure part-way leaves the run unusable.
    return guarded(*run.state, [&] {
        Prepared out;
        out.findings = run.findings->stage(f_rows.data(), batch.size());
        out.evidence = run.evidence->stage(e_rows.data(), n_evidence);
        out.explanations = run.explanations->stage_bytes(text);
        return out;
    });
}

void RunWriter::write(const Prepared& prepared) {
    h5::init_thread();
    Impl& run = *m_impl;
    run.require_writable("write findings");
    guarded(*run.state, [&] {
        for (const auto& c : prepared.findings) run.findings->write_chunk(c);
        for (const auto& c : prepared.evidence) run.evidence->write_chunk(c);
        for (const auto& c : prepared.explanations) run.explanations->write_chunk(c);
    });
    crash_point("findings-batch");
}

void RunWriter::append_problems(const std::vector<Problem>& batch) {
    h5::init_thread();
    Impl& run = *m_impl;
    run.require_writable("append_problems");
    EncodedProblems encoded = encode_problems(batch, run.problem_text->size());
    guarded(*run.state, [&] {
        run.problems->append(encoded.rows.data(), batch.size());
        run.problem_text->append_bytes(encoded.text);
    });
    crash_point("problems");
}

void RunWriter::write_imagery(const RunImagery& imagery) {
    h5::init_thread();
    Impl& run = *m_impl;
    run.require_writable("write_imagery");
    if (run.has_imagery) throw InternalError("write_imagery called twice for run " + run.header.run_id);

    // Encode and check everything before writing anything.
    const TableSchema& i_schema = images_table();
    std::vector<std::uint8_t> image_rows(imagery.images.size() * i_schema.row_size());
    std::string image_wkb;
    for (std::size_t i = 0; i < imagery.images.size(); ++i) {
        const ImageRecord& im = imagery.images[i];
        std::string wkb = to_wkb(im.footprint);
        std::int64_t input = input_index(run.header.inputs, im.origin.file, "image " + im.id.str());
        encode_image(im, input, image_wkb.size(), wkb.size(), image_rows.data() + i * i_schema.row_size());
        image_wkb += wkb;
    }
    const TableSchema& f_schema = flights_table();
    std::vector<std::uint8_t> flight_rows(imagery.flights.size() * f_schema.row_size());
    std::string flight_wkb;
    for (std::size_t i = 0; i < imagery.flights.size(); ++i) {
        const FlightRecord& f = imagery.flights[i];
        std::string track = to_wkb(MultiLineString{f.track});
        std::string route = f.route.empty() ? to_wkb(MultiLineString{}) : to_wkb(MultiLineString{f.route});
        std::int64_t input = input_index(run.header.inputs, f.track_file, "flight " + f.flight_id);
        std::int64_t route_input = input_index(run.header.inputs, f.route_file, "route of flight " + f.flight_id);
        const std::uint64_t track_at = flight_wkb.size();
        flight_wkb += track;
        encode_flight(f, input, route_input, track_at, track.size(), flight_wkb.size(), route.size(), flight_rows.data() + i * f_schema.row_size());
        flight_wkb += route;
    }
    const TableSchema& c_schema = coverage_table();
    std::vector<std::uint8_t> coverage_rows(imagery.coverage.size() * c_schema.row_size());
    std::string coverage_wkb;
    for (std::size_t i = 0; i < imagery.coverage.size(); ++i) {
        const CoverageRecord& c = imagery.coverage[i];
        std::string wkb = to_wkb(c.uncovered);
        encode_coverage(c, coverage_wkb.size(), wkb.size(), coverage_rows.data() + i * c_schema.row_size());
        coverage_wkb += wkb;
    }

    const std::string& path = run.state->temp_path;
    guarded(*run.state, [&] {
        // A store holding a run with imagery is schema 2: older builds must refuse it, not
        // misreport the run's longer commit record as damage.
        if (h5::read_int_attribute(run.state->root(), "schema_version", path) < schema_version) {
            h5::write_int_attribute(run.state->root(), "schema_version", schema_version, path);
        }
        hid_t group = run.group.get();
        append_table(group, i_schema, image_rows, run.imagery, path);
        append_heap(group, layout::image_wkb, "Image footprints as WKB MultiPolygons, addressed by images.wkb_offset/_length", image_wkb, run.imagery, path);
        append_table(group, f_schema, flight_rows, run.imagery, path);
        append_heap(group, layout::flight_wkb,
                    "Flight tracks and planned routes as WKB MultiLineStrings, addressed by flights.track_wkb_* and route_wkb_*", flight_wkb, run.imagery,
                    path);
        append_table(group, c_schema, coverage_rows, run.imagery, path);
        append_heap(group, layout::coverage_wkb, "Uncovered parts of zones as WKB MultiPolygons, addressed by coverage.uncovered_wkb_offset/_length",
                    coverage_wkb, run.imagery, path);
    });
    run.has_imagery = true;
}

void RunWriter::finish(const RunSummary& summary) {
    h5::init_thread();
    Impl& run = *m_impl;
    run.require_writable("finish");
    const std::string& path = run.state->temp_path;

    // Complete the inputs known at the start with what the run counted.
    std::vector<InputFile> inputs = run.header.inputs;
    for (const InputFile& s : summary.inputs) {
        auto same = std::find_if(inputs.begin(), inputs.end(), [&](const InputFile& f) { return f.path == s.path && f.role == s.role; });
        if (same == inputs.end()) {
            inputs.push_back(s);
            continue;
        }
        same->records_read = s.records_read;
        same->records_rejected = s.records_rejected;
        if (same->sha256.empty()) {
            same->sha256 = s.sha256;
        }
        if (same->size == 0) {
            same->size = s.size;
        }
    }
    std::vector<std::uint8_t> input_rows = encode_files(inputs_table(), inputs);
    const TableSchema& s_schema = summary_table();
    std::vector<std::uint8_t> summary_rows(summary.rows.size() * s_schema.row_size());
    for (std::size_t i = 0; i < summary.rows.size(); ++i) {
        encode_summary(summary.rows[i], summary_rows.data() + i * s_schema.row_size());
    }
    std::string finished = time_text(summary.finished, "finished");
    std::string status = summary.status.empty() ? "complete" : summary.status;

    guarded(*run.state, [&] {
        hid_t group = run.group.get();
        h5::write_string_attribute(group, "finished", finished, path);
        h5::write_string_attribute(group, "status", status, path);

        std::vector<std::pair<std::string, DigestResult>> digests;
        digests.emplace_back(layout::attributes, attribute_digest(read_attributes(group, run_attribute_names(), path)));
        digests.emplace_back(layout::regime_text, text_digest(run.header.regime_text));
        append_table(group, inputs_table(), input_rows, digests, path);
        digests.emplace_back(layout::findings, run.findings->finish());
        digests.emplace_back(layout::explanations, run.explanations->finish());
        digests.emplace_back(layout::evidence, run.evidence->finish());
        digests.emplace_back(layout::problems, run.problems->finish());
        digests.emplace_back(layout::problem_text, run.problem_text->finish());
        append_table(group, summary_table(), summary_rows, digests, path);
        for (auto& d : run.imagery) digests.push_back(std::move(d));
        crash_point("run-tables");
        for (auto* a : {&run.findings, &run.explanations, &run.evidence, &run.problems, &run.problem_text}) {
            a->reset();
        }

        // The commit record is the last thing written to the run: without it the run is incomplete.
        std::string content_digest =
            write_commit_record(group, digests, run.has_imagery ? imagery_run_commit_entries() : run_commit_entries(), path);
        h5::check(run.group.close(), path, "close run " + run.header.run_id);
        crash_point("run-commit");

        // Then the run joins the audit chain.
        h5::Group audit = h5::open_group(run.state->root(), layout::audit, path);
        Appender chain = Appender::open_table(audit.get(), chain_table(), path);
        ChainRow row;
        row.sequence = chain.size() + 1;
        row.run_id = run.header.run_id;
        row.content_digest = content_digest;
        row.previous_digest = genesis_digest;
        if (chain.size() > 0) {
            h5::Dataset ds = open_table(audit.get(), chain_table(), path);
            auto last = read_rows(ds.get(), chain_table(), chain.size() - 1, 1, path);
            row.previous_digest = decode_chain(last.data()).digest;
        }
        row.digest = chain_digest(row.previous_digest, row.run_id, row.content_digest);
        std::vector<std::uint8_t> bytes(chain_table().row_size());
        encode_chain(row, bytes.data());
        chain.append(bytes.data(), 1);
        chain.finish();
        crash_point("chain");
    });
    run.finished = true;
    run.state->run_in_progress.clear();
}

// =============================================================================================
// StoreTransaction

struct StoreTransaction::Impl {
    std::shared_ptr<FileState> state = std::make_shared<FileState>();
    Descriptor lock;
    bool temp_created = false;

    ~Impl() {
        if (!state->ended) {
            state->file.reset(); // H5F_CLOSE_STRONG: closes every object still open in the file
            state->ended = true;
        }
        if (temp_created) {
            ::unlink(state->temp_path.c_str()); // abandoned: the published store is untouched
        }
        // The lock is released when the descriptor closes (last member destroyed).
    }

    void acquire_lock() {
        std::string lock_path = state->path + ".lock";
        lock = Descriptor(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666));
        if (lock.get() < 0) {
            posix_fail(lock_path, "cannot open the store's lock file", errno);
        }
        if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
            int error = errno;
            if (error == EWOULDBLOCK) {
                throw IoError("another process is writing this store (lock held on " + lock_path + ")", Context{}.file(state->path));
            }
            posix_fail(lock_path, "cannot lock the store", error);
        }
    }

    /// Temporary files of writers that died (kill -9, power loss) before publishing. We hold the
    /// lock, and a writer creates its temporary file only while holding it, so every one of them
    /// is stale: none can ever be published, and each may be as large as the store.
    void remove_stale_temporaries() const {
        for (const std::string& stale : leftover_temporary_files(state->path)) {
            if (::unlink(stale.c_str()) != 0 && errno != ENOENT) {
                posix_fail(stale, "cannot remove a stale temporary file of an interrupted write", errno);
            }
        }
    }

    void open_copy_or_create() {
        const std::string& temp = state->temp_path;
        // A leftover from a process that died with this pid; we hold the lock, so nobody uses it.
        if (::unlink(temp.c_str()) != 0 && errno != ENOENT) {
            posix_fail(temp, "cannot remove stale temporary file", errno);
        }
        struct stat st {};
        bool published = ::stat(state->path.c_str(), &st) == 0;
        if (!published && errno != ENOENT) {
            posix_fail(state->path, "cannot stat the store", errno);
        }

        h5::PropList fapl = h5::store_file_access(temp);
        if (published) {
            temp_created = true;
            std::error_code ec;
            std::filesystem::copy_file(state->path, temp, std::filesystem::copy_options::overwrite_existing, ec);
            if (ec) {
                throw IoError("cannot copy the store to " + temp + ": " + ec.message(), Context{}.file(state->path));
            }
            crash_point("copy");
            state->file = h5::File(h5::check_id(H5Fopen(temp.c_str(), H5F_ACC_RDWR, fapl.get()), temp, "open store copy"));
            check_store_root(state->root(), state->path);
            for (const char* group : {layout::zones, layout::runs, layout::audit}) {
                if (!h5::link_exists(state->root(), group, temp)) {
                    throw IoError(std::string("not an avf store (group /") + group + " is missing)", Context{}.file(state->path));
                }
            }
        } else {
            // The root group, like every object, without modification times: same content, same bytes.
            h5::PropList fcpl(h5::check_id(H5Pcreate(H5P_FILE_CREATE), temp, "create file properties"));
            h5::check(H5Pset_obj_track_times(fcpl.get(), false), temp, "disable time tracking");
            state->file = h5::File(h5::check_id(H5Fcreate(temp.c_str(), H5F_ACC_EXCL, fcpl.get(), fapl.get()), temp, "create store"));
            temp_created = true;
            write_store_root(state->root(), temp);
            h5::create_group(state->root(), layout::zones, true, temp);
            h5::create_group(state->root(), layout::runs, true, temp);
            h5::Group audit = h5::create_group(state->root(), layout::audit, false, temp);
            Appender::create_table(audit.get(), chain_table(), temp).finish();
        }
    }
};

StoreTransaction::StoreTransaction(std::string path) : m_impl(std::make_unique<Impl>()) {
    h5::init_thread();
    FileState& state = *m_impl->state;
    state.path = std::move(path);
    state.temp_path = state.path + ".tmp-" + std::to_string(::getpid());
    m_impl->acquire_lock();
    crash_point("lock");
    m_impl->remove_stale_temporaries();
    m_impl->open_copy_or_create();
    crash_point("open");
}

StoreTransaction::~StoreTransaction() = default;

const std::string& StoreTransaction::path() const {
    return m_impl->state->path;
}

bool StoreTransaction::has_zone_set(const std::string& name) const {
    h5::init_thread();
    const FileState& state = *m_impl->state;
    state.require_open("has_zone_set");
    if (!is_valid_group_name(name)) {
        return false;
    }
    h5::Group zones = h5::open_group(state.root(), layout::zones, state.temp_path);
    return h5::link_exists(zones.get(), name, state.temp_path);
}

bool StoreTransaction::has_run(const std::string& run_id) const {
    h5::init_thread();
    const FileState& state = *m_impl->state;
    state.require_open("has_run");
    if (!is_valid_group_name(run_id)) {
        return false;
    }
    h5::Group runs = h5::open_group(state.root(), layout::runs, state.temp_path);
    return h5::link_exists(runs.get(), run_id, state.temp_path);
}

void StoreTransaction::write_zone_set(const ZoneSet& set) {
    h5::init_thread();
    FileState& state = *m_impl->state;
    state.require_open("write_zone_set");
    check_group_name(set.name, "zone set name");
    if (has_zone_set(set.name)) {
        throw InputError("zone set " + set.name + " already exists in " + state.path + "; import under a new name");
    }
    const std::string& path = state.temp_path;

    // Encode and check everything before the first write.
    std::vector<std::uint8_t> source_rows = encode_files(sources_table(), set.sources);
    const TableSchema& z_schema = zones_table();
    std::vector<std::uint8_t> zone_rows(set.zones.size() * z_schema.row_size());
    std::string zone_wkb;
    for (std::size_t i = 0; i < set.zones.size(); ++i) {
        const Zone& z = set.zones[i];
        std::string wkb = to_wkb(z.geometry);
        encode_zone(z, input_index(set.sources, z.source.file, "zone " + z.id.str()), zone_wkb.size(), wkb.size(),
                    zone_rows.data() + i * z_schema.row_size());
        zone_wkb += wkb;
    }
    const TableSchema& l_schema = lines_table();
    std::vector<std::uint8_t> line_rows(set.lines.size() * l_schema.row_size());
    std::string line_wkb;
    for (std::size_t i = 0; i < set.lines.size(); ++i) {
        const ReferenceLine& l = set.lines[i];
        std::string wkb = to_wkb(l.geometry);
        encode_line(l, input_index(set.sources, l.source.file, "line " + l.id.str()), line_wkb.size(), wkb.size(),
                    line_rows.data() + i * l_schema.row_size());
        line_wkb += wkb;
    }
    EncodedProblems problems = encode_problems(set.problems, 0);
    std::vector<std::pair<std::string, std::string>> attributes = {
        {"name", set.name}, {"imported_utc", set.imported_utc}, {"options_json", set.options_json}};

    guarded(state, [&] {
        h5::Group zones = h5::open_group(state.root(), layout::zones, path);
        h5::Group group = h5::create_group(zones.get(), set.name, false, path);
        for (const auto& [name, value] : attributes) {
            h5::write_string_attribute(group.get(), name, value, path);
        }

        std::vector<std::pair<std::string, DigestResult>> digests;
        digests.emplace_back(layout::attributes, attribute_digest(read_attributes(group.get(), zone_set_attribute_names(), path)));
        append_table(group.get(), sources_table(), source_rows, digests, path);
        append_table(group.get(), zones_table(), zone_rows, digests, path);
        append_heap(group.get(), layout::zone_wkb,
                    "OGC WKB MultiPolygon (little-endian) of each zone, addressed by "
                    "zones.wkb_offset/wkb_length",
                    zone_wkb, digests, path);
        append_table(group.get(), lines_table(), line_rows, digests, path);
        append_heap(group.get(), layout::line_wkb,
                    "OGC WKB MultiLineString (little-endian) of each line, addressed by "
                    "lines.wkb_offset/wkb_length",
                    line_wkb, digests, path);
        append_table(group.get(), problems_table(), problems.rows, digests, path);
        append_heap(group.get(), layout::problem_text, problem_text_description(), problems.text, digests, path);
        crash_point("zone-set-tables");
        write_commit_record(group.get(), digests, zone_set_commit_entries(), path);
        crash_point("zone-set-commit");
    });
}

RunWriter StoreTransaction::begin_run(const RunHeader& header) {
    h5::init_thread();
    FileState& state = *m_impl->state;
    state.require_open("begin_run");
    check_group_name(header.run_id, "run id");
    if (!state.run_in_progress.empty()) {
        throw InternalError("begin_run(" + header.run_id + ") while run " + state.run_in_progress + " is not finished");
    }
    if (has_run(header.run_id)) {
        throw InputError("run " + header.run_id + " already exists in " + state.path + "; choose a new run id");
    }
    const std::string& path = state.temp_path;

    // Check what can be checked before writing: input rows, the start time, the regime text.
    encode_files(inputs_table(), header.inputs);
    std::string started = time_text(header.started, "started");
    if (header.regime_text.find('\0') != std::string::npos) {
        throw InputError("the regime text contains a NUL byte and cannot be kept verbatim", Context{}.file(state.path));
    }

    auto impl = std::make_unique<RunWriter::Impl>();
    impl->state = m_impl->state;
    impl->header = header;
    if (has_zone_set(header.zone_set)) {
        h5::Group zones = h5::open_group(state.root(), layout::zones, path);
        h5::Group set = h5::open_group(zones.get(), header.zone_set, path);
        if (h5::link_exists(set.get(), layout::commit, path)) {
            h5::Dataset commit = h5::open_dataset(set.get(), layout::commit, path);
            impl->zone_set_digest = h5::read_string_attribute(commit.get(), layout::digest_attribute, path);
        }
    }

    guarded(state, [&] {
        h5::Group runs = h5::open_group(state.root(), layout::runs, path);
        impl->group = h5::create_group(runs.get(), header.run_id, false, path);
        hid_t group = impl->group.get();
        const std::pair<const char*, std::string> attributes[] = {{"run_id", header.run_id},
                                                                  {"zone_set", header.zone_set},
                                                                  {"zone_set_digest", impl->zone_set_digest},
                                                                  {"regime_id", header.regime_id},
                                                                  {"tool_version", header.tool_version},
                                                                  {"started", started},
                                                                  {"finished", ""},
                                                                  {"status", "running"},
                                                                  {"options_json", header.options_json}};
        for (const auto& [name, value] : attributes) {
            h5::write_string_attribute(group, name, value, path);
        }
        h5::write_scalar_text(group, layout::regime_text, header.regime_text, path);
        impl->findings.emplace(Appender::create_table(group, findings_table(), path));
        impl->explanations.emplace(Appender::create_heap(
            group, layout::explanations, "UTF-8 explanation of each finding, addressed by findings.explanation_offset/_length", path));
        impl->evidence.emplace(Appender::create_table(group, evidence_table(), path));
        impl->problems.emplace(Appender::create_table(group, problems_table(), path));
        impl->problem_text.emplace(Appender::create_heap(group, layout::problem_text, problem_text_description(), path));
        crash_point("run-begin");
    });
    state.run_in_progress = header.run_id;
    return RunWriter(std::move(impl));
}

void StoreTransaction::commit() {
    h5::init_thread();
    FileState& state = *m_impl->state;
    state.require_open("commit");
    if (!state.run_in_progress.empty()) {
        throw InternalError("commit while run " + state.run_in_progress + " is not finished; nothing was published");
    }
    const std::string& temp = state.temp_path;
    guarded(state, [&] {
        // Closing flushes everything HDF5 still holds; its error is the write error.
        herr_t rc = state.file.close();
        state.ended = true;
        h5::check(rc, temp, "close store");
        crash_point("close");
        fsync_path(temp, O_RDONLY, "fsync store");
        crash_point("fsync");
        if (::rename(temp.c_str(), state.path.c_str()) != 0) {
            posix_fail(state.path, "cannot rename " + temp + " over the store", errno);
        }
        m_impl->temp_created = false;
        crash_point("rename");
        std::string dir = directory_of(state.path);
        // The new store is already in place (complete and verifiable); only its durability across
        // a power loss is in doubt. Still fatal (exit 4), and the message says what is true.
        fsync_path(dir, O_RDONLY | O_DIRECTORY,
                   "the new version of " + state.path + " is in place, but fsync of its directory failed, so it may not survive a power loss");
        crash_point("dir-fsync");
    });
    m_impl->lock.reset();
}

} // namespace avf::storage
