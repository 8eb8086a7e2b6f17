// Whole records in a SpillFile, each framed by its length (byte_codec.hpp): append_record writes
// one, RecordReader reads them back one at a time from a range of the file, reading ahead a piece
// at a time so that its memory does not grow with the file.
//
//   avf::spill::SpillFile f(dir);
//   avf::spill::ByteWriter w; w.u64(7); w.str("D-1");
//   avf::spill::append_record(f, w.bytes()); f.flush();
//   avf::spill::RecordReader reader(f, 0, f.size());
//   for (std::string_view record; reader.next(record);) { avf::spill::ByteReader r(record); ... }
//
// Errors: a range that ends inside a record is an InternalError; I/O errors as SpillFile's.
#pragma once

#include "core/spill/spill_file.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace avf::spill {

/// Appends `record` framed by its length (what RecordReader reads).
void append_record(SpillFile& f, std::string_view record);

/// Framed records read back one at a time from a SpillFile range.
class RecordReader {
public:
    /// Reads ahead `piece` bytes at a time (or a whole record when it is longer): its memory is
    /// about `piece` plus the longest record. A k-way merge of many runs takes smaller pieces.
    RecordReader(const SpillFile& file, std::uint64_t offset, std::uint64_t length, std::size_t piece = std::size_t{1} << 20)
        : m_reader(file.reader(offset, length)), m_piece(piece) {}
    /// The next record's bytes (valid until the next call); false at the end.
    bool next(std::string_view& record);

private:
    SpillFile::Reader m_reader;
    std::size_t m_piece;
    std::string m_pending;
    std::size_t m_pos = 0;
};

} // namespace avf::spill
