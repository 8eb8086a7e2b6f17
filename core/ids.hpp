// Strong identifier types: a ZoneId cannot be passed where a DetectionId is expected.
//
//   avf::ZoneId z{"DMZ-S"};
//   z.str();                 // "DMZ-S"
#pragma once

#include <compare>
#include <string>

namespace avf {

template <typename Tag> class StrongId {
public:
    StrongId() = default;
    explicit StrongId(std::string v) : m_value(std::move(v)) {}
    const std::string& str() const { return m_value; }
    bool empty() const { return m_value.empty(); }
    auto operator<=>(const StrongId&) const = default; // NOLINT(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>

private:
    std::string m_value;
};

using ZoneId = StrongId<struct ZoneIdTag>;
using LineId = StrongId<struct LineIdTag>;
using DetectionId = StrongId<struct DetectionIdTag>;
using ImageId = StrongId<struct ImageIdTag>;
using DeclarationId = StrongId<struct DeclarationIdTag>;
using RuleId = StrongId<struct RuleIdTag>;

} // namespace avf
