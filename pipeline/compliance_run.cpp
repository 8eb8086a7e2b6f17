#include "pipeline/compliance_run.hpp"

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "core/version.hpp"
#include "fusion/evaluator.hpp"
#include "fusion/finding_builder.hpp"
#include "fusion/image_coverage.hpp"
#include "fusion/regime.hpp"
#include "fusion/spill.hpp"
#include "fusion/zone_set_view.hpp"
#include "ingest/csv.hpp"
#include "ingest/declaration_reader.hpp"
#include "ingest/detection_reader.hpp"
#include "pipeline/imagery_inputs.hpp"
#include "fusion/imagery.hpp"

#include <nlohmann/json.hpp>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_pipeline.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <limits>
#include <cstring>
#include <thread>
#include <variant>

namespace avf::pipeline {
namespace {

using fusion::ByteReader;
using fusion::ByteWriter;
using fusion::RecordReader;
using fusion::SpillFile;

UtcTime now() {
    return UtcTime{std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count()};
}

std::string make_run_id(UtcTime started, const std::string& content_digest) {
    std::string t = format_utc(started); // 2027-03-04T10:15:00Z
    std::string compact;
    for (char c : t.substr(0, 19))
        if (c != '-' && c != ':') compact += c;
    return "run-" + compact + "Z-" + content_digest.substr(0, 8);
}

// ---------------------------------------------------------------------------------------------
// Id digests (the duplicate-id check without holding the ids)

struct IdDigest {
    std::uint64_t lo = 0, hi = 0;
    auto operator<=>(const IdDigest&) const = default;
};

// A fixed key: the same ids give the same digests on every run.
constexpr std::array<std::uint8_t, 16> k_digest_key = {'a', 'v', 'f', ':', 'r', 'u', 'n', ':', 'i', 'd', 's', ':', 'v', '1', '.', '0'};

IdDigest digest_of(const DetectionId& id) {
    const auto b = ingest::siphash_2_4_128(id.str(), k_digest_key);
    IdDigest d;
    std::memcpy(&d.lo, b.data(), 8);
    std::memcpy(&d.hi, b.data() + 8, 8);
    return d;
}

// Every good record's id digest, partitioned by its top byte into 64 KiB blocks of one spill file,
// so that the check at the end sorts one partition (1/256 of the digests) at a time.
class DigestSpool {
public:
    static constexpr std::size_t partitions = 256;
    static constexpr std::size_t block = 4096; // digests per spilled block

    explicit DigestSpool(std::string dir) : m_dir(std::move(dir)) {}

    void add(const IdDigest& d) {
        const std::size_t p = static_cast<std::size_t>(d.hi >> 56);
        auto& buf = m_buffers[p];
        buf.push_back(d);
        if (buf.size() == block) spill(p);
    }

    /// The digests seen more than once, sorted.
    std::vector<IdDigest> repeated() {
        if (m_file) m_file->flush();
        std::vector<std::vector<IdDigest>> found(partitions);
        tbb::parallel_for(std::size_t{0}, partitions, [&](std::size_t p) {
            std::vector<IdDigest> all;
            for (const auto& [offset, count] : m_blocks[p]) {
                const std::size_t at = all.size();
                all.resize(at + count);
                auto reader = m_file->reader(offset, count * sizeof(IdDigest));
                std::string_view piece;
                std::size_t filled = 0;
                while (reader.next(piece, count * sizeof(IdDigest))) {
                    std::memcpy(reinterpret_cast<char*>(all.data() + at) + filled, piece.data(), piece.size());
                    filled += piece.size();
                }
            }
            all.insert(all.end(), m_buffers[p].begin(), m_buffers[p].end());
            std::sort(all.begin(), all.end());
            for (std::size_t i = 1; i < all.size(); ++i)
                if (all[i] == all[i - 1] && (found[p].empty() || found[p].back() != all[i])) found[p].push_back(all[i]);
        });
        std::vector<IdDigest> out;
        for (auto& f : found) out.insert(out.end(), f.begin(), f.end());
        std::sort(out.begin(), out.end());
        return out;
    }

private:
    void spill(std::size_t p) {
        if (!m_file) m_file = std::make_unique<SpillFile>(m_dir);
        auto& buf = m_buffers[p];
        m_blocks[p].emplace_back(m_file->size(), buf.size());
        m_file->append(std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size() * sizeof(IdDigest)));
        buf.clear();
    }

    std::string m_dir;
    std::unique_ptr<SpillFile> m_file;
    std::array<std::vector<IdDigest>, partitions> m_buffers;
    std::array<std::vector<std::pair<std::uint64_t, std::size_t>>, partitions> m_blocks;
};

// ---------------------------------------------------------------------------------------------
// Findings: per-thread spools of sorted runs, merged at the end

// A finding with the input position of its detection: output order is (rule, target, time, id)
// and, for equal keys, this position — so the order never depends on threads or blocks.
struct Sequenced {
    std::uint64_t detection = 0; // input position of the detection (aggregates: after every detection)
    std::uint32_t k = 0;         // the detection's k-th finding
    Finding finding;
};

bool before(const Sequenced& a, const Sequenced& b) {
    if (fusion::finding_order(a.finding, b.finding)) return true;
    if (fusion::finding_order(b.finding, a.finding)) return false;
    return std::tie(a.detection, a.k) < std::tie(b.detection, b.k);
}

std::size_t approximate_bytes(const Finding& f) {
    std::size_t n = sizeof(Finding) + f.id.size() + f.rule_id.size() + f.rule_type.size() + f.article.size() + f.target_id.size() + f.party.size() +
                    f.equipment_class.size() + f.unit.size() + f.waiver_id.size() + f.explanation.size();
    for (const auto& e : f.evidence) n += sizeof(Evidence) + e.record_kind.size() + e.record_id.size() + e.source_file.size() + e.source_position.size();
    return n;
}

// A spilled finding: its sequence and the finding (what RunStream reads back).
void append_sequenced(SpillFile& file, ByteWriter& w, const Sequenced& s) {
    w.clear();
    w.u64(s.detection);
    w.u32(s.k);
    w.finding(s.finding);
    fusion::append_record(file, w.bytes());
}

class FindingSpool {
public:
    struct Run {
        const SpillFile* file;
        std::uint64_t offset, length;
    };

    FindingSpool(std::string dir, std::size_t budget) : m_dir(std::move(dir)), m_budget(budget) {}

    void add(Sequenced&& s) {
        m_bytes += approximate_bytes(s.finding);
        m_memory.push_back(std::move(s));
        if (m_bytes >= m_budget) spill();
    }
    /// Sorts what is in memory (call once, at the end).
    void seal() {
        std::sort(m_memory.begin(), m_memory.end(), before);
        if (m_file) m_file->flush();
    }
    std::vector<Sequenced>& memory() { return m_memory; }
    const std::vector<Run>& runs() const { return m_runs; }

private:
    void spill() {
        std::sort(m_memory.begin(), m_memory.end(), before);
        if (!m_file) m_file = std::make_unique<SpillFile>(m_dir);
        const std::uint64_t start = m_file->size();
        ByteWriter w;
        for (const auto& s : m_memory) append_sequenced(*m_file, w, s);
        m_runs.push_back(Run{m_file.get(), start, m_file->size() - start});
        m_memory.clear();
        m_memory.shrink_to_fit();
        m_bytes = 0;
    }

    std::string m_dir;
    std::size_t m_budget;
    std::vector<Sequenced> m_memory;
    std::size_t m_bytes = 0;
    std::unique_ptr<SpillFile> m_file;
    std::vector<Run> m_runs;
};

// One sorted stream of the k-way merge.
class Stream {
public:
    virtual ~Stream() = default;
    virtual bool next(Sequenced& out) = 0;
};

class MemoryStream final : public Stream {
public:
    explicit MemoryStream(std::vector<Sequenced>& v) : m_v(v) {}
    bool next(Sequenced& out) override {
        if (m_i >= m_v.size()) {
            std::vector<Sequenced>().swap(m_v);
            return false;
        }
        out = std::move(m_v[m_i++]);
        return true;
    }

private:
    std::vector<Sequenced>& m_v;
    std::size_t m_i = 0;
};

class RunStream final : public Stream {
public:
    RunStream(const FindingSpool::Run& r, std::size_t piece) : m_reader(*r.file, r.offset, r.length, piece) {}
    bool next(Sequenced& out) override {
        std::string_view record;
        if (!m_reader.next(record)) return false;
        ByteReader r(record);
        out.detection = r.u64();
        out.k = r.u32();
        out.finding = r.finding();
        return true;
    }

private:
    RecordReader m_reader;
};

class Merge {
public:
    void add(std::unique_ptr<Stream> s) {
        Head h{std::move(s), {}};
        if (h.stream->next(h.value)) {
            m_heads.push_back(std::move(h));
            std::push_heap(m_heads.begin(), m_heads.end(), later);
        }
    }
    bool next(Sequenced& out) {
        return pop([&](Sequenced& v) { out = std::move(v); });
    }
    bool next(Finding& out) {
        return pop([&](Sequenced& v) { out = std::move(v.finding); });
    }

private:
    // Hands the smallest head to `take`, then refills it from its stream.
    template <typename Take> bool pop(Take&& take) {
        if (m_heads.empty()) return false;
        std::pop_heap(m_heads.begin(), m_heads.end(), later);
        Head& h = m_heads.back();
        take(h.value);
        if (h.stream->next(h.value)) std::push_heap(m_heads.begin(), m_heads.end(), later);
        else m_heads.pop_back();
        return true;
    }
    struct Head {
        std::unique_ptr<Stream> stream;
        Sequenced value;
    };
    static bool later(const Head& a, const Head& b) { return before(b.value, a.value); }
    std::vector<Head> m_heads;
};

// ---------------------------------------------------------------------------------------------
// Problems: in input order, spilled past the budget

void encode(ByteWriter& w, const Problem& p) {
    w.u8(static_cast<std::uint8_t>(p.severity));
    w.u8(static_cast<std::uint8_t>(p.code));
    w.str(p.message);
    const Context& c = p.where;
    w.str(c.file());
    w.str(c.layer());
    w.str(c.feature());
    w.str(c.record());
    w.str(c.field());
    w.str(c.value());
    w.str(c.expected());
    w.u8(c.line() ? 1 : 0);
    w.i64(c.line().value_or(0));
    w.u8(c.column() ? 1 : 0);
    w.i64(c.column().value_or(0));
    w.u64(p.order);
}

Problem decode_problem(ByteReader& r) {
    Problem p;
    p.severity = static_cast<Severity>(r.u8());
    p.code = static_cast<ProblemCode>(r.u8());
    p.message = std::string(r.str());
    Context& c = p.where;
    c.file(std::string(r.str())).layer(std::string(r.str())).feature(std::string(r.str())).record(std::string(r.str()));
    c.field(std::string(r.str())).value(std::string(r.str())).expected(std::string(r.str()));
    const bool has_line = r.u8() != 0;
    const auto line = r.i64();
    if (has_line) c.line(static_cast<long>(line));
    const bool has_column = r.u8() != 0;
    const auto column = r.i64();
    if (has_column) c.column(static_cast<long>(column));
    p.order = r.u64();
    return p;
}

class ProblemSpool {
public:
    ProblemSpool(std::string dir, std::size_t budget) : m_dir(std::move(dir)), m_budget(budget) {}
    void add(Problem p) {
        ++m_count;
        m_bytes += sizeof(Problem) + p.message.size() + p.where.file().size() + p.where.value().size() + 64;
        m_memory.push_back(std::move(p));
        if (m_bytes >= m_budget) spill();
    }
    std::uint64_t count() const { return m_count; }
    /// Calls f(batch) for every problem in order, in batches.
    template <typename F>
    void drain(std::size_t batch, F&& f) {
        std::vector<Problem> out;
        if (m_file) {
            m_file->flush();
            RecordReader reader(*m_file, 0, m_file->size());
            std::string_view record;
            while (reader.next(record)) {
                ByteReader r(record);
                out.push_back(decode_problem(r));
                if (out.size() == batch) {
                    f(std::move(out));
                    out.clear();
                }
            }
        }
        for (auto& p : m_memory) {
            out.push_back(std::move(p));
            if (out.size() == batch) {
                f(std::move(out));
                out.clear();
            }
        }
        m_memory.clear();
        if (!out.empty()) f(std::move(out));
    }

private:
    void spill() {
        if (!m_file) m_file = std::make_unique<SpillFile>(m_dir);
        ByteWriter w;
        for (const auto& p : m_memory) {
            w.clear();
            encode(w, p);
            fusion::append_record(*m_file, w.bytes());
        }
        m_memory.clear();
        m_bytes = 0;
    }

    std::string m_dir;
    std::size_t m_budget;
    std::vector<Problem> m_memory;
    std::size_t m_bytes = 0;
    std::uint64_t m_count = 0;
    std::unique_ptr<SpillFile> m_file;
};

// ---------------------------------------------------------------------------------------------
// The single writer thread, fed through a bounded queue. Findings arrive encoded and digested
// (RunWriter::prepare_findings, on the thread that merges them): what is left here is HDF5's
// writing — shuffle, deflate and checksum of every chunk.
//
// Errors: the first one, from either thread, is the one the user sees, as it was thrown (an
// IoError naming the store and errno is exit 4). The writer thread keeps its error and stops
// writing; the merging thread hands whatever it catches to fail(), which stops the writer and
// rethrows the first error. One error of the merging thread is a consequence, not a cause: once
// a write has failed, the transaction refuses every later use (InternalError "prepare_findings
// after a failed write") — and it can refuse before the writer thread has recorded the error that
// made it refuse. So an InternalError of the merging thread is judged after the writer has
// stopped, and gives way to the writer's error when there is one.

class WriterThread {
public:
    using Job = std::variant<storage::RunWriter::Prepared, std::vector<Problem>>;

    WriterThread(storage::RunWriter& writer, bool threaded, std::size_t capacity = 4) : m_writer(writer), m_capacity(capacity) {
        if (threaded) m_thread = std::thread([this] { loop(); });
    }
    /// Without finish() (an exception on the way), what is queued is dropped, not written.
    ~WriterThread() { stop(/*abandon=*/true); }
    /// Blocks while the queue is full. Rethrows the first error, if any.
    void push(Job job) {
        if (!m_thread.joinable()) {
            write(job);
            return;
        }
        std::unique_lock lock(m_mutex);
        m_space.wait(lock, [&] { return m_queue.size() < m_capacity || m_error; });
        if (m_error) std::rethrow_exception(m_error);
        m_queue.push_back(std::move(job));
        m_ready.notify_one();
    }
    /// Waits until everything is written; rethrows the first error, if any.
    void finish() {
        stop(/*abandon=*/false);
        if (m_error) std::rethrow_exception(m_error);
    }
    /// For the merging thread's catch: records `error` unless an earlier one is known (see above
    /// for an InternalError), stops the writer (queued jobs dropped) and rethrows the first error.
    [[noreturn]] void fail(std::exception_ptr error) {
        bool consequence = false;
        try {
            std::rethrow_exception(error);
        } catch (const InternalError&) {
            consequence = true;
        } catch (...) {
        }
        if (!consequence) record(error);
        stop(/*abandon=*/true);
        record(error);
        std::rethrow_exception(m_error);
    }

private:
    void write(Job& job) {
        if (auto* f = std::get_if<storage::RunWriter::Prepared>(&job)) m_writer.write(*f);
        else m_writer.append_problems(std::get<std::vector<Problem>>(job));
    }
    /// Keeps `error` when it is the first; later ones are dropped.
    void record(std::exception_ptr error) {
        std::lock_guard lock(m_mutex);
        if (!m_error) m_error = std::move(error);
        m_space.notify_all();
    }
    void stop(bool abandon) {
        if (!m_thread.joinable()) return;
        {
            std::lock_guard lock(m_mutex);
            m_closed = true;
            if (abandon) m_queue.clear();
            m_ready.notify_one();
        }
        m_thread.join();
    }
    void loop() {
        while (true) {
            Job job;
            {
                std::unique_lock lock(m_mutex);
                m_ready.wait(lock, [&] { return !m_queue.empty() || m_closed; });
                if (m_queue.empty() || m_error) return;
                job = std::move(m_queue.front());
                m_queue.pop_front();
                m_space.notify_one();
            }
            try {
                write(job);
            } catch (...) {
                record(std::current_exception());
                return;
            }
        }
    }

    storage::RunWriter& m_writer;
    std::size_t m_capacity;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_ready, m_space;
    std::deque<Job> m_queue;
    bool m_closed = false;
    std::exception_ptr m_error;
};

// ---------------------------------------------------------------------------------------------
// One pass over the inputs

struct Input {
    std::string path;
    bool csv = false;
    std::unique_ptr<ingest::CsvBlockReader> reader; // CSV fast path
    ingest::DetectionCsvLayout layout;
    std::vector<Problem> header_notes;
    std::unique_ptr<ingest::DetectionSource> source; // OGR sources
};

// One block flowing through the pipeline.
struct Chunk {
    std::size_t input = 0;
    bool csv = false;
    ingest::CsvBlock block;
    std::vector<Detection> detections;
    std::vector<IdDigest> digests; // of `detections`, before admission
    CollectingProblemSink problems; // reading and parsing (never strict: strictness is applied in order)
    std::uint64_t first = 0;       // input position of the first admitted detection
};

struct Worker {
    fusion::Partial partial;
    FindingSpool spool;
};

struct PassOutput {
    std::vector<std::unique_ptr<Worker>> workers;
    std::vector<IdDigest> repeated; // ids seen more than once (digest mode); empty otherwise
};

} // namespace

std::vector<storage::SummaryRow> summarize(const std::vector<Finding>& findings) {
    std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> counts;
    for (const auto& f : findings) ++counts[{f.rule_id, std::string(to_string(f.kind)), std::string(to_string(f.certainty))}];
    std::vector<storage::SummaryRow> rows;
    for (const auto& [k, n] : counts) rows.push_back(storage::SummaryRow{std::get<0>(k), std::get<1>(k), std::get<2>(k), n});
    return rows;
}

storage::ZoneSet load_zone_set(const std::string& store_path, const std::string& name) {
    std::error_code ec;
    if (name.empty() && !std::filesystem::exists(store_path, ec) && !ec) return storage::ZoneSet{}; // a new store
    storage::StoreReader store(store_path);
    if (!name.empty()) return store.read_zone_set(name);
    auto sets = store.zone_sets();
    return sets.empty() ? storage::ZoneSet{} : store.read_zone_set(sets.back().name);
}

std::unique_ptr<fusion::Evaluator> bind_regime(fusion::Regime& regime, const fusion::ZoneSetView& view, const std::string& zone_set,
                                               const std::string& store_path, const fusion::SpillOptions& spill) {
    try {
        return std::make_unique<fusion::Evaluator>(regime, view, spill);
    } catch (const InputError& e) {
        if (!zone_set.empty()) throw;
        const std::string why = e.text() + ": the regime refers to zones or lines, and the store ";
        std::error_code ec;
        if (!std::filesystem::exists(store_path, ec))
            throw IoError(why + store_path + " does not exist; create it with `avf zones import`", e.context());
        throw InputError(why + store_path + " has no zone set; import one with `avf zones import`", e.context());
    }
}

ComplianceRun::ComplianceRun(RunOptions options) : m_options(std::move(options)) {
    if (m_options.regime_path.empty()) throw UsageError("--regime is required: the regime file (TOML) to check against");
    if (m_options.store_path.empty()) throw UsageError("--store is required: the HDF5 store holding the zone set (and receiving the run)");
    if (m_options.detections.empty() && m_options.imagery.empty() && m_options.tracks.empty() && m_options.routes.empty() &&
        m_options.declarations.empty())
        throw UsageError("nothing to evaluate: give --detections, --imagery, --tracks, --routes or --declarations (at least one input file)");
    if (m_options.threads < 0) throw UsageError("--threads must be 0 (every core) or positive");
    if (m_options.batch_size == 0) throw UsageError("--batch-size must be positive");
    if (m_options.block_bytes == 0) throw UsageError("--block-bytes must be positive");
    if (m_options.from && m_options.to && !(*m_options.from < *m_options.to)) throw UsageError("--from must be before --to");
}

RunResult ComplianceRun::run() {
    RunResult result;
    result.started = now();
    const std::string temp_dir = m_options.temp_dir.empty() ? SpillFile::default_directory() : m_options.temp_dir;

    // Everything that can be wrong with the regime or the zone set fails before data is read.
    fusion::Regime regime = fusion::load_regime(m_options.regime_path);
    result.regime_id = regime.meta.id;
    storage::ZoneSet zone_set = load_zone_set(m_options.store_path, m_options.zone_set);
    result.zone_set = zone_set.name;
    fusion::ZoneSetView view(std::move(zone_set.zones), std::move(zone_set.lines));
    fusion::SpillOptions spill;
    spill.directory = temp_dir;
    spill.memory_bytes = std::max<std::size_t>(1, m_options.spill_bytes / 8);
    const std::unique_ptr<fusion::Evaluator> bound = bind_regime(regime, view, result.zone_set, m_options.store_path, spill);
    fusion::Evaluator& evaluator = *bound;
    const Interval period{m_options.from.value_or(UtcTime::min()), m_options.to.value_or(UtcTime::max())};


    // The observation side is small and read whole, before any detection: a bad file fails fast.
    const bool with_imagery = !m_options.imagery.empty() || !m_options.tracks.empty() || !m_options.routes.empty();
    ImageryInputs imagery = read_imagery_inputs(m_options.imagery, m_options.tracks, m_options.routes, m_options.strict);
    {
        CollectingProblemSink notes; // records naming a party the regime does not declare (kept)
        fusion::note_undeclared_parties(regime.meta.parties, imagery.images, notes);
        for (auto& p : notes.problems()) imagery.problems.push_back(std::move(p));
    }

    // Declarations are few: read whole, before the detection pass, and handed to the fusion rules
    // (declaration_match, notification), which judge them in finalize(). Their problems come first.
    std::vector<Declaration> declarations;
    std::vector<Problem> declaration_problems;
    {
        CollectingProblemSink sink(m_options.strict);
        ingest::DeclarationReadOptions read_options;
        read_options.taxonomy = &regime.taxonomy;
        declarations = ingest::read_declarations(m_options.declarations, read_options, sink);
        fusion::note_undeclared_parties(regime.meta.parties, declarations, sink);
        declaration_problems = std::move(sink.problems());
        for (const auto& path : m_options.declarations) {
            InputCounts in;
            in.path = path;
            std::error_code ec;
            in.size = std::filesystem::file_size(path, ec);
            if (ec) in.size = 0;
            for (const auto& d : declarations)
                if (d.origin.file == path) ++in.evaluated;
            for (const auto& p : declaration_problems)
                if (p.severity == Severity::rejected && p.where.file() == path) ++in.rejected;
            in.read = in.evaluated + in.rejected;
            in.sha256 = sha256_file(path);
            result.declaration_inputs.push_back(in);
        }
    }
    fusion::FusionInputs fusion_inputs;
    fusion_inputs.declarations = m_options.declarations.empty() ? nullptr : &declarations; // none given ≠ an empty file
    fusion_inputs.dedup = &regime.dedup;
    // Unconfirmed needs imagery: without images a declaration nothing was seen for is unverifiable.
    fusion::ImageCoverage image_coverage(imagery.images);
    fusion_inputs.coverage = imagery.images.empty() ? nullptr : &image_coverage;
    fusion_inputs.period = period;
    evaluator.attach(fusion_inputs);

    ingest::DetectionParseOptions parse_options;
    parse_options.taxonomy = &regime.taxonomy;
    parse_options.csv.block_bytes = m_options.block_bytes;
    for (const auto& path : m_options.detections) {
        InputCounts in;
        in.path = path;
        std::error_code ec;
        in.size = std::filesystem::file_size(path, ec);
        if (ec) in.size = 0;
        result.inputs.push_back(in);
    }

    const int threads = m_options.threads > 0 ? m_options.threads : tbb::info::default_concurrency();
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));

    // The inputs' SHA-256 (provenance; part of the run id) is needed only at the end: with more
    // than one thread it is computed alongside the evaluation.
    auto hash_inputs = [paths = m_options.detections] {
        std::vector<std::string> out;
        for (const auto& p : paths) out.push_back(sha256_file(p));
        return out;
    };
    std::future<std::vector<std::string>> hashes =
        std::async(threads > 1 ? std::launch::async : std::launch::deferred, hash_inputs);

    const std::uint64_t bytes_total = [&] {
        std::uint64_t n = 0;
        for (const auto& in : result.inputs) n += in.size;
        return n;
    }();
    const auto t0 = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };

    std::unique_ptr<ProblemSpool> problems;

    // One pass. `repeated` (sorted) names the ids to judge with DuplicateIdFilter: all of them
    // with --strict, else those the digest check of a first pass found repeated.
    auto run_pass = [&](const std::vector<IdDigest>* repeated) -> PassOutput {
        PassOutput out;
        problems = std::make_unique<ProblemSpool>(temp_dir, m_options.spill_bytes);
        for (const auto& p : declaration_problems) problems->add(p);
        for (auto& in : result.inputs) in.read = in.rejected = in.outside_period = in.evaluated = 0;

        std::vector<Input> inputs;
        for (const auto& path : m_options.detections) {
            Input in;
            in.path = path;
            if (ingest::is_detection_csv(path)) {
                // open_detections' CSV path, split so that blocks can be parsed in parallel.
                in.csv = true;
                in.reader = std::make_unique<ingest::CsvBlockReader>(path, parse_options.csv);
                CollectingProblemSink notes;
                in.layout = ingest::DetectionCsvLayout::from_header(in.reader->header(), path, in.reader->header_line(), notes);
                in.header_notes = std::move(notes.problems());
            } else {
                in.source = ingest::open_detections(path, parse_options);
            }
            inputs.push_back(std::move(in));
        }

        CollectingProblemSink strict_sink(true);
        const bool strict = m_options.strict;
        ingest::DuplicateIdFilter duplicates;
        DigestSpool digests(temp_dir);
        const bool digest_mode = !strict && !repeated;
        std::uint64_t admitted = 0;
        std::size_t current = 0;
        std::uint64_t records_before = 0, bytes_before = 0; // of the inputs already read

        tbb::enumerable_thread_specific<std::unique_ptr<Worker>> workers(
            [&] { return std::make_unique<Worker>(Worker{evaluator.make_partial(), FindingSpool(temp_dir, m_options.spill_bytes)}); });

        auto report_progress = [&](const Input& in) {
            if (!m_options.progress) return;
            Progress p;
            p.records = records_before + (in.csv ? in.reader->records_read() : in.source->records_seen());
            p.bytes_read = bytes_before + (in.csv ? in.reader->bytes_read() : in.source->bytes_read());
            p.bytes_total = bytes_total;
            p.seconds = seconds();
            m_options.progress(p);
        };

        tbb::parallel_pipeline(
            static_cast<std::size_t>(2 * threads),
            // Serial, in order: the next block of whole records (CSV) or batch (OGR).
            tbb::make_filter<void, std::shared_ptr<Chunk>>(
                tbb::filter_mode::serial_in_order,
                [&](tbb::flow_control& fc) -> std::shared_ptr<Chunk> {
                    while (current < inputs.size()) {
                        Input& in = inputs[current];
                        auto chunk = std::make_shared<Chunk>();
                        chunk->input = current;
                        chunk->csv = in.csv;
                        for (auto& note : in.header_notes) chunk->problems.report(std::move(note));
                        in.header_notes.clear();
                        bool got;
                        if (in.csv) {
                            got = in.reader->next(chunk->block, chunk->problems);
                        } else {
                            got = in.source->next_batch(chunk->detections, chunk->problems, m_options.batch_size) || !chunk->detections.empty();
                        }
                        if (got || chunk->problems.size() > 0) {
                            report_progress(in);
                            return chunk;
                        }
                        records_before += in.csv ? in.reader->records_read() : in.source->records_seen();
                        bytes_before += in.csv ? in.reader->bytes_read() : in.source->bytes_read();
                        result.inputs[current].read = in.csv ? in.reader->records_read() : in.source->records_seen();
                        in.reader.reset();
                        in.source.reset();
                        ++current;
                    }
                    fc.stop();
                    return nullptr;
                }) &
                // Parallel: parse the block; digest the ids.
                tbb::make_filter<std::shared_ptr<Chunk>, std::shared_ptr<Chunk>>(
                    tbb::filter_mode::parallel,
                    [&](std::shared_ptr<Chunk> chunk) {
                        if (chunk->csv && !chunk->block.bytes.empty()) {
                            ingest::parse_detection_block(chunk->block, inputs[chunk->input].layout, parse_options, chunk->detections, chunk->problems);
                            std::string().swap(chunk->block.bytes);
                        }
                        fusion::note_undeclared_parties(regime.meta.parties, chunk->detections, chunk->problems);
                        if (digest_mode || repeated) {
                            chunk->digests.reserve(chunk->detections.size());
                            for (const auto& d : chunk->detections) chunk->digests.push_back(digest_of(d.id));
                        }
                        return chunk;
                    }) &
                // Serial, in order: problems in input order (--strict stops at the first), duplicate
                // ids, the period, counts; each admitted detection gets its input position.
                tbb::make_filter<std::shared_ptr<Chunk>, std::shared_ptr<Chunk>>(
                    tbb::filter_mode::serial_in_order,
                    [&](std::shared_ptr<Chunk> chunk) {
                        InputCounts& counts = result.inputs[chunk->input];
                        std::vector<Problem> found = std::move(chunk->problems.problems());
                        CollectingProblemSink dup_problems;
                        std::size_t kept = 0;
                        for (std::size_t i = 0; i < chunk->detections.size(); ++i) {
                            Detection& d = chunk->detections[i];
                            bool unique = true;
                            if (strict) {
                                unique = duplicates.check_unique(d, dup_problems);
                            } else if (repeated) {
                                if (std::binary_search(repeated->begin(), repeated->end(), chunk->digests[i]))
                                    unique = duplicates.check_unique(d, dup_problems);
                            } else {
                                digests.add(chunk->digests[i]);
                            }
                            if (!unique) continue;
                            if (!period.contains(d.time)) {
                                ++counts.outside_period;
                                continue;
                            }
                            if (kept != i) chunk->detections[kept] = std::move(d);
                            ++kept;
                        }
                        chunk->detections.resize(kept);
                        counts.evaluated += kept;
                        chunk->first = admitted;
                        admitted += kept;
                        // Reading, parsing and duplicate problems of this block, by line (a block
                        // is a range of lines, so this is input order whatever the block size).
                        for (auto& p : dup_problems.problems()) found.push_back(std::move(p));
                        std::stable_sort(found.begin(), found.end(), [](const Problem& a, const Problem& b) { return a.order < b.order; });
                        for (auto& p : found) {
                            if (p.severity == Severity::rejected)
                                for (auto& in : result.inputs)
                                    if (in.path == p.where.file()) ++in.rejected;
                            if (strict) strict_sink.report(p); // throws at the first rejected record
                            problems->add(std::move(p));
                        }
                        return chunk;
                    }) &
                // Parallel: locate and evaluate, into this thread's aggregates and finding spool.
                tbb::make_filter<std::shared_ptr<Chunk>, void>(tbb::filter_mode::parallel, [&](std::shared_ptr<Chunk> chunk) {
                    Worker& w = *workers.local();
                    for (std::size_t i = 0; i < chunk->detections.size(); ++i) {
                        evaluator.evaluate(chunk->detections[i], w.partial);
                        auto& fs = w.partial.findings;
                        for (auto& f : fs) link_image(f, chunk->detections[i], imagery);
                        for (std::size_t k = 0; k < fs.size(); ++k)
                            w.spool.add(Sequenced{chunk->first + i, static_cast<std::uint32_t>(k), std::move(fs[k])});
                        fs.clear();
                    }
                }));

        for (auto& w : workers) out.workers.push_back(std::move(w));
        if (digest_mode) {
            if (m_options.progress) {
                Progress p;
                p.phase = "checking ids";
                p.bytes_read = p.bytes_total = bytes_total;
                p.records = records_before;
                p.seconds = seconds();
                m_options.progress(p);
            }
            out.repeated = digests.repeated();
        }
        return out;
    };

    PassOutput pass = run_pass(nullptr);
    if (!pass.repeated.empty()) {
        // The input repeats ids: evaluate again, judging those ids in input order.
        const std::vector<IdDigest> repeated = std::move(pass.repeated);
        pass = PassOutput{};
        pass = run_pass(&repeated);
    }

    // Whole-run rules: combine the per-thread aggregates (sums: any order), finalize rule by rule.
    fusion::Partial total = evaluator.make_partial();
    std::vector<FindingSpool*> spools;
    for (auto& w : pass.workers) {
        evaluator.combine(total, std::move(w->partial));
        spools.push_back(&w->spool);
    }
    FindingSpool aggregates(temp_dir, m_options.spill_bytes);
    std::uint32_t aggregate_k = 0;
    for (std::size_t r = 0; r < evaluator.rule_count(); ++r)
        for (auto& f : evaluator.finalize(total, r))
            aggregates.add(Sequenced{std::numeric_limits<std::uint64_t>::max(), aggregate_k++, std::move(f)});
    total = fusion::Partial{};
    // The observation-side rules, once, after the detections (sorted, deterministic).
    // Without any imagery, track or route input the observation side was not part of the run: its
    // rules are not evaluated (and the result says so), rather than reporting every zone unimaged.
    fusion::ImageryOutputs observed;
    if (with_imagery) observed = fusion::evaluate_imagery(regime, fusion::ImageryInputs{imagery.images, imagery.tracks, imagery.routes, period});
    else
        for (const auto& rule : regime.rules)
            if (fusion::is_observation_rule(*rule)) result.observation_rules_skipped.push_back(rule->id());
    if (m_options.detections.empty())
        for (const auto& rule : regime.rules)
            if (!fusion::is_observation_rule(*rule)) result.rules_without_detections.push_back(rule->id());
    for (auto& f : observed.findings) aggregates.add(Sequenced{std::numeric_limits<std::uint64_t>::max(), aggregate_k++, std::move(f)});
    observed.findings.clear();
    spools.push_back(&aggregates);
    for (auto& p : imagery.problems) problems->add(std::move(p));
    imagery.problems.clear();
    for (const auto& f : imagery.files) result.imagery_inputs.push_back(storage::InputFile{f.role, f.path, f.sha256, f.size, f.read, f.rejected});
    result.images = imagery.images.size();
    {
        std::set<std::string> flights;
        for (const auto& t : imagery.tracks) flights.insert(t.flight_id);
        for (const auto& r : imagery.routes) flights.insert(r.flight_id);
        result.flights = flights.size();
    }
    result.coverage = observed.coverage;

    // Each spilled run is read ahead a piece at a time, the pieces of one merge sharing the spill
    // budget (64 KiB to 1 MiB a run: a 10^8-row run spills hundreds of runs, and at 1 MiB each the
    // merge alone took over 1 GiB). More than merge_fan_in runs are first merged merge_fan_in at a
    // time into longer runs, pass after pass, so the memory of the merge does not grow with the
    // input. `before` is a total order, so the grouping never changes the output.
    auto piece_for = [&](std::size_t runs) {
        return std::clamp<std::size_t>(m_options.spill_bytes / std::max<std::size_t>(1, runs), std::size_t{64} << 10, std::size_t{1} << 20);
    };
    std::vector<FindingSpool::Run> runs;
    for (FindingSpool* s : spools) {
        s->seal();
        runs.insert(runs.end(), s->runs().begin(), s->runs().end());
    }
    std::unique_ptr<SpillFile> merged; // the longer runs of the last pass
    const std::size_t fan_in = std::max<std::size_t>(2, m_options.merge_fan_in);
    while (runs.size() > fan_in) {
        auto file = std::make_unique<SpillFile>(temp_dir);
        std::vector<FindingSpool::Run> longer;
        ByteWriter w;
        for (std::size_t i = 0; i < runs.size(); i += fan_in) {
            const std::size_t n = std::min(fan_in, runs.size() - i);
            Merge group;
            for (std::size_t j = i; j < i + n; ++j) group.add(std::make_unique<RunStream>(runs[j], piece_for(n)));
            const std::uint64_t start = file->size();
            Sequenced s;
            while (group.next(s)) append_sequenced(*file, w, s);
            longer.push_back(FindingSpool::Run{file.get(), start, file->size() - start});
        }
        file->flush();
        runs = std::move(longer);
        merged = std::move(file); // the previous pass's file is no longer read: released here
    }
    Merge merge;
    for (const auto& run : runs) merge.add(std::make_unique<RunStream>(run, piece_for(runs.size())));
    for (FindingSpool* s : spools) merge.add(std::make_unique<MemoryStream>(s->memory()));

    std::vector<std::string> input_hashes = hashes.get();
    for (std::size_t i = 0; i < result.inputs.size(); ++i) result.inputs[i].sha256 = input_hashes[i];
    result.problem_count = problems->count();

    // The findings in output order: counted, sampled into the result, and (unless dry) written.
    std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> summary;
    std::set<std::string> rules_seen;
    auto take = [&](const Finding& f) {
        ++summary[{f.rule_id, std::string(to_string(f.kind)), std::string(to_string(f.certainty))}];
        if (result.findings.size() < m_options.keep_findings || rules_seen.count(f.rule_id) == 0) result.findings.push_back(f);
        rules_seen.insert(f.rule_id);
        ++result.finding_count;
    };
    auto summary_rows = [&] {
        std::vector<storage::SummaryRow> rows;
        for (const auto& [k, n] : summary) rows.push_back(storage::SummaryRow{std::get<0>(k), std::get<1>(k), std::get<2>(k), n});
        return rows;
    };
    auto keep_problems = [&](const std::vector<Problem>& batch) {
        for (const auto& p : batch) {
            if (result.problems.size() >= m_options.keep_problems) break;
            result.problems.push_back(p);
        }
    };
    constexpr std::size_t write_batch = 8192;

    if (m_options.dry_run) {
        Finding f;
        while (merge.next(f)) take(f);
        problems->drain(write_batch, keep_problems);
        result.summary = summary_rows();
        result.finished = now();
        return result;
    }

    // Provenance and the run id (content digest of regime + inputs + options, plus the time).
    nlohmann::json opts = {{"regime", m_options.regime_path}, {"zone_set", result.zone_set},
                           {"detections", m_options.detections},
                           {"from", m_options.from ? format_utc(*m_options.from) : ""},
                           {"to", m_options.to ? format_utc(*m_options.to) : ""},
                           {"threads", threads},
                           {"batch_size", m_options.batch_size},
                           {"strict", m_options.strict}};
    Sha256 digest;
    digest.field(sha256_hex(regime.text)).field(result.zone_set);
    for (const auto& in : result.inputs) digest.field(in.sha256);
    for (const auto& f : result.imagery_inputs) digest.field(f.sha256);
    for (const auto& in : result.declaration_inputs) digest.field(in.sha256);
    std::string content = digest.hex();

    if (!m_options.declarations.empty()) opts["declarations"] = m_options.declarations; // absent otherwise: earlier runs' options text unchanged
    storage::RunHeader header;
    header.zone_set = result.zone_set;
    header.regime_id = regime.meta.id;
    header.regime_text = regime.text;
    if (with_imagery) { // absent otherwise, so runs without imagery keep their earlier options text
        opts["imagery"] = m_options.imagery;
        opts["tracks"] = m_options.tracks;
        opts["routes"] = m_options.routes;
    }
    header.options_json = opts.dump();
    header.tool_version = std::string(tool_version) + " (" + git_commit + ")";
    header.started = result.started;
    storage::InputFile regime_file{"regime", m_options.regime_path, sha256_hex(regime.text), regime.text.size(), regime.rules.size(), 0};
    header.inputs.push_back(regime_file);
    for (const auto& in : result.inputs) header.inputs.push_back(storage::InputFile{"detections", in.path, in.sha256, in.size, in.read, in.rejected});
    for (const auto& f : result.imagery_inputs) header.inputs.push_back(f);
    for (const auto& in : result.declaration_inputs)
        header.inputs.push_back(storage::InputFile{"declarations", in.path, in.sha256, in.size, in.read, in.rejected});

    storage::StoreTransaction tx(m_options.store_path);
    std::string run_id = make_run_id(result.started, content);
    for (int n = 2; tx.has_run(run_id); ++n) run_id = make_run_id(result.started, content) + "-" + std::to_string(n);
    header.run_id = run_id;
    auto writer = tx.begin_run(header);
    {
        WriterThread out(writer, threads > 1);
        try {
            std::vector<Finding> batch;
            Finding f;
            while (merge.next(f)) {
                take(f);
                batch.push_back(std::move(f));
                if (batch.size() == write_batch) {
                    out.push(writer.prepare_findings(batch));
                    batch.clear();
                    if (m_options.progress) {
                        Progress p;
                        p.phase = "writing";
                        p.bytes_read = p.bytes_total = bytes_total;
                        p.findings_written = result.finding_count;
                        p.seconds = seconds();
                        m_options.progress(p);
                    }
                }
            }
            if (!batch.empty()) out.push(writer.prepare_findings(batch));
            problems->drain(write_batch, [&](std::vector<Problem>&& ps) {
                keep_problems(ps);
                out.push(std::move(ps));
            });
            out.finish();
        } catch (...) {
            out.fail(std::current_exception()); // the first error of either thread, as thrown
        }
    }
    result.summary = summary_rows();
    result.finished = now();
    storage::RunSummary summary_record;
    summary_record.finished = result.finished;
    summary_record.status = "complete";
    summary_record.inputs = header.inputs;
    summary_record.rows = result.summary;
    if (with_imagery) writer.write_imagery(to_store(imagery, std::move(observed.coverage)));
    writer.finish(summary_record);
    tx.commit();
    result.run_id = run_id;
    return result;
}

} // namespace avf::pipeline
