#include "pipeline/finding_merge.hpp"

#include "core/spill/byte_codec.hpp"
#include "core/spill/record_file.hpp"

#include <algorithm>

namespace avf::pipeline {
namespace {

// A spilled run of findings, decoded record by record.
class RunStream final : public spill::SortedStream<Sequenced> {
public:
    RunStream(const FindingSpool::Run& r, std::size_t piece) : m_reader(*r.file, r.offset, r.length, piece) {}
    bool next(Sequenced& out) override {
        std::string_view record;
        if (!m_reader.next(record)) return false;
        read_sequenced(record, out);
        return true;
    }

private:
    spill::RecordReader m_reader;
};

// A sealed spool's findings in memory, decoded in order.
class MemoryStream final : public spill::SortedStream<Sequenced> {
public:
    explicit MemoryStream(const FindingSpool& spool) : m_spool(spool) {}
    bool next(Sequenced& out) override {
        if (m_i >= m_spool.in_memory()) return false;
        read_sequenced(m_spool.memory_record(m_i++), out);
        return true;
    }

private:
    const FindingSpool& m_spool;
    std::size_t m_i = 0;
};

} // namespace

// Each spilled run is read ahead a piece at a time, the pieces of one merge sharing the spill
// budget (64 KiB to 1 MiB a run: a 10^8-row run spills hundreds of runs, and at 1 MiB each the
// merge alone took over 1 GiB).
FindingMerge::FindingMerge(const std::vector<FindingSpool*>& spools, const MergeOptions& options) {
    auto piece_for = [&](std::size_t runs) {
        return std::clamp<std::size_t>(options.spill_bytes / std::max<std::size_t>(1, runs), std::size_t{64} << 10, std::size_t{1} << 20);
    };
    std::vector<FindingSpool::Run> runs;
    for (FindingSpool* s : spools) {
        s->seal();
        runs.insert(runs.end(), s->runs().begin(), s->runs().end());
    }
    const std::size_t fan_in = std::max<std::size_t>(2, options.fan_in);
    while (runs.size() > fan_in) {
        auto file = std::make_unique<spill::SpillFile>(options.temp_dir);
        std::vector<FindingSpool::Run> longer;
        spill::ByteWriter w;
        for (std::size_t i = 0; i < runs.size(); i += fan_in) {
            const std::size_t n = std::min(fan_in, runs.size() - i);
            spill::KWayMerge<Sequenced, SequencedBefore> group;
            for (std::size_t j = i; j < i + n; ++j) group.add(std::make_unique<RunStream>(runs[j], piece_for(n)));
            const std::uint64_t start = file->size();
            while (group.pop([&](const Sequenced& s) { append_sequenced(*file, w, s); })) {
            }
            longer.push_back(FindingSpool::Run{file.get(), start, file->size() - start});
        }
        file->flush();
        runs = std::move(longer);
        m_merged = std::move(file); // the previous pass's file is no longer read: released here
        ++m_passes;
    }
    m_final_runs = runs.size();
    for (const auto& run : runs) m_merge.add(std::make_unique<RunStream>(run, piece_for(runs.size())));
    for (FindingSpool* s : spools) m_merge.add(std::make_unique<MemoryStream>(*s));
}

} // namespace avf::pipeline
