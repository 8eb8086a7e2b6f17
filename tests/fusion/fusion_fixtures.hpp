// Builders for fusion tests: zones and lines from WKT, detections, a regime from TOML text.
#pragma once

#include "core/error.hpp"
#include "fusion/evaluator.hpp"
#include "fusion/regime.hpp"
#include "fusion/zone_set_view.hpp"
#include "geo/geodesic.hpp"

#include <boost/geometry.hpp>

#include <memory>
#include <string>
#include <vector>

namespace avf::test {

inline Zone zone(const std::string& id, const std::string& wkt, const std::string& kind = "dmz", const std::string& parent = "") {
    Zone z;
    z.id = ZoneId{id};
    z.name = id;
    z.kind = kind;
    z.parent = parent;
    Polygon p;
    boost::geometry::read_wkt(wkt, p);
    boost::geometry::correct(p);
    z.geometry.push_back(p);
    return z;
}

inline ReferenceLine line(const std::string& id, const std::string& wkt) {
    ReferenceLine l;
    l.id = LineId{id};
    l.name = id;
    LineString ls;
    boost::geometry::read_wkt(wkt, ls);
    l.geometry.push_back(ls);
    return l;
}

inline Detection detection(const std::string& id, GeoPoint p, const std::string& cls, std::int64_t count = 1, double uncertainty = 0.0,
                           const std::string& time = "2027-03-04T10:00:00Z", const std::string& party = "PRK") {
    Detection d;
    d.id = DetectionId{id};
    d.time = *parse_utc(time);
    d.position = p;
    d.uncertainty = Meters{uncertainty};
    d.equipment_class = cls;
    d.count = count;
    d.confidence = 0.9;
    d.party = party;
    d.source = "imagery";
    d.origin = SourceRef{"test.csv", "", "1", 0};
    return d;
}

/// A point declaration with its radius, valid [from, to) (dates or times, UTC).
inline Declaration declaration(const std::string& id, const std::string& cls, std::int64_t quantity, GeoPoint where, double radius_m,
                               const std::string& from = "2027-03-01", const std::string& to = "2027-04-01", const std::string& kind = "deployment",
                               const std::string& party = "PRK") {
    Declaration d;
    d.id = DeclarationId{id};
    d.party = party;
    d.equipment_class = cls;
    d.quantity = quantity;
    d.location = where;
    d.radius = Meters{radius_m};
    d.point_given = true;
    d.valid = Interval{*parse_utc(from), *parse_utc(to)};
    d.kind = kind;
    d.origin = SourceRef{"decl.csv", "", "2", 0};
    return d;
}

inline std::string regime_text(const std::string& rules) {
    return R"([regime]
id = "test"
name = "Test regime"
parties = ["KOR", "PRK", "USA", "CAN", "RUS"]
in_force_from = "2020-01-01"

[classes]
battle_tank = ["T-72B3", "K2"]
artillery = ["2S19", "K9"]
mlrs = ["BM-30"]
troops = []
)" + rules;
}

/// A regime bound to a zone set, ready to evaluate.
struct Harness {
    fusion::Regime regime;
    std::unique_ptr<fusion::ZoneSetView> view;
    std::unique_ptr<fusion::Evaluator> evaluator;

    Harness(const std::string& rules, std::vector<Zone> zones, std::vector<ReferenceLine> lines)
        : regime(fusion::parse_regime(regime_text(rules), "test.toml")) {
        view = std::make_unique<fusion::ZoneSetView>(std::move(zones), std::move(lines));
        evaluator = std::make_unique<fusion::Evaluator>(regime, *view);
    }

    /// Evaluates in batches; raw model names are resolved through the taxonomy as the readers do.
    std::vector<Finding> run(std::vector<Detection> ds, std::size_t batch = 1000) const {
        for (auto& d : ds) {
            if (const std::string* c = regime.taxonomy.resolve(d.equipment_class); c && *c != d.equipment_class) {
                d.model = d.equipment_class;
                d.equipment_class = *c;
            }
        }
        fusion::Partial total = evaluator->make_partial();
        for (std::size_t i = 0; i < ds.size(); i += batch) {
            fusion::Partial p = evaluator->make_partial();
            for (std::size_t k = i; k < std::min(ds.size(), i + batch); ++k) evaluator->evaluate(ds[k], p);
            evaluator->combine(total, std::move(p));
        }
        return rendered(evaluator->finish(std::move(total)));
    }

    /// The findings with their sentences rendered from their templates, as a store reader does.
    std::vector<Finding> rendered(std::vector<Finding> fs) const {
        const WaiverBases bases = fusion::waiver_bases(regime);
        for (auto& f : fs) f.explanation = render_explanation(f, bases);
        return fs;
    }
};

} // namespace avf::test
