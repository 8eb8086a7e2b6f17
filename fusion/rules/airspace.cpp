#include "fusion/rules/airspace.hpp"

#include "fusion/finding_builder.hpp"
#include "fusion/imagery.hpp"
#include "fusion/toml_reader.hpp"
#include "fusion/zone_set_view.hpp"
#include "geo/geodesic.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <tbb/parallel_for.h>

namespace avf::fusion {
namespace {

// How far past the widest band (or from a zone) distances are measured exactly: beyond it the
// capped value is still a lower bound, which is all the stepping needs.
constexpr double distance_cap_m = 100'000.0;
// The smallest step along a leg, in metres of the function's change: an incursion less than half
// of it deep may be stepped over.
constexpr double min_step_m = 0.02;

// One leg of a track: fixes a → b, along the geodesic, constant speed.
struct Leg {
    const TrackPoint* a = nullptr;
    const TrackPoint* b = nullptr;
    double length = 0.0;  ///< metres
    double azimuth = 0.0; ///< at a
    GeoPoint at(double u) const {
        // The fixes themselves at the ends, so that a leg ends where the next begins, bit for bit.
        if (length == 0.0 || u == 0.0) return a->position;
        if (u == 1.0) return b->position;
        return geo::destination(a->position, azimuth, Meters{u * length});
    }
    double lerp(double x, double y, double u) const { return x + u * (y - x); }
    double altitude(double u) const { return lerp(a->altitude.value, b->altitude.value, u); }
    double error(double u) const { return lerp(a->position_error.value, b->position_error.value, u); }
    double time(double u) const { return lerp(static_cast<double>(a->time.ms), static_cast<double>(b->time.ms), u); }
};

// A maximal stretch of a track where the function is ≥ 0: from (leg, u) to (leg, u), with the
// times in ms (double, the first and last instant inside).
struct Stretch {
    std::size_t first_leg = 0, last_leg = 0;
    double first_u = 0.0, last_u = 0.0;
    double entry_ms = 0.0, exit_ms = 0.0;
};

std::string format_duration(double ms) {
    const auto s = static_cast<std::int64_t>(std::llround(ms / 1000.0));
    if (s < 60) return fmt::format("{} s", s);
    if (s < 3600) return fmt::format("{} min {} s", s / 60, s % 60);
    return fmt::format("{} h {} min", s / 3600, (s % 3600) / 60);
}

// Where a track is ≥ 0 under `h` (of leg and u), given K(leg), the bound on |dh/du| on that leg.
std::vector<Stretch> stretches(const std::vector<Leg>& legs, const std::function<double(const Leg&, double)>& h,
                               const std::function<double(const Leg&)>& lipschitz) {
    std::vector<Stretch> out;
    if (legs.empty()) return out;
    bool inside = h(legs.front(), 0.0) >= 0;
    if (inside) out.push_back(Stretch{0, 0, 0.0, 0.0, legs.front().time(0.0), 0.0});
    for (std::size_t i = 0; i < legs.size(); ++i) {
        const Leg& leg = legs[i];
        const double k = lipschitz(leg);
        double u = 0.0, v = h(leg, 0.0);
        while (u < 1.0 && k > 0) {
            const double u2 = std::min(1.0, u + std::max(std::abs(v), min_step_m) / k);
            const double v2 = h(leg, u2);
            if ((v2 >= 0) != inside) {
                // Bisect to the millisecond (and the millimetre): lo keeps u's side, hi u2's.
                double lo = u, hi = u2;
                const auto ms = static_cast<double>(leg.b->time.ms - leg.a->time.ms);
                for (int n = 0; n < 64 && ((hi - lo) * ms > 0.5 || (hi - lo) * leg.length > 1e-3); ++n) {
                    const double mid = 0.5 * (lo + hi);
                    if ((h(leg, mid) >= 0) == inside)
                        lo = mid;
                    else
                        hi = mid;
                }
                if (!inside) {
                    out.push_back(Stretch{i, i, hi, hi, leg.time(hi), 0.0});
                } else {
                    out.back().last_leg = i;
                    out.back().last_u = lo;
                    out.back().exit_ms = leg.time(lo);
                }
                inside = !inside;
            }
            u = u2;
            v = v2;
        }
    }
    if (inside) {
        out.back().last_leg = legs.size() - 1;
        out.back().last_u = 1.0;
        out.back().exit_ms = legs.back().time(1.0);
    }
    return out;
}

// The maximum of f over the stretch's part [from_ms, to_ms]: samples along each leg piece, then a
// golden-section search around the best sample. Returns {value, leg, u}.
struct Peak {
    double value = -std::numeric_limits<double>::infinity();
    std::size_t leg = 0;
    double u = 0.0;
};
Peak peak(const std::vector<Leg>& legs, const Stretch& s, double from_ms, double to_ms, const std::function<double(const Leg&, double)>& f) {
    Peak best;
    for (std::size_t i = s.first_leg; i <= s.last_leg; ++i) {
        const Leg& leg = legs[i];
        const auto t0 = static_cast<double>(leg.a->time.ms);
        const auto t1 = static_cast<double>(leg.b->time.ms);
        double u0 = i == s.first_leg ? s.first_u : 0.0, u1 = i == s.last_leg ? s.last_u : 1.0;
        if (t1 > t0) { // (a single fix is a leg of no duration)
            u0 = std::max(u0, (from_ms - t0) / (t1 - t0));
            u1 = std::min(u1, (to_ms - t0) / (t1 - t0));
        }
        if (u0 > u1) continue;
        const int n = std::clamp(static_cast<int>((u1 - u0) * leg.length / 200.0), 1, 256);
        const double step = (u1 - u0) / n;
        Peak local;
        for (int k = 0; k <= n; ++k) {
            const double u = k == n ? u1 : u0 + k * step;
            const double v = f(leg, u);
            if (v > local.value) local = Peak{v, i, u};
        }
        if (n > 1) {
            double a = std::max(u0, local.u - step), b = std::min(u1, local.u + step);
            const double g = (std::sqrt(5.0) - 1) / 2;
            for (int k = 0; k < 60 && (b - a) * leg.length > 1e-3; ++k) {
                const double c = b - g * (b - a), d = a + g * (b - a);
                if (f(leg, c) >= f(leg, d))
                    b = d;
                else
                    a = c;
            }
            const double u = 0.5 * (a + b), v = f(leg, u);
            if (v > local.value) local = Peak{v, i, u};
        }
        if (local.value > best.value) best = local;
    }
    return best;
}

double array_km(TomlReader& r, const std::string& key, const toml::node& n) {
    auto v = n.value<double>();
    if (!v || !std::isfinite(*v) || *v <= 0 || *v * 1000.0 > max_distance_m)
        r.fail(key, "not a width in km", "a number of km > 0, or [before, after] the split");
    return *v * 1000.0;
}

} // namespace

const std::vector<std::string>& AirspaceRule::categories() {
    static const std::vector<std::string> names = {"fixed_wing", "rotary_wing", "uav", "balloon"};
    return names;
}

AirspaceRule::AirspaceRule(TomlReader& r, const RuleContext& context) {
    read_common(r, context);
    refuse_sources(r);
    if (r.has("classes") || r.has("classes_except"))
        r.fail(r.has("classes") ? "classes" : "classes_except", "an airspace rule is scoped by aircraft category",
               "width_km = { … } (a band) or categories = [\"uav\"] (zones)");
    auto category_of = [&](const std::string& key, const std::string& name) {
        if (std::find(categories().begin(), categories().end(), name) == categories().end())
            r.fail(key, "unknown aircraft category '" + name + "'", "fixed_wing, rotary_wing, uav or balloon");
    };
    const bool line = r.has("line");
    m_zone_mode = r.has("zones") || r.has("zone_selector");
    if (line == m_zone_mode)
        r.fail(line ? "zones" : "", "an airspace rule needs a line (a band) or zones, not both", "line = \"MDL\" or zones = [\"…\"]");
    if (line) {
        m_line_id = read_target_ids(r, "line").at(0);
        m_line_where = r.where("line");
        if (const toml::array* split = r.optional_array("split_at")) {
            auto lon = split->size() == 2 ? (*split)[0].value<double>() : std::nullopt;
            auto lat = split->size() == 2 ? (*split)[1].value<double>() : std::nullopt;
            if (!lon || !lat || std::abs(*lon) > 180 || std::abs(*lat) > 90) r.fail("split_at", "not a position", "[lon, lat] in degrees");
            m_split = GeoPoint{*lon, *lat};
        }
        const toml::table* widths = r.optional_table("width_km");
        if (!widths || widths->empty())
            r.fail("width_km", "a band needs its width per category", "width_km = { fixed_wing = [20, 40], rotary_wing = 10, … }");
        for (const auto& [k, node] : *widths) {
            const std::string name(k.str()), key = "width_km." + name;
            category_of("width_km", name);
            if (const toml::array* pair = node.as_array()) {
                if (pair->size() != 2) r.fail(key, "a pair of widths has two values", "[before, after] the split");
                if (!m_split) r.fail(key, "two widths need split_at", "split_at = [lon, lat], or one width");
                m_width[name] = {array_km(r, key, (*pair)[0]), array_km(r, key, (*pair)[1])};
            } else {
                const double w = array_km(r, key, node);
                m_width[name] = {w, w};
            }
        }
        if (r.has("categories")) r.fail("categories", "a band's categories are the keys of width_km", "width_km = { uav = 15 }");
    } else {
        m_targets.read(r, context.parties);
        for (const auto& c : r.string_list("categories")) {
            category_of("categories", c);
            m_categories.insert(c);
        }
        if (r.has("width_km") || r.has("split_at"))
            r.fail(r.has("width_km") ? "width_km" : "split_at", "zones have no width", "line = \"…\" for a band");
    }
    auto altitude = [&](const char* key) -> std::optional<double> {
        auto v = r.optional_number(key);
        if (v && (!std::isfinite(*v) || *v < -12'000 || *v > max_height_m)) r.fail(key, "not an altitude", "metres above mean sea level");
        return v;
    };
    m_floor = altitude("floor_m");
    m_ceiling = altitude("ceiling_m");
    if (m_floor && m_ceiling && *m_floor > *m_ceiling) r.fail("ceiling_m", "the ceiling is below the floor", "floor_m ≤ ceiling_m");
    r.finish();
}

void AirspaceRule::bind(const ZoneSetView& zones) {
    m_zones = &zones;
    m_parts.clear();
    if (m_zone_mode) {
        m_targets.bind(zones);
        return;
    }
    const std::size_t index = bind_line(zones, m_line_id, m_line_where);
    const ReferenceLine& line = zones.lines()[index];
    m_line_valid = line.valid;
    if (!m_split) {
        m_parts.emplace_back(line.geometry);
        return;
    }
    // Cut the line at the point nearest the marker: parts before it and after it, in the line's order.
    auto near = zones.line_segments(index).distance_within(*m_split, kilometers(10));
    if (!near.found)
        throw InputError("split_at lies more than 10 km from line '" + m_line_id + "'", Context(m_line_where).expected("a marker on the line"));
    MultiLineString before, after;
    for (std::size_t p = 0; p < line.geometry.size(); ++p) {
        const LineString& part = line.geometry[p];
        if (p < near.part) {
            before.push_back(part);
        } else if (p > near.part) {
            after.push_back(part);
        } else {
            // (The foot is added where it is not a vertex already: no segment of no length.)
            auto same = [](const GeoPoint& x, const GeoPoint& y) { return x.x() == y.x() && x.y() == y.y(); };
            LineString b(part.begin(), part.begin() + static_cast<std::ptrdiff_t>(near.segment) + 1), a;
            if (!same(b.back(), near.foot)) b.push_back(near.foot);
            if (!same(part[near.segment + 1], near.foot)) a.push_back(near.foot);
            a.insert(a.end(), part.begin() + static_cast<std::ptrdiff_t>(near.segment) + 1, part.end());
            before.push_back(std::move(b));
            after.push_back(std::move(a));
        }
    }
    m_parts.emplace_back(before);
    m_parts.emplace_back(after);
}

void AirspaceRule::evaluate_imagery(const ImageryRecords& in, ImageryOutputs& out) const {
    // Tracks in parallel, each into its own list, joined in track order: the same findings for any
    // number of threads.
    std::vector<std::vector<Finding>> per_track(in.tracks.size());
    tbb::parallel_for(std::size_t{0}, in.tracks.size(), [&](std::size_t i) { evaluate_track(in.tracks[i], in.period, per_track[i]); });
    for (auto& f : per_track) std::move(f.begin(), f.end(), std::back_inserter(out.findings));
}

void AirspaceRule::evaluate_track(const FlightTrack& t, const Interval& period, std::vector<Finding>& out) const {
    if (t.points.empty()) return;
    if (!m_parties.empty() && attributed(t.party) && !m_parties.count(t.party)) return;
    std::pair<double, double> width{0.0, 0.0};
    if (m_zone_mode) {
        if (!m_categories.empty() && !m_categories.count(t.category)) return;
    } else {
        auto it = m_width.find(t.category);
        if (it == m_width.end()) return;
        width = it->second;
    }
    std::vector<Leg> legs;
    for (std::size_t i = 0; i + 1 < t.points.size(); ++i) {
        Leg leg{&t.points[i], &t.points[i + 1]};
        leg.length = geo::distance(leg.a->position, leg.b->position).value;
        if (leg.length > 0) leg.azimuth = geo::azimuth(leg.a->position, leg.b->position);
        legs.push_back(leg);
    }
    if (legs.empty()) legs.push_back(Leg{&t.points[0], &t.points[0]}); // a single fix: a leg of no length
    bool altitude_known = true;
    for (const auto& p : t.points) altitude_known &= !std::isnan(p.altitude.value);
    const bool vertical = altitude_known && (m_floor || m_ceiling);
    bool with_error = false;
    for (const auto& p : t.points) with_error |= p.position_error.value > 0;

    // The targets: the band (one), or each zone.
    std::vector<std::size_t> zones;
    if (m_zone_mode)
        zones = m_targets.indices();
    else
        zones.push_back(static_cast<std::size_t>(-1));
    for (std::size_t z : zones) {
        const Zone* zone = m_zone_mode ? &m_zones->zones()[z] : nullptr;
        const std::string target = zone ? zone->id.str() : m_line_id;
        // Horizontal penetration (metres, positive inside) and the width that gives it.
        auto horizontal = [&](const GeoPoint& p, double* limit) {
            if (zone) {
                const Location where = m_zones->zone_index().classify(z, p);
                if (where == Location::boundary) return 0.0;
                const double d = m_zones->distance_to_boundary(z, p, Meters{distance_cap_m}).value;
                return where == Location::inside ? d : -d;
            }
            double best = -std::numeric_limits<double>::infinity();
            for (std::size_t s = 0; s < m_parts.size(); ++s) {
                const double w = s == 0 ? width.first : width.second;
                auto n = m_parts[s].distance_within(p, Meters{w + distance_cap_m});
                const double pen = w - (n.found ? n.distance.value : w + distance_cap_m);
                if (pen > best) {
                    best = pen;
                    if (limit) *limit = w;
                }
            }
            return best;
        };
        auto f = [&](const Leg& leg, double u) { return horizontal(leg.at(u), nullptr); };
        auto h = [&](bool error) {
            return [&, error](const Leg& leg, double u) {
                double v = f(leg, u) + (error ? leg.error(u) : 0.0);
                if (vertical) {
                    if (m_floor) v = std::min(v, leg.altitude(u) - *m_floor);
                    if (m_ceiling) v = std::min(v, *m_ceiling - leg.altitude(u));
                }
                return v;
            };
        };
        auto lipschitz = [&](bool error) {
            return [&, error](const Leg& leg) {
                const double horizontal_k = leg.length + (error ? std::abs(leg.b->position_error.value - leg.a->position_error.value) : 0.0);
                const double vertical_k = vertical ? std::abs(leg.b->altitude.value - leg.a->altitude.value) : 0.0;
                return std::max(horizontal_k, vertical_k);
            };
        };
        const std::vector<Stretch> nominal = stretches(legs, h(false), lipschitz(false));
        std::vector<Stretch> near;
        if (with_error)
            for (const Stretch& s : stretches(legs, h(true), lipschitz(true)))
                if (std::none_of(nominal.begin(), nominal.end(),
                                 [&](const Stretch& n) { return n.entry_ms <= s.exit_ms && s.entry_ms <= n.exit_ms; }))
                    near.push_back(s);

        // Clipped to the rule's, the target's and the run's validity.
        const Interval& target_valid = zone ? zone->valid : m_line_valid;
        const double from_ms = static_cast<double>(std::max({m_valid.from.ms, target_valid.from.ms, period.from.ms}));
        const double to_ms = static_cast<double>(std::min({m_valid.to.ms, target_valid.to.ms, period.to.ms})) - 1.0; // last instant
        auto report = [&](const Stretch& s, bool entered) {
            const double entry_ms = std::max(s.entry_ms, from_ms), exit_ms = std::min(s.exit_ms, to_ms);
            if (entry_ms > exit_ms) return;
            const Peak deepest = peak(legs, s, entry_ms, exit_ms, f);
            double limit = 0.0;
            const GeoPoint at = legs[deepest.leg].at(deepest.u);
            horizontal(at, &limit);
            // Certain when somewhere inside the penetration exceeds the position error there.
            const Peak margin = peak(legs, s, entry_ms, exit_ms, [&](const Leg& leg, double u) { return f(leg, u) - leg.error(u); });
            const bool certain = entered && margin.value >= 0 && (altitude_known || (!m_floor && !m_ceiling));

            Finding fd;
            fd.rule_id = m_id;
            fd.rule_type = m_type;
            fd.article = m_article;
            fd.target_id = target;
            fd.party = t.party;
            fd.equipment_class = t.category;
            fd.kind = FindingKind::violation;
            fd.certainty = certain ? Certainty::certain : Certainty::possible;
            const UtcTime entry_t{static_cast<std::int64_t>(std::ceil(entry_ms))}, exit_t{static_cast<std::int64_t>(std::floor(exit_ms))};
            fd.span = Interval{entry_t, UtcTime{std::max(exit_t.ms, entry_t.ms) + 1}};
            fd.location = at;
            fd.measured = deepest.value / 1000.0;
            fd.limit = limit / 1000.0;
            fd.unit = "km";
            // The fixes around the incursion: the one at or before the entry, the one at or after the exit.
            std::size_t first = s.first_leg, last = s.last_leg + 1;
            if (s.last_u == 0.0) last = s.last_leg;
            fd.evidence.push_back(evidence_of(t, first, std::min(last, t.points.size() - 1)));
            fd.id = content_id({m_id, target, t.flight_id, format_utc(entry_t), t.origin.file, entered ? "in" : "near"});
            // A waiver covers the incursion when it covers its party, target and whole span.
            const Waiver* waiver = nullptr;
            for (const auto& w : m_waivers) {
                if (!(w.valid.from <= entry_t && exit_t < w.valid.to)) continue;
                if (!w.parties.empty() && !w.parties.count(t.party)) continue;
                if (!w.zones.empty() && std::find(w.zones.begin(), w.zones.end(), target) == w.zones.end()) continue;
                waiver = &w;
                break;
            }
            apply_waiver(fd, waiver);
            std::string where = zone ? "{target}" : "the no-fly zone within {limit_distance} of {target}";
            if (m_floor || m_ceiling)
                where += escape_template(m_floor && m_ceiling ? fmt::format(" between {:.0f} m and {:.0f} m", *m_floor, *m_ceiling)
                                         : m_floor            ? fmt::format(" above {:.0f} m", *m_floor)
                                                              : fmt::format(" below {:.0f} m", *m_ceiling));
            std::string when = escape_template(fmt::format("for {}", format_duration(exit_ms - entry_ms)));
            if (s.entry_ms <= static_cast<double>(t.points.front().time.ms)) when += ", already inside at its first fix";
            if (s.exit_ms >= static_cast<double>(t.points.back().time.ms)) when += ", still inside at its last fix";
            if (entered)
                fd.explanation_template = fmt::format("{{class}} {{party_of}} {{record}} flew in {} from {{from}} to {{last}} ({}), up to "
                                                      "{{measured_distance}} inside, deepest at {{position}} {{rule_ref}}: {{verdict|entered}}",
                                                      where, when);
            else
                fd.explanation_template = fmt::format("{{class}} {{party_of}} {{record}} came within its position error of {} from {{from}} "
                                                      "to {{last}} ({}), {{measured_distance}} outside at {{position}} {{rule_ref}}: "
                                                      "{{verdict|may have entered}}",
                                                      where, when);
            if (!vertical && (m_floor || m_ceiling))
                fd.explanation_template += escape_template(" (the track has no altitude: taken as inside the altitude limits)");
            out.push_back(std::move(fd));
        };
        for (const Stretch& s : nominal) report(s, true);
        for (const Stretch& s : near) report(s, false);
    }
}

} // namespace avf::fusion
