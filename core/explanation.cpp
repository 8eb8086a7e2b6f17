#include "core/explanation.hpp"

#include "core/error.hpp"
#include "core/time.hpp"

#include <fmt/format.h>

#include <cmath>

namespace avf {

std::string format_position(const GeoPoint& p) {
    return fmt::format("{:.4f}{} {:.4f}{}", std::abs(p.y()), p.y() < 0 ? 'S' : 'N', std::abs(p.x()), p.x() < 0 ? 'W' : 'E');
}

std::string format_distance(double meters) {
    meters = std::abs(meters);
    if (meters < 1000.0) return fmt::format("{:.0f} m", meters);
    return fmt::format("{:.1f} km", meters / 1000.0);
}

std::string format_rule_ref(const std::string& rule_id, const std::string& article) {
    return article.empty() ? "(rule " + rule_id + ")" : "(rule " + rule_id + ", " + article + ")";
}

namespace {

/// How a field takes its argument.
enum class Arg { none, digits, phrase };

struct FieldSpec {
    std::string_view name;
    Arg arg;
};

constexpr FieldSpec fields[] = {
    {"rule", Arg::none},
    {"type", Arg::none},
    {"article", Arg::none},
    {"target", Arg::none},
    {"class", Arg::none},
    {"party", Arg::none},
    {"unit", Arg::none},
    {"kind", Arg::none},
    {"certainty", Arg::none},
    {"waiver", Arg::none},
    {"waiver_basis", Arg::none},
    {"rule_ref", Arg::none},
    {"party_of", Arg::none},
    {"from", Arg::none},
    {"to", Arg::none},
    {"last", Arg::none},
    {"date", Arg::none},
    {"position", Arg::none},
    {"measured_distance", Arg::none},
    {"limit_distance", Arg::none},
    {"lon", Arg::digits},
    {"lat", Arg::digits},
    {"measured", Arg::digits},
    {"limit", Arg::digits},
    {"confidence", Arg::digits},
    {"verdict", Arg::phrase},
    {"record", Arg::none},
    {"records", Arg::none},
};

const FieldSpec* find_field(std::string_view name) {
    for (const FieldSpec& s : fields) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

/// One piece of a template: literal text, or a field with its argument.
struct Piece {
    bool is_field = false;
    std::string_view text; ///< the literal, or the field name
    std::string_view arg;
};

/// Splits `tmpl` into pieces, calling `emit(piece)` for each; returns the error, if any.
template <typename Emit> std::optional<std::string> parse(std::string_view tmpl, Emit&& emit) {
    std::size_t i = 0;
    while (i < tmpl.size()) {
        const char c = tmpl[i];
        if (c == '{' || c == '}') {
            if (i + 1 < tmpl.size() && tmpl[i + 1] == c) {
                emit(Piece{false, tmpl.substr(i, 1), {}});
                i += 2;
                continue;
            }
            if (c == '}') return fmt::format("a lone '}}' at byte {} (write '}}}}' for a brace)", i);
            const std::size_t close = tmpl.find('}', i + 1);
            if (close == std::string_view::npos) return fmt::format("the field opened at byte {} is not closed", i);
            std::string_view inside = tmpl.substr(i + 1, close - i - 1);
            std::string_view name = inside, arg;
            bool has_arg = false;
            if (const std::size_t bar = inside.find('|'); bar != std::string_view::npos) {
                name = inside.substr(0, bar);
                arg = inside.substr(bar + 1);
                has_arg = true;
            }
            const FieldSpec* spec = find_field(name);
            if (!spec) return fmt::format("unknown field '{}' at byte {}", name, i);
            if (spec->arg == Arg::none && has_arg) return fmt::format("field '{}' takes no argument", name);
            if (spec->arg == Arg::digits && !(arg.size() == 1 && arg[0] >= '0' && arg[0] <= '9'))
                return fmt::format("field '{}' needs a number of decimals 0-9 ({}|N)", name, name);
            if (spec->arg == Arg::phrase && (!has_arg || arg.find('{') != std::string_view::npos))
                return fmt::format("field '{}' needs a phrase ({}|PHRASE)", name, name);
            emit(Piece{true, name, arg});
            i = close + 1;
            continue;
        }
        const std::size_t next = tmpl.find_first_of("{}", i);
        const std::size_t end = next == std::string_view::npos ? tmpl.size() : next;
        emit(Piece{false, tmpl.substr(i, end - i), {}});
        i = end;
    }
    return std::nullopt;
}

std::string fixed(double v, std::string_view digits) {
    return fmt::format("{:.{}f}", v, digits[0] - '0');
}

void append_field(std::string& out, const Piece& p, const Finding& f, std::string_view waiver_basis) {
    const std::string_view n = p.text;
    if (n == "rule")
        out += f.rule_id;
    else if (n == "type")
        out += f.rule_type;
    else if (n == "article")
        out += f.article;
    else if (n == "target")
        out += f.target_id;
    else if (n == "class")
        out += f.equipment_class;
    else if (n == "party")
        out += f.party;
    else if (n == "unit")
        out += f.unit;
    else if (n == "kind")
        out += to_string(f.kind);
    else if (n == "certainty")
        out += to_string(f.certainty);
    else if (n == "waiver")
        out += f.waiver_id;
    else if (n == "waiver_basis")
        out += waiver_basis;
    else if (n == "rule_ref")
        out += format_rule_ref(f.rule_id, f.article);
    else if (n == "party_of")
        out += f.party.empty() ? std::string("of unknown party") : "of " + f.party;
    else if (n == "from")
        out += format_utc(f.span.from);
    else if (n == "to")
        out += format_utc(f.span.to);
    else if (n == "last") // the last instant of a span of records, which ends one millisecond after it
        out += format_utc(f.span.to.is_max() || f.span.to.is_min() ? f.span.to : UtcTime{f.span.to.ms - 1});
    else if (n == "date")
        out += format_date(f.span.from);
    else if (n == "position")
        out += format_position(f.location);
    else if (n == "measured_distance")
        out += format_distance(f.measured * 1000.0);
    else if (n == "limit_distance")
        out += format_distance(f.limit * 1000.0);
    else if (n == "lon")
        out += fixed(f.location.x(), p.arg);
    else if (n == "lat")
        out += fixed(f.location.y(), p.arg);
    else if (n == "measured")
        out += fixed(f.measured, p.arg);
    else if (n == "limit")
        out += fixed(f.limit, p.arg);
    else if (n == "confidence")
        out += fixed(f.confidence, p.arg);
    else if (n == "verdict") {
        if (f.kind == FindingKind::exempted)
            out += fmt::format("exempted by waiver {} ({})", f.waiver_id, waiver_basis);
        else
            out += fmt::format("{}; {}", p.arg, to_string(f.certainty));
    } else if (n == "record") {
        if (!f.evidence.empty()) out += f.evidence.front().record_id;
    } else if (n == "records") {
        out += std::to_string(f.evidence.size());
    } else {
        throw InternalError(fmt::format("explanation field '{}' has no renderer", n));
    }
}

} // namespace

std::optional<std::string> template_error(std::string_view tmpl) {
    return parse(tmpl, [](const Piece&) {});
}

std::string render_explanation(std::string_view tmpl, const Finding& f, std::string_view waiver_basis) {
    std::string out;
    out.reserve(tmpl.size() + 64);
    auto error = parse(tmpl, [&](const Piece& p) {
        if (p.is_field)
            append_field(out, p, f, waiver_basis);
        else
            out += p.text;
    });
    if (error) throw InternalError(fmt::format("explanation template '{}': {}", tmpl, *error));
    return out;
}

std::string_view waiver_basis_of(const WaiverBases& bases, const Finding& f) {
    if (f.waiver_id.empty()) return {};
    auto it = bases.find({f.rule_id, f.waiver_id});
    return it == bases.end() ? std::string_view{} : std::string_view{it->second};
}

std::string render_explanation(const Finding& f, const WaiverBases& bases) {
    if (f.explanation_template.empty()) return f.explanation;
    return render_explanation(f.explanation_template, f, waiver_basis_of(bases, f));
}

std::string escape_template(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        out += c;
        if (c == '{' || c == '}') out += c;
    }
    return out;
}

} // namespace avf
