// The distributed compliance run (distributed.hpp, docs/mpi.md). MPI lives in this file only.
#include "pipeline/distributed.hpp"

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/spill/byte_codec.hpp"
#include "core/spill/record_codec.hpp"
#include "core/spill/record_file.hpp"
#include "core/spill/spill_file.hpp"
#include "ingest/csv.hpp"
#include "ingest/detection_reader.hpp"
#include "pipeline/compliance_run.hpp"
#include "pipeline/detection_pass.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mpi.h>
#include <string>
#include <vector>

namespace avf::pipeline {
namespace {

constexpr int tag_digests = 1;
constexpr int tag_partial = 2;
constexpr std::size_t max_message = std::size_t{1} << 30; // bytes per MPI message (counts are int)

// AVF_MPI_VERBOSE: each rank says on stderr what it reads and how long its steps take (bench/mpi_scaling.sh).
bool verbose() {
    return std::getenv("AVF_MPI_VERBOSE") != nullptr;
}

struct Ranks {
    int rank = 0, size = 1;
};

void check(int code, const char* what) {
    if (code != MPI_SUCCESS) throw IoError(std::string("MPI: ") + what + " failed (error " + std::to_string(code) + ")");
}

// A byte string of any length, as a size and messages of at most max_message bytes.
void send_bytes(const std::string& bytes, int to, int tag) {
    std::uint64_t n = bytes.size();
    check(MPI_Send(&n, 1, MPI_UINT64_T, to, tag, MPI_COMM_WORLD), "MPI_Send");
    for (std::size_t at = 0; at < bytes.size(); at += max_message) {
        const int len = static_cast<int>(std::min(max_message, bytes.size() - at));
        check(MPI_Send(bytes.data() + at, len, MPI_BYTE, to, tag, MPI_COMM_WORLD), "MPI_Send");
    }
}

std::string receive_bytes(int from, int tag) {
    std::uint64_t n = 0;
    check(MPI_Recv(&n, 1, MPI_UINT64_T, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    std::string bytes(n, '\0');
    for (std::size_t at = 0; at < bytes.size(); at += max_message) {
        const int len = static_cast<int>(std::min(max_message, bytes.size() - at));
        check(MPI_Recv(bytes.data() + at, len, MPI_BYTE, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    }
    return bytes;
}

// ---------------------------------------------------------------------------------------------
// The plan: which rank reads what of each streamed input.

struct FilePlan {
    std::string path;
    bool splittable = false;        // a CSV detections file with LF or CRLF line ends
    std::uint64_t size = 0;         // bytes
    std::uint64_t data_start = 0;   // after the header (splittable)
    std::uint64_t weight = 0;       // bytes counted in the sequence of all inputs
    std::uint64_t base = 0;         // where the file starts in that sequence
    std::vector<std::uint64_t> cut; // pieces: [cut[j], cut[j+1]) (cut[0] = 0, the file with its header)
    std::vector<int> owner;         // the rank reading piece j
    std::vector<std::size_t> slot;  // piece j's entry in the counted vectors
};

std::uint64_t file_size(const std::string& path) {
    CheckedFile f(path);
    return f.size().value_or(0);
}

// The offset just after the first LF at or after `from` (size when there is none).
std::uint64_t after_newline(const CheckedFile& f, std::uint64_t from, std::uint64_t size) {
    std::string buf(std::size_t{1} << 16, '\0');
    for (std::uint64_t at = from; at < size;) {
        const std::size_t got = f.read_at(at, buf.data(), buf.size());
        if (got == 0) break;
        if (const void* nl = std::memchr(buf.data(), '\n', got))
            return at + static_cast<std::uint64_t>(static_cast<const char*>(nl) - buf.data()) + 1;
        at += got;
    }
    return size;
}

// LFs and quotes in [begin, end).
std::pair<std::uint64_t, std::uint64_t> count_lines_and_quotes(const std::string& path, std::uint64_t begin, std::uint64_t end) {
    CheckedFile f(path);
    std::string buf(std::size_t{4} << 20, '\0');
    std::uint64_t lines = 0, quotes = 0;
    for (std::uint64_t at = begin; at < end;) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), end - at));
        const std::size_t got = f.read_at(at, buf.data(), want);
        if (got == 0) break;
        lines += static_cast<std::uint64_t>(std::count(buf.data(), buf.data() + got, '\n'));
        quotes += static_cast<std::uint64_t>(std::count(buf.data(), buf.data() + got, '"'));
        at += got;
    }
    return {lines, quotes};
}

class Plan {
public:
    // Every rank computes the same plan from the same files.
    Plan(const RunOptions& o, const Ranks& ranks) : m_ranks(ranks) {
        std::uint64_t total = 0;
        for (std::size_t i = 0; i < o.detections.size() + o.reports.size(); ++i) {
            FilePlan f;
            f.path = i < o.detections.size() ? o.detections[i] : o.reports[i - o.detections.size()];
            f.size = file_size(f.path);
            if (i < o.detections.size() && ingest::is_detection_csv(f.path)) {
                ingest::CsvReadOptions csv;
                csv.block_bytes = std::size_t{1} << 16;
                ingest::CsvBlockReader header(f.path, csv);
                f.splittable = !header.cr_line_ends();
                f.data_start = header.bytes_read();
            }
            f.weight = f.splittable ? f.size - f.data_start : f.size;
            f.base = total;
            total += f.weight;
            m_files.push_back(std::move(f));
        }
        for (int r = 0; r < ranks.size; ++r)
            m_start.push_back(total / static_cast<std::uint64_t>(ranks.size) * static_cast<std::uint64_t>(r) +
                              total % static_cast<std::uint64_t>(ranks.size) * static_cast<std::uint64_t>(r) /
                                  static_cast<std::uint64_t>(ranks.size));

        // Candidate cuts: the first newline at or after each rank's start that falls in a file.
        for (auto& f : m_files) {
            f.cut.push_back(0);
            if (f.splittable && f.weight > 0) {
                CheckedFile in(f.path);
                for (int r = 1; r < ranks.size; ++r) {
                    if (m_start[r] <= f.base || m_start[r] >= f.base + f.weight) continue;
                    const std::uint64_t cut = after_newline(in, f.data_start + (m_start[r] - f.base), f.size);
                    if (cut < f.size && cut > f.cut.back()) f.cut.push_back(cut);
                }
            }
            for (std::size_t j = 0; j < f.cut.size(); ++j) {
                f.owner.push_back(owner_at(f.base + (j == 0 ? 0 : f.cut[j] - f.data_start)));
                f.slot.push_back(m_pieces++);
            }
        }
    }

    // Counts each piece this rank owns (LFs and quotes, the first piece from the file's first
    // byte), sums them over the ranks, and keeps only the cuts with an even number of quotes
    // before them; gives this rank's shares.
    std::vector<InputShare> shares() {
        std::vector<std::uint64_t> counted(2 * m_pieces, 0), summed(2 * m_pieces, 0);
        for (const auto& f : m_files) {
            if (f.cut.size() < 2) continue;
            for (std::size_t j = 0; j < f.cut.size(); ++j) {
                if (f.owner[j] != m_ranks.rank) continue;
                const std::uint64_t end = j + 1 < f.cut.size() ? f.cut[j + 1] : f.size;
                const auto [lines, quotes] = count_lines_and_quotes(f.path, f.cut[j], end);
                counted[2 * f.slot[j]] = lines;
                counted[2 * f.slot[j] + 1] = quotes;
            }
        }
        check(MPI_Allreduce(counted.data(), summed.data(), static_cast<int>(counted.size()), MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");

        std::vector<InputShare> out;
        for (auto& f : m_files) {
            // Line numbers at the cuts; a cut with an odd number of quotes before it may be inside
            // a quoted field: its piece joins the one before (and its rank).
            std::vector<std::uint64_t> line(f.cut.size(), 1);
            std::vector<bool> keep(f.cut.size(), true);
            std::uint64_t lines = 0, quotes = 0;
            for (std::size_t j = 0; j < f.cut.size(); ++j) {
                line[j] = 1 + lines;
                if (j > 0 && quotes % 2 != 0) keep[j] = false;
                if (f.cut.size() > 1) {
                    lines += summed[2 * f.slot[j]];
                    quotes += summed[2 * f.slot[j] + 1];
                }
            }
            for (std::size_t j = 1; j < f.cut.size(); ++j)
                if (!keep[j]) f.owner[j] = f.owner[j - 1];

            InputShare s;
            s.read = false;
            for (std::size_t j = 0; j < f.cut.size(); ++j) {
                if (f.owner[j] != m_ranks.rank) continue;
                const std::uint64_t end = j + 1 < f.cut.size() ? f.cut[j + 1] : f.size;
                if (!s.read) {
                    s.read = true;
                    s.first = j == 0;
                    s.begin = j == 0 ? f.data_start : f.cut[j];
                    s.first_line = j == 0 ? 0 : line[j]; // the first piece's: counted below
                }
                s.end = end;
            }
            if (s.read) {
                s.whole = s.first && s.end >= f.size;
                if (!s.whole && s.first) s.first_line = 1 + count_lines_and_quotes(f.path, 0, f.data_start).first;
            }
            out.push_back(s);
        }
        return out;
    }

    const std::vector<FilePlan>& files() const { return m_files; }

private:
    // The rank whose part of the sequence holds position v.
    int owner_at(std::uint64_t v) const {
        int r = 0;
        while (r + 1 < m_ranks.size && m_start[static_cast<std::size_t>(r + 1)] <= v) ++r;
        return r;
    }

    Ranks m_ranks;
    std::vector<FilePlan> m_files;
    std::vector<std::uint64_t> m_start; // where each rank's part of the sequence starts
    std::size_t m_pieces = 0;
};

// ---------------------------------------------------------------------------------------------
// What a rank sends rank 0 after its pass.

void write_digests(spill::ByteWriter& w, bool fallback, const std::vector<IdDigest>& digests) {
    w.u8(fallback ? 1 : 0);
    w.u64(digests.size());
    for (const auto& d : digests) {
        w.u64(d.lo);
        w.u64(d.hi);
    }
}

// Counts, rule states, findings (with their input positions), problems (without the ones every
// rank reads before the detections: the declarations' and the gazetteer's).
std::string pack_partial(DetectionPass::Output& pass, const RunInputs& inputs, const std::vector<InputCounts>& counts) {
    spill::ByteWriter w;
    w.u64(counts.size());
    std::uint64_t admitted = 0;
    for (const auto& c : counts) {
        w.u64(c.read);
        w.u64(c.rejected);
        w.u64(c.outside_period);
        w.u64(c.evaluated);
        admitted += c.evaluated;
    }
    w.u64(admitted);

    const fusion::Evaluator& evaluator = *inputs.evaluator;
    fusion::Partial total = evaluator.make_partial();
    for (auto& worker : pass.workers) evaluator.combine(total, std::move(worker->partial));
    const auto& rules = evaluator.regime().rules;
    for (std::size_t i = 0; i < rules.size(); ++i)
        if (total.states[i]) rules[i]->save_state(*total.states[i], w);

    auto finding = [&](const Sequenced& s) {
        w.u8(1);
        w.u64(s.detection);
        w.u32(s.k);
        spill::encode_finding(w, s.finding);
    };
    for (auto& worker : pass.workers) {
        worker->spool.seal();
        for (const auto& run : worker->spool.runs()) {
            spill::RecordReader reader(*run.file, run.offset, run.length);
            std::string_view record;
            Sequenced s;
            while (reader.next(record)) {
                read_sequenced(record, s);
                finding(s);
            }
        }
        for (std::size_t i = 0; i < worker->spool.in_memory(); ++i) {
            Sequenced s;
            read_sequenced(worker->spool.memory_record(i), s);
            finding(s);
        }
    }
    w.u8(0);

    std::size_t skip = inputs.declaration_problems.size() + inputs.gazetteer_problems.size();
    pass.problems->drain(8192, [&](std::vector<Problem>&& batch) {
        for (const auto& p : batch) {
            if (skip > 0) {
                --skip;
                continue;
            }
            w.u8(1);
            spill::encode_problem(w, p);
        }
    });
    w.u8(0);
    return std::string(w.bytes());
}

// Adds a rank's partial to rank 0's pass: its counts, its states and findings as one more worker,
// its problems after those of the ranks before it. Returns the detections it admitted.
std::uint64_t unpack_partial(const std::string& bytes, std::uint64_t offset, DetectionPass::Output& pass, const RunInputs& inputs,
                             std::vector<InputCounts>& counts, const RunOptions& o, const std::string& temp_dir, int from) {
    spill::ByteReader r(bytes);
    const std::uint64_t n = r.u64();
    if (n != counts.size()) throw InternalError("rank " + std::to_string(from) + " sent counts for " + std::to_string(n) + " inputs");
    for (auto& c : counts) {
        c.read += r.u64();
        c.rejected += r.u64();
        c.outside_period += r.u64();
        c.evaluated += r.u64();
    }
    const std::uint64_t admitted = r.u64();

    const fusion::Evaluator& evaluator = *inputs.evaluator;
    auto worker = std::make_unique<DetectionPass::Worker>(DetectionPass::Worker{evaluator.make_partial(), FindingSpool(temp_dir, o.spill_bytes)});
    const auto& rules = evaluator.regime().rules;
    for (std::size_t i = 0; i < rules.size(); ++i)
        if (worker->partial.states[i]) rules[i]->load_state(*worker->partial.states[i], r);
    while (r.u8() != 0) {
        Sequenced s;
        s.detection = r.u64() + offset; // the rank's input positions start after the earlier ranks' detections
        s.k = r.u32();
        s.finding = spill::decode_finding(r);
        worker->spool.add(std::move(s));
    }
    pass.workers.push_back(std::move(worker));
    while (r.u8() != 0) pass.problems->add(spill::decode_problem(r));
    return admitted;
}

// A failure injected for the fault tests (tests/mpi): AVF_TEST_MPI_FAIL_RANK=R makes rank R fail
// as an I/O error on its first input after its pass; AVF_TEST_MPI_KILL_RANK=R kills rank R there.
void injected_faults(const Ranks& ranks, const RunOptions& o) {
    auto is_me = [&](const char* name) {
        const char* v = std::getenv(name);
        return v && std::atoi(v) == ranks.rank;
    };
    if (is_me("AVF_TEST_MPI_KILL_RANK")) std::raise(SIGKILL);
    if (is_me("AVF_TEST_MPI_FAIL_RANK"))
        throw IoError("cannot read: injected I/O error (AVF_TEST_MPI_FAIL_RANK)",
                      Context{}.file(o.detections.empty() ? o.store_path : o.detections[0]));
}

// Every rank: its share of the detections; then rank 0 learns whether the shares stand (no id
// repeats anywhere, every share ended on a record boundary) and tells the others.
struct SharePass {
    DetectionPass::Output pass;
    bool fallback = false; // rank 0 evaluates every detection alone (the plain pass)
};

SharePass share_pass(const Ranks& ranks, const RunOptions& o, const RunInputs& inputs, const std::string& temp_dir, int threads,
                     const RunProgress& progress, std::vector<InputCounts>& counts) {
    Plan plan(o, ranks);
    const std::vector<InputShare> shares = plan.shares();
    if (verbose()) // the shares, one line per file a rank reads
        for (std::size_t i = 0; i < shares.size(); ++i)
            if (shares[i].read)
                std::fprintf(stderr, "avf: rank %d of %d reads %s: %s\n", ranks.rank, ranks.size, plan.files()[i].path.c_str(),
                             shares[i].whole ? "whole"
                                             : ("bytes " + std::to_string(shares[i].begin) + "-" + std::to_string(shares[i].end) + " from line " +
                                                std::to_string(shares[i].first_line))
                                                   .c_str());
    SharePass out;
    const double pass_start = MPI_Wtime();
    out.pass = DetectionPass(o, inputs, nullptr, temp_dir, progress, counts, &shares).run(threads);
    if (verbose()) {
        std::uint64_t admitted = 0;
        for (const auto& c : counts) admitted += c.evaluated;
        std::fprintf(stderr, "avf: rank %d of %d: pass over its share: %.3f s, %llu detections\n", ranks.rank, ranks.size, MPI_Wtime() - pass_start,
                     static_cast<unsigned long long>(admitted));
    }
    injected_faults(ranks, o);

    const bool local_fallback = out.pass.share_broken || !out.pass.repeated.empty();
    int fallback = 0;
    if (ranks.rank == 0) {
        bool any = local_fallback;
        std::vector<IdDigest> all = std::move(out.pass.distinct);
        for (int r = 1; r < ranks.size; ++r) {
            const std::string bytes = receive_bytes(r, tag_digests);
            spill::ByteReader in(bytes);
            any = in.u8() != 0 || any;
            const std::uint64_t n = in.u64();
            all.reserve(all.size() + n);
            for (std::uint64_t i = 0; i < n; ++i) {
                IdDigest d;
                d.lo = in.u64();
                d.hi = in.u64();
                all.push_back(d);
            }
        }
        if (!any) {
            std::sort(all.begin(), all.end());
            any = std::adjacent_find(all.begin(), all.end()) != all.end(); // an id on two ranks
        }
        fallback = any ? 1 : 0;
        if (any)
            std::fprintf(stderr,
                         "avf: note: rank 0 evaluates every detection itself (an id repeats, or a share did not end on a record boundary): "
                         "the results are the plain run's, without the speed-up of %d ranks\n",
                         ranks.size);
    } else {
        spill::ByteWriter w;
        write_digests(w, local_fallback, out.pass.distinct);
        send_bytes(std::string(w.bytes()), 0, tag_digests);
    }
    std::vector<IdDigest>().swap(out.pass.distinct);
    check(MPI_Bcast(&fallback, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
    out.fallback = fallback != 0;
    return out;
}

RunResult run_ranks(const Ranks& ranks, const RunOptions& options) {
    ComplianceRun checked(options); // every rank refuses bad options as the plain run does
    if (options.strict) {
        // --strict stops at the first rejected record in input order: rank 0 runs alone.
        if (ranks.rank != 0) return {};
        return ComplianceRun(options).run();
    }
    if (ranks.rank == 0) {
        ComplianceRun run(options);
        run.set_detection_stage(
            [&](const RunInputs& inputs, const std::string& temp_dir, int threads, const RunProgress& progress, std::vector<InputCounts>& counts) {
                SharePass mine = share_pass(ranks, options, inputs, temp_dir, threads, progress, counts);
                if (mine.fallback) return evaluate_detections(options, inputs, temp_dir, threads, progress, counts);
                std::uint64_t admitted = 0;
                for (const auto& c : counts) admitted += c.evaluated;
                double waited = 0, unpacked = 0;
                std::uint64_t bytes = 0;
                for (int r = 1; r < ranks.size; ++r) {
                    const double t0 = MPI_Wtime();
                    const std::string partial = receive_bytes(r, tag_partial);
                    const double t1 = MPI_Wtime();
                    bytes += partial.size();
                    admitted += unpack_partial(partial, admitted, mine.pass, inputs, counts, options, temp_dir, r);
                    waited += t1 - t0;
                    unpacked += MPI_Wtime() - t1;
                }
                if (verbose())
                    std::fprintf(stderr,
                                 "avf: rank 0 of %d: gathered %llu bytes of states, findings and problems: %.3f s receiving (waiting "
                                 "included), %.3f s adding\n",
                                 ranks.size, static_cast<unsigned long long>(bytes), waited, unpacked);
                return std::move(mine.pass);
            });
        return run.run();
    }

    // Ranks 1…N-1: the inputs rank 0 reads too (regime, zone set, declarations, imagery: small),
    // their share of the detections, and what rank 0 needs of it.
    RunOptions o = options;
    o.progress = nullptr;
    const std::string temp_dir = o.temp_dir.empty() ? spill::SpillFile::default_directory() : o.temp_dir;
    RunInputs inputs(o, temp_dir);
    std::vector<InputCounts> counts;
    for (const auto& path : o.detections) counts.push_back(input_file(path));
    for (const auto& path : o.reports) counts.push_back(input_file(path));
    const int threads = o.threads > 0 ? o.threads : tbb::info::default_concurrency();
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    const RunProgress progress(nullptr, 0);
    SharePass mine = share_pass(ranks, o, inputs, temp_dir, threads, progress, counts);
    if (!mine.fallback) {
        const double t0 = MPI_Wtime();
        const std::string partial = pack_partial(mine.pass, inputs, counts);
        if (verbose())
            std::fprintf(stderr, "avf: rank %d of %d: packed %zu bytes: %.3f s\n", ranks.rank, ranks.size, partial.size(), MPI_Wtime() - t0);
        send_bytes(partial, 0, tag_partial);
    }
    return {};
}

} // namespace

bool launched_by_mpi() {
    return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr;
}

DistributedRun run_distributed(const RunOptions& options) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    int provided = 0; // oneTBB's threads never call MPI: only the main thread does (FUNNELED)
    if (!initialized) MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    Ranks ranks;
    MPI_Comm_rank(MPI_COMM_WORLD, &ranks.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks.size);
    DistributedRun out;
    out.rank = ranks.rank;
    out.ranks = ranks.size;
    int code = 0;
    std::string message;
    try {
        out.result = run_ranks(ranks, options);
    } catch (const Error& e) {
        code = e.exit_code();
        message = std::string("error: ") + e.what();
    } catch (const std::exception& e) {
        code = 70;
        message = std::string("internal error: ") + e.what();
    }
    if (code != 0) {
        // Nothing is committed before every rank's part arrived: ending the job leaves the store as it was.
        std::fprintf(stderr, "avf: rank %d of %d: %s\n", ranks.rank, ranks.size, message.c_str());
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, code);
    }
    MPI_Finalize();
    return out;
}

} // namespace avf::pipeline
