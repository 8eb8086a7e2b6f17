// The avf store: one HDF5 file holding zone sets, compliance runs and the audit chain, readable by
// h5dump, h5py, PyTables and pandas (layout: docs/store-format.md).
//
// Writing is copy-on-write and atomic: a StoreTransaction copies the published store (if any) to
// a temporary file in the same directory, all writes go there from one thread, and commit()
// closes, fsyncs, renames over the published name and fsyncs the directory. A crash, kill or
// failed write at any moment leaves the published store exactly as it was. Every HDF5 or POSIX
// error is fatal (IoError naming the path); nothing half-written is ever published.
//
//   avf::storage::StoreTransaction tx("demo.h5");          // takes demo.h5.lock, copies demo.h5
//   tx.write_zone_set(set);
//   auto run = tx.begin_run(header);
//   run.append_findings(batch);  run.append_problems(problems);
//   run.finish(summary);                                    // writes the run's commit record last
//   tx.commit();                                            // publish atomically
//
//   avf::storage::StoreReader store("demo.h5");
//   for (auto& s : store.zone_sets()) ...; store.read_findings(*store.latest_run());
//   auto cursor = store.findings(run_id);  for (Finding f; cursor.next(f);) ...   // bounded memory
//   if (auto report = store.verify(); !report.ok) std::cerr << report.message << "\n";
//
// Threading: a StoreTransaction, its RunWriter and a StoreReader are used from one thread at a
// time (Debian's HDF5 serialises every call behind one global lock anyway); the pipeline feeds
// its single writer thread through a bounded queue.
//
// Test hook: with AVF_TEST_CRASH_AT=<point>[#n] in the environment, a writer kills itself with
// SIGKILL at that phase boundary (storage/crash_point.hpp; docs/store-format.md §7). Unset, it
// does nothing. It exists for the crash harness in tests/reliability/.
//
// HDF5 is linked PRIVATE: no hid_t crosses this header.
#pragma once

#include "core/explanation.hpp"
#include "core/problem.hpp"
#include "core/records.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace avf::storage {

/// Version of the on-disk layout written by this build (root attribute `schema_version`).
/// 2 = schema 1 plus the imagery members of runs (images, flights, coverage); a run without
/// imagery is written exactly as schema 1 wrote it.
/// 3 = zone-set imports enter the audit chain (its rows gain `kind` and `name`), and signed chain
/// heads (/audit/signatures). The first write by this build into a store of schema 1 or 2 brings
/// its chain to schema 3 (docs/store-format.md §9); runs and zone sets are written as before.
/// 4 = a run's findings in compact rows with codes into per-run dictionaries (rules with their
/// explanation templates, targets, classes, parties, waivers, records); explanations are rendered
/// when read, not stored. The first write into a store of schema 3 raises the attribute only: its
/// runs keep their schema-3 layout (a run with a `rules` table is a schema-4 run).
/// 5 = each zone set and run written is a member file of its own, `<store>.d/zones/<name>.h5` or
/// `<store>.d/runs/<id>.h5`, linked from the store file by an external link: adding a run no
/// longer copies the runs before it. Groups written before stay inline; the first write into a
/// store of schema 3 or 4 raises the attribute only. pack_store() writes one self-contained file.
inline constexpr int schema_version = 5;

/// An input file as recorded for provenance.
struct InputFile {
    std::string role;       ///< zones | lines | detections | regime | imagery | declarations | tracks
    std::string path;       ///< as given on the command line
    std::string sha256;     ///< hex digest of the file's bytes
    std::uint64_t size = 0; ///< bytes
    std::uint64_t records_read = 0;
    std::uint64_t records_rejected = 0;
};

/// A named, immutable zone set (zones + reference lines + the problems found importing them).
struct ZoneSet {
    std::string name;         ///< 1-64 bytes of UTF-8 without '/' (it names an HDF5 group)
    std::string imported_utc; ///< ISO-8601
    std::string options_json; ///< the import options, as JSON
    /// The files read. Every non-empty Zone/ReferenceLine source.file must be one of these paths
    /// (the store records the index), else write_zone_set throws InternalError.
    std::vector<InputFile> sources;
    std::vector<Zone> zones;
    std::vector<ReferenceLine> lines;
    std::vector<Problem> problems;
};

struct ZoneSetInfo {
    std::string name;
    std::string imported_utc;
    std::uint64_t zones = 0, lines = 0, problems = 0;
    std::vector<InputFile> sources;
    std::string digest; ///< content digest from the set's commit record ("" when absent)
};

/// Everything known about a run before its data is written.
struct RunHeader {
    std::string run_id;
    std::string zone_set;
    std::string regime_id;
    std::string regime_text;  ///< the full regime file, verbatim
    std::string options_json; ///< the run's options, as JSON
    std::string tool_version;
    UtcTime started;
    /// The run's input files (path, role, size, SHA-256 known at start). Evidence rows refer to
    /// them by index (matched on Evidence::source_file == InputFile::path; an empty source_file
    /// is stored as -1, one not among the inputs is an InternalError); the record counts are
    /// completed by RunSummary::inputs at finish().
    std::vector<InputFile> inputs;
    /// The regime's waivers, (rule id, waiver id) → basis: the writer stores the basis of every
    /// waiver a finding names (schema 4 `waivers`), which the explanation's `{verdict}` quotes.
    WaiverBases waiver_bases;
};

/// One row of the run summary: count of findings per rule, kind and certainty.
struct SummaryRow {
    std::string rule_id;
    std::string kind;      ///< to_string(FindingKind)
    std::string certainty; ///< to_string(Certainty)
    std::uint64_t findings = 0;
};

struct RunSummary {
    UtcTime finished;
    std::string status; ///< "complete" (written by finish)
    std::vector<InputFile> inputs;
    std::vector<SummaryRow> rows;
};

struct RunInfo {
    RunHeader header; ///< inputs: as completed at finish() (same as summary.inputs)
    RunSummary summary;
    std::uint64_t findings = 0, evidence = 0, problems = 0;
    bool committed = false;     ///< the run's commit record is present
    std::string content_digest; ///< digest of the run's commit record ("" when not committed)
    /// Digest of the run's results only (commit entries without attributes and commit_blocks):
    /// equal for two runs over the same inputs and regime ("" when not committed).
    std::string results_digest;
    std::string zone_set_digest; ///< digest of the zone set when the run began ("" when not in the store)
    std::uint64_t sequence = 0;  ///< 1-based position in /audit/chain, 0 when not in the chain
};

/// A flight of a run as the `flights` table keeps it: the track (fixes as one line) and its
/// planned route, with counts.
struct FlightRecord {
    std::string flight_id;
    std::string track_file; ///< input the fixes came from (the first fix's file)
    std::string route_file; ///< "" when the flight had no planned route
    std::uint64_t fixes = 0;
    std::uint64_t sensor_on_fixes = 0;
    UtcTime first_fix, last_fix;
    double length_m = 0.0;     ///< geodesic length of the track
    double min_height_m = 0.0; ///< lowest height above ground with a sensor on; NaN when none known
    LineString track;
    LineString route; ///< empty when no route
};

/// The imagery side of a run (schema 2): stored only for runs given imagery, tracks or routes.
struct RunImagery {
    std::vector<ImageRecord> images;
    std::vector<FlightRecord> flights;
    std::vector<CoverageRecord> coverage;
};

/// What a chain row records: a committed run, or (schema 3) a committed zone-set import.
enum class ChainKind : std::uint8_t { run, zone_set };
std::string_view to_string(ChainKind kind);

/// One row of /audit/chain.
struct ChainEntry {
    std::uint64_t sequence = 0; ///< 1-based
    ChainKind kind = ChainKind::run;
    std::string name;            ///< the run id, or the zone set's name
    std::string run_id;          ///< the run id for a run row (== name); "" for a zone-set row
    std::string content_digest;  ///< the run's or zone set's commit digest
    std::string previous_digest; ///< the previous row's digest (64 zeros for the first row)
    /// SHA-256(previous_digest || key || content_digest), key = the run id, or "zone_set/<name>"
    std::string digest;
};

/// One row of /audit/signatures: an Ed25519 signature of a chain head (storage/signing.hpp).
struct SignatureRecord {
    std::uint64_t sequence = 0;  ///< the chain row signed (the head when it was signed)
    std::string head_digest;     ///< that row's digest
    std::string signed_utc;      ///< ISO-8601, part of the signed message
    std::string key_fingerprint; ///< SHA-256 (hex) of the public key's DER SubjectPublicKeyInfo
    std::string public_key;      ///< the raw 32-byte Ed25519 public key, hex
    std::string signature;       ///< the 64-byte signature of head_message(), hex
};

class PublicKey;

/// What verify() checks besides the store's internal consistency (docs/reliability.md, "Threat
/// model of the audit chain").
struct VerifyOptions {
    /// When set: the store must hold a valid signature by this key, every signature by it must
    /// cover a row of the chain (sequence and digest), and the rows after the latest one it
    /// signed are reported as unsigned.
    const PublicKey* trusted_key = nullptr;
    /// Chain heads an auditor kept (receipts): each must be the digest of a row of the chain.
    std::vector<std::string> expected_heads;
    /// Called before each row of the chain is checked (its name, rows done, rows in all), and
    /// once more with done == total before the last step (reading every object); may be empty.
    std::function<void(const std::string& name, std::size_t done, std::size_t total)> progress;
};

/// What StoreReader::verify() found: ok, or the first mismatch (runs in chain order first, then
/// the chain's coverage of committed runs, then zone sets in import order). `message` reads
/// "run R, table T, L: what differs" (or "zone set S, table T, L: ...").
struct VerifyReport {
    bool ok = true;
    std::string run_id;   ///< the run with the mismatch ("" when it is in a zone set)
    std::string zone_set; ///< the zone set with the mismatch ("" when it is in a run)
    std::string table;    ///< findings, evidence, explanations, attributes, commit, chain, …
    /// Where in `table`: "rows A-B" (0-based, inclusive, a 4096-row block), "bytes A-B" (a
    /// 65536-byte block of a byte heap), "count", "missing", "digest", "link", "value", "layout",
    /// "unreadable".
    std::string location;
    std::string message; ///< one sentence for people; "" when ok
    std::uint64_t runs_checked = 0;
    std::uint64_t zone_sets_checked = 0;
    std::uint64_t chain_rows = 0;
    std::uint64_t rows_checked = 0;  ///< table rows whose bytes were digested and matched
    std::uint64_t bytes_checked = 0; ///< byte-heap and text bytes digested and matched
    /// Run groups without a commit record and not in the chain: incomplete, never trusted, not
    /// a mismatch. Listed whether or not a mismatch was found.
    std::vector<std::string> uncommitted_runs;
    std::uint64_t objects_read = 0;       ///< HDF5 objects read in full (data and attributes)
    std::uint64_t signatures_checked = 0; ///< signatures found valid for the chain row they name
    ChainEntry head;                      ///< the chain's last row (sequence 0 when empty)

    /// The checks of VerifyOptions; `trusted` is true when none was asked for. A store can be
    /// ok (consistent) and not trusted (a consistent rewrite the key or the kept head rejects).
    bool trusted = true;
    std::string trust_message;             ///< why not trusted; "" when trusted
    std::uint64_t signed_sequence = 0;     ///< latest chain row signed by the trusted key (0: none)
    std::vector<ChainEntry> unsigned_rows; ///< with a trusted key: the rows after signed_sequence
};

/// Files left by writers that were killed before publishing (full paths, sorted): temporary files
/// `<store>.tmp-<pid>` beside the store and `<store>.d/{zones,runs}/*.tmp-<pid>`, and member files
/// renamed into `<store>.d/` whose store file was never published, so that nothing links them
/// (orphans). They are never part of the store and never read; the next writing command removes
/// them under the store's lock.
std::vector<std::string> leftover_temporary_files(const std::string& store_path);

/// What pack_store() wrote.
struct PackReport {
    std::uint64_t zone_sets = 0, runs = 0; ///< copied from member files into the packed file
    std::uint64_t inline_groups = 0;       ///< zone sets and runs already inside the store file
    std::uint64_t bytes = 0;               ///< size of the packed file
};

/// Writes the store as one self-contained file `out` (schema 5 allows a run or zone set to be an
/// inline group or a member file; a packed file has only inline groups): the store file's groups
/// copied with every member file's objects in place of its link (HDF5 H5Ocopy, chunks copied as
/// stored), so its digests, chain and signatures are the store's and `avf audit verify` checks it
/// alone. Written to `out.tmp-<pid>`, fsynced and renamed; `out` must not exist (InputError). The
/// store is only read (no lock: member files never change and the store file is opened once).
PackReport pack_store(const std::string& store, const std::string& out);

class StoreTransaction;

/// Writes one run inside a transaction. Findings must be appended in their final (sorted) order.
/// Each append validates the whole batch before writing any of it: a value longer than its column
/// (or with a NUL byte, or not UTF-8) is an InputError and nothing of that batch is written.
/// Any failure after writing began (IoError) makes the transaction uncommittable.
class RunWriter {
public:
    RunWriter(RunWriter&&) noexcept;
    RunWriter& operator=(RunWriter&&) noexcept;
    /// Without finish(), the run stays unfinished and the transaction refuses to commit.
    ~RunWriter();
    void append_findings(const std::vector<Finding>& findings);
    void append_problems(const std::vector<Problem>& problems);

    /// append_findings() in two halves, so that encoding and digesting (prepare) overlap with
    /// filtering and HDF5's writing on another thread: prepare_findings() checks and encodes the
    /// batch, digests its rows and cuts the whole chunks they complete, touching no HDF5 object;
    /// write() shuffles, deflates and checksums (fletcher32) those chunks and hands them to HDF5
    /// (H5Dwrite_chunk). Batches are written in the order they were prepared. prepare and write
    /// may run at the same time on two threads; each is called from one thread at a time, and
    /// every prepared batch is written before append_problems, write_imagery or finish.
    class Prepared;
    Prepared prepare_findings(const std::vector<Finding>& findings);
    /// prepare_findings() a finding at a time, for a caller that holds one finding at a time (the
    /// merge): encode_finding() codes `f` at once, while it is in the cache, and prepare_encoded()
    /// digests and cuts what was encoded since the last prepare. Errors as prepare_findings.
    void encode_finding(const Finding& f);
    /// A hint that `f` will be encoded soon: starts loading what encoding it will look up (the
    /// records index's slot of its record). Changes nothing; never throws.
    void prefetch(const Finding& f) noexcept;
    std::size_t encoded_findings() const;
    Prepared prepare_encoded();
    void write(const Prepared& prepared);
    /// Writes the images, flights and coverage tables and their WKB heaps (at most once, before
    /// finish). The run's commit record then lists them (run_commit_entries(…, true)). Every
    /// value is validated before anything is written (InputError); image and flight source files
    /// must be among the header's inputs.
    void write_imagery(const RunImagery& imagery);
    /// Writes inputs, summary and, last, the run's commit record (row counts + SHA-256 of the
    /// canonical bytes of every table), then appends the run to /audit/chain.
    /// `summary.inputs` completes the header's inputs: an entry with the same path and role
    /// updates that input (record counts; size and sha256 when the header left them empty),
    /// others are appended. An empty `summary.status` is stored as "complete".
    void finish(const RunSummary& summary);
    const std::string& run_id() const;

private:
    friend class StoreTransaction;
    struct Impl;
    explicit RunWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// A batch of findings encoded and digested by RunWriter::prepare_findings: the whole chunks of
/// the findings and evidence datasets it completed, filtered (the bytes stored).
class RunWriter::Prepared {
public:
    Prepared() = default;
    Prepared(Prepared&&) noexcept = default;
    Prepared& operator=(Prepared&&) noexcept = default;

private:
    friend class RunWriter;
    std::vector<std::vector<std::uint8_t>> findings, evidence, records, record_text;
};

class StoreTransaction {
public:
    /// Locks `path` (flock on path + ".lock"; IoError at once when another process holds it),
    /// copies the published store to `path.tmp-<pid>` in the same directory, or creates a new
    /// store there. A store of schema 1-4 holding zone sets or runs inline is not copied: the new
    /// store file is written afresh there and each inline group is moved to its member file (same
    /// datasets and digests; docs/store-format.md §9), which the destructor removes unless
    /// committed. Throws IoError, or InputError when the store's schema_version is newer than
    /// this build writes.
    explicit StoreTransaction(std::string path);
    /// Without commit(), the temporary file is removed and the published store is untouched.
    ~StoreTransaction();
    StoreTransaction(const StoreTransaction&) = delete;
    StoreTransaction& operator=(const StoreTransaction&) = delete;

    const std::string& path() const;
    bool has_zone_set(const std::string& name) const;
    bool has_run(const std::string& run_id) const;
    /// Throws InputError when a set of that name exists (sets are immutable; import a new name),
    /// when the name cannot name a group (1-64 bytes of UTF-8, no '/'), or when a value does not
    /// fit its column. Writes the set's commit record last.
    void write_zone_set(const ZoneSet& set);
    /// Throws InputError when a run with that id exists or the id cannot name a group; records
    /// the digest of `header.zone_set` when that set is in the store. One run at a time.
    RunWriter begin_run(const RunHeader& header);
    /// Signs chain row `sequence` (0: the current head, including rows this transaction added)
    /// and appends the signature to /audit/signatures. InputError when the chain is empty or has
    /// no such row.
    SignatureRecord sign(const class SigningKey& key, std::uint64_t sequence = 0);
    /// The chain rows this transaction appended (zone sets and runs), in order.
    const std::vector<ChainEntry>& chain_rows_added() const;
    /// Every row of the audit chain in this transaction's file.
    std::vector<ChainEntry> chain() const;
    /// The chain row of a committed run or zone set in this transaction's file; nullopt when none.
    std::optional<ChainEntry> chain_row(ChainKind kind, const std::string& name) const;
    /// Close, fsync, rename over the published name, fsync the directory. InternalError when a
    /// begun run was not finished or an earlier write failed (nothing is published then).
    void commit();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// How a FindingCursor reads.
struct FindingCursorOptions {
    /// Rows of the findings table read at once (one hyperslab); the evidence, records and texts
    /// those rows refer to are read with them. Default 4096 (a digest block).
    std::size_t batch_rows = 4096;
    /// When set, a finding is kept only if `keep` returns true. It sees the finding's fields
    /// (id, rule, target, kind, certainty, class, party, span, location, numbers, waiver) before
    /// its evidence and explanation are read (they are empty then), so a filter costs no
    /// evidence read and no sentence rendered for what it drops.
    std::function<bool(const Finding&)> keep;
};

/// A committed run's findings in stored order, read a batch at a time (StoreReader::findings):
/// memory holds one batch, whatever the run's size. Every layout the reader supports is read
/// (schema 1-3 rows with stored explanations, schema-4 compact rows whose explanations are
/// rendered). The cursor holds the file open; it may outlive its StoreReader. One thread at a time.
///
///   auto cursor = store.findings(run_id);
///   for (Finding f; cursor.next(f);) ...                     // one at a time
///   std::vector<Finding> batch; while (cursor.next_batch(batch)) ...   // or a batch at a time
class FindingCursor {
public:
    FindingCursor(FindingCursor&&) noexcept;
    FindingCursor& operator=(FindingCursor&&) noexcept;
    ~FindingCursor();

    /// The kept findings of the next batch_rows rows, in stored order, replacing `out`'s content;
    /// false (and `out` empty) at the end. With FindingCursorOptions::keep a batch may be empty
    /// before the end. IoError for a damaged row (as read_findings).
    bool next_batch(std::vector<Finding>& out);
    /// The next kept finding; false at the end. Do not mix with next_batch().
    bool next(Finding& out);
    /// Rows of the run's findings table, and rows read so far.
    std::uint64_t rows() const;
    std::uint64_t rows_read() const;

private:
    friend class StoreReader;
    struct Impl;
    explicit FindingCursor(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// Read-only access to a published store. Throws IoError when the file is missing or not an avf
/// store, InputError when its schema_version is newer than this build understands.
class StoreReader {
public:
    explicit StoreReader(std::string path);
    ~StoreReader();
    StoreReader(StoreReader&&) noexcept;
    StoreReader& operator=(StoreReader&&) noexcept;

    const std::string& path() const;
    int schema_version() const;
    /// Zone sets in import order.
    std::vector<ZoneSetInfo> zone_sets() const;
    /// InputError when there is no such set.
    ZoneSet read_zone_set(const std::string& name) const;
    /// Runs in commit (chain) order, then run groups that are not in the chain, in creation
    /// order. A run without its commit record is listed with committed = false.
    std::vector<RunInfo> runs() const;
    /// The latest run of the chain that has its commit record; nullopt when there is none.
    std::optional<std::string> latest_run() const;
    /// InputError when there is no such run.
    RunInfo run_info(const std::string& run_id) const;
    /// Findings in stored order, each with its evidence (in order) and explanation. InputError
    /// when the run has no commit record (an incomplete run is never a result).
    std::vector<Finding> read_findings(const std::string& run_id) const;
    /// The same findings through a cursor, a batch at a time. InputError as read_findings.
    FindingCursor findings(const std::string& run_id, FindingCursorOptions options = {}) const;
    /// InputError when the run has no commit record, as read_findings.
    std::vector<Problem> read_problems(const std::string& run_id) const;
    /// The run rows of the audit chain, in commit order (zone-set rows: chain()).
    std::vector<ChainEntry> audit_chain() const;
    /// Every row of the audit chain: zone sets (schema 3) and runs, in commit order.
    std::vector<ChainEntry> chain() const;
    /// /audit/signatures in order (empty when the store was never signed).
    std::vector<SignatureRecord> signatures() const;
    /// The imagery members of a run (empty for runs without imagery, and for schema-1 runs).
    /// InputError when the run has no commit record.
    RunImagery read_imagery(const std::string& run_id) const;
    /// Recomputes the row counts and digests of every table of every committed run and zone set,
    /// compares them with their commit records and checks the audit chain's links. Damage found
    /// is reported, not thrown (an IoError only when the file cannot be read at all).
    /// Also checks that every committed group holds exactly the members and attributes its
    /// commit record lists, that every signature is valid for the chain row it names, and reads
    /// every object of the file in full (what h5dump reads). `options`: trust checks.
    VerifyReport verify(const VerifyOptions& options = {}) const;
    /// verify() restricted to one run: the audit chain's rows up to and including the run's row
    /// (sequence, links, digests), the run's content against its commit record, and the digest of
    /// the zone set it used. A run without a commit record or without a chain row is a mismatch.
    /// InputError when there is no such run.
    VerifyReport verify_run(const std::string& run_id) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace avf::storage
