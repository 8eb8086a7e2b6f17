// The spilled form of avf's records — Finding (with its evidence) and Problem — in the byte codec
// (byte_codec.hpp): one place for both, every field, decoded to an equal record. Spilled findings
// are the compliance run's runs of findings (pipeline/finding_spool.hpp), spilled problems its
// problem spool (pipeline/problem_spool.hpp).
//
//   avf::spill::ByteWriter w;
//   avf::spill::encode_finding(w, finding);
//   avf::spill::ByteReader r(w.bytes());
//   avf::Finding same = avf::spill::decode_finding(r);
//
// Doubles are kept bit for bit (-0.0 and NaN payloads included); a Problem's line and column keep
// whether they are known (line 0 is a known line).
#pragma once

#include "core/problem.hpp"
#include "core/records.hpp"
#include "core/spill/byte_codec.hpp"

namespace avf::spill {

/// A finding as one record (every field, then its evidence, then its explanation).
void encode_finding(ByteWriter& w, const Finding& f);
/// Decodes what encode_finding wrote.
Finding decode_finding(ByteReader& r);
/// The same into `f`, every field assigned (its strings keep their memory when they can).
void decode_finding(ByteReader& r, Finding& f);

/// The fields of fusion::finding_order, read from what encode_finding wrote without decoding the
/// rest (views into the record).
struct EncodedFindingOrder {
    std::string_view id, rule_id, target_id;
    std::int64_t from = 0;
};
EncodedFindingOrder read_finding_order(ByteReader& r);

/// A problem as one record (every field, with whether line and column are known).
void encode_problem(ByteWriter& w, const Problem& p);
/// Decodes what encode_problem wrote.
Problem decode_problem(ByteReader& r);

} // namespace avf::spill
