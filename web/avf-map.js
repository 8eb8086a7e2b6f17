// avf's map page: draws the data avf wrote into the page (cli/map_page.cpp) with Leaflet, over the
// country outlines of Natural Earth (world-atlas, TopoJSON). Everything is inlined in the HTML
// file: no tile server, no network. Each <div class="avf-map" data-src="ID"> is drawn from the
// JSON in <script type="application/json" id="ID">.
//
// What a test (tests/cli/map_browser.js) reads: after drawing, the map's element carries
// data-ready="1", data-findings-drawn (finding features on the map), data-findings-total (the
// run's findings), data-findings-unplaced (run-wide findings without a place, listed in the
// legend) and data-aggregated ("1" when findings are drawn per grid cell and per zone); each
// drawn finding is an SVG path of class avf-finding (data-renderer="svg"), or, past 3000, drawn
// on one canvas (data-renderer="canvas"; window.avfMaps[i].findings holds the markers);
// data-disks (uncertainty disks, paths of class avf-disk, drawn at zoom DISK_ZOOM and closer:
// data-disks-shown "1") and data-declared (declared places drawn, paths of class avf-declared).
(function () {
  'use strict';

  var KIND_COLOURS = {
    violation: '#c0392b',
    discrepancy: '#e67e22',
    coverage_gap: '#8e44ad',
    unverifiable: '#7f8c8d',
    exempted: '#27ae60'
  };
  var CERTAINTY_STYLES = {
    certain: { fillOpacity: 0.85, dashArray: null, weight: 1.5 },
    possible: { fillOpacity: 0.2, dashArray: '3 3', weight: 2 },
    'n/a': { fillOpacity: 0.5, dashArray: '1 3', weight: 2 }
  };
  var SVG_LIMIT = 3000; // past this many findings, one canvas draws them (SVG slows down)
  var DISK_ZOOM = 12; // uncertainty disks (tens to hundreds of metres) are shown from this zoom in
  var DECLARED_STYLE = { color: '#1e8449', weight: 1.5, fillColor: '#1e8449', fillOpacity: 0.12, dashArray: '5 3', className: 'avf-declared' };

  function colour(kind) {
    return KIND_COLOURS[kind] || '#34495e';
  }

  function element(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // A popup body: a title, the explanation (when given), then label/value rows (all as text:
  // nothing is parsed as HTML).
  function popup(title, rows, note) {
    var box = element('div', 'avf-popup');
    box.appendChild(element('div', 'avf-popup-title', title));
    if (note) box.appendChild(element('p', 'avf-explanation', note));
    var table = element('table');
    rows.forEach(function (r) {
      if (r[1] === '' || r[1] === null || r[1] === undefined) return;
      var tr = element('tr');
      tr.appendChild(element('th', '', r[0]));
      tr.appendChild(element('td', '', String(r[1])));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }

  function latlngs(ring) {
    return ring.map(function (p) {
      return [p[1], p[0]];
    });
  }
  function polygons(multi) {
    return multi.map(function (poly) {
      return poly.map(latlngs);
    });
  }

  function findingPopup(f) {
    return popup(
      f.kind + ' · ' + f.certainty,
      [
        ['rule', f.rule + (f.rule_type ? ' (' + f.rule_type + ')' : '')],
        ['article', f.article],
        ['target', f.target],
        ['party', f.party],
        ['class', f.class],
        ['time (UTC)', f.time],
        ['measured', f.measured + ' ' + f.unit + ' (limit ' + f.limit + ' ' + f.unit + ')'],
        ['confidence', f.confidence],
        ['waiver', f.waiver],
        [
          'evidence',
          f.evidence_n +
            ': ' +
            f.evidence.join(', ') +
            (f.evidence_n > f.evidence.length ? ' … and ' + (f.evidence_n - f.evidence.length) + ' more (avf findings show ' + f.id + ')' : '')
        ],
        ['finding id', f.id]
      ],
      f.explanation
    );
  }

  function countsText(counts) {
    return Object.keys(counts)
      .map(function (k) {
        return counts[k] + ' ' + k;
      })
      .join(', ');
  }
  function dominantKind(counts) {
    var best = null;
    Object.keys(counts).forEach(function (k) {
      if (best === null || counts[k] > counts[best]) best = k;
    });
    return best;
  }

  // Natural Earth cuts Russia and Fiji at the antimeridian with rings that jump from +180 to
  // -180; Leaflet, which draws in the plane, would draw those jumps across the whole world. Such a
  // ring is drawn east of +180 instead (longitudes below 0 + 360).
  function unwrapAntimeridian(collection) {
    function unwrapRing(ring) {
      for (var i = 1; i < ring.length; ++i) {
        if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) {
          return ring.map(function (p) {
            return p[0] < 0 ? [p[0] + 360, p[1]] : p;
          });
        }
      }
      return ring;
    }
    collection.features.forEach(function (f) {
      var g = f.geometry;
      if (!g || f.properties.name === 'Antarctica') return; // its ring follows the edge of the map
      if (g.type === 'Polygon') g.coordinates = g.coordinates.map(unwrapRing);
      else if (g.type === 'MultiPolygon')
        g.coordinates = g.coordinates.map(function (poly) {
          return poly.map(unwrapRing);
        });
    });
    return collection;
  }

  function legend(data, aggregated) {
    var control = L.control({ position: 'bottomleft' });
    control.onAdd = function () {
      var box = element('div', 'avf-legend leaflet-bar');
      box.appendChild(element('div', 'avf-legend-title', 'Findings (' + data.findings.total + ')'));
      Object.keys(KIND_COLOURS).forEach(function (k) {
        var row = element('div', 'avf-legend-row');
        var swatch = element('span', 'avf-swatch');
        swatch.style.background = KIND_COLOURS[k];
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(k));
        box.appendChild(row);
      });
      box.appendChild(element('div', 'avf-legend-row', 'filled: certain · hollow, dashed: possible · dotted: n/a'));
      box.appendChild(
        element('div', 'avf-legend-row', 'rings around findings: location uncertainty (zoom ' + DISK_ZOOM + '+) · green, dashed: declared places')
      );
      var unplaced = data.findings.unplaced;
      if (unplaced.length) {
        var details = element('details', 'avf-unplaced');
        details.appendChild(element('summary', '', unplaced.length + ' without a place (run-wide, not drawn)'));
        var list = element('ul');
        unplaced.forEach(function (f) {
          list.appendChild(element('li', '', f.kind + ', ' + f.rule + ': ' + f.explanation));
        });
        details.appendChild(list);
        box.appendChild(details);
      }
      if (aggregated) box.appendChild(element('div', 'avf-legend-row avf-aggregated', 'aggregated: see the note above'));
      (data.missing || []).forEach(function (m) {
        box.appendChild(element('div', 'avf-legend-row avf-missing', m));
      });
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return control;
  }

  function draw(el) {
    var data = JSON.parse(document.getElementById(el.getAttribute('data-src')).textContent);
    var topo = JSON.parse(document.getElementById('avf-countries').textContent);
    var map = L.map(el, { zoomSnap: 0.5, worldCopyJump: true });
    map.attributionControl.setPrefix('Leaflet');
    map.attributionControl.addAttribution('Countries: Natural Earth (public domain), world-atlas');

    L.geoJSON(unwrapAntimeridian(topojson.feature(topo, topo.objects.countries)), {
      interactive: false,
      style: { color: '#8a8a8a', weight: 0.7, fillColor: '#f3f0e6', fillOpacity: 1 }
    }).addTo(map);

    var overlays = {};
    var bounds = L.latLngBounds([]);
    function extend(layer) {
      if (layer.getLayers().length) bounds.extend(layer.getBounds());
    }

    var zones = L.featureGroup();
    data.zones.forEach(function (z) {
      L.polygon(polygons(z.g), { color: '#1f5fa8', weight: 1.2, fillOpacity: 0.12, className: 'avf-zone' })
        .bindPopup(popup('zone ' + z.id, [['name', z.name], ['kind', z.kind], ['parties', z.parties], ['valid', z.valid]]))
        .addTo(zones);
    });
    var lines = L.featureGroup();
    data.lines.forEach(function (l) {
      L.polyline(l.g.map(latlngs), { color: '#111', weight: 2, className: 'avf-line' })
        .bindPopup(popup('line ' + l.id, [['name', l.name], ['kind', l.kind], ['parties', l.parties], ['valid', l.valid]]))
        .addTo(lines);
    });
    overlays['Zones (' + data.zones.length + ')'] = zones.addTo(map);
    overlays['Reference lines (' + data.lines.length + ')'] = lines.addTo(map);
    extend(zones);
    extend(lines);

    if (data.images.length) {
      var images = L.featureGroup();
      data.images.forEach(function (im) {
        L.polygon(polygons(im.g), { color: '#2c7a7b', weight: 0.8, fillOpacity: 0.05, className: 'avf-image' })
          .bindPopup(popup('image ' + im.id, [['flight', im.flight], ['sensor', im.sensor], ['GSD (m)', im.gsd], ['acquired', im.time]]))
          .addTo(images);
      });
      overlays['Image footprints (' + data.images.length + ')'] = images.addTo(map);
    }
    if (data.flights.length) {
      var tracks = L.featureGroup();
      var routes = L.featureGroup();
      data.flights.forEach(function (fl) {
        var rows = [['fixes', fl.fixes], ['first fix', fl.first], ['last fix', fl.last], ['length (km)', fl.km]];
        if (fl.track.length)
          L.polyline(latlngs(fl.track), { color: '#6c3483', weight: 2, className: 'avf-track' })
            .bindPopup(popup('track of flight ' + fl.id, rows))
            .addTo(tracks);
        if (fl.route.length)
          L.polyline(latlngs(fl.route), { color: '#6c3483', weight: 1.5, dashArray: '6 4', className: 'avf-route' })
            .bindPopup(popup('planned route of flight ' + fl.id, []))
            .addTo(routes);
      });
      overlays['Flight tracks (' + tracks.getLayers().length + ')'] = tracks.addTo(map);
      overlays['Planned routes (' + routes.getLayers().length + ')'] = routes.addTo(map);
    }
    var declaredDrawn = 0;
    if (data.declared && data.declared.length) {
      var zonesById = {};
      data.zones.forEach(function (z) {
        zonesById[z.id] = z;
      });
      var declared = L.featureGroup();
      data.declared.forEach(function (d) {
        var rows = [
          ['party', d.party],
          ['unit', d.unit],
          ['class', d.class],
          ['quantity', d.quantity],
          ['kind', d.kind],
          ['valid', d.valid],
          ['reference', d.reference],
          ['notified', d.notified]
        ];
        var layer = null;
        if (d.g) layer = L.polygon(polygons(d.g), DECLARED_STYLE);
        else if (d.lon !== undefined) {
          rows.push(['radius (m)', d.r]);
          layer = d.r > 0 ? L.circle([d.lat, d.lon], L.extend({ radius: d.r }, DECLARED_STYLE)) : L.circleMarker([d.lat, d.lon], L.extend({ radius: 5 }, DECLARED_STYLE));
        } else if (zonesById[d.site]) {
          rows.unshift(['site (zone)', d.site]);
          layer = L.polygon(polygons(zonesById[d.site].g), DECLARED_STYLE);
        }
        if (!layer) return; // a site that is not a zone of this zone set
        layer.bindPopup(popup('declared ' + d.kind + ' ' + d.id, rows)).addTo(declared);
        ++declaredDrawn;
      });
      overlays['Declared places (' + declaredDrawn + ')'] = declared.addTo(map);
    }
    if (data.gaps.length) {
      var gaps = L.featureGroup();
      data.gaps.forEach(function (g) {
        L.polygon(polygons(g.g), { color: '#8e44ad', weight: 1, fillColor: '#8e44ad', fillOpacity: 0.35, className: 'avf-gap' })
          .bindPopup(
            popup('not imaged: zone ' + g.zone, [
              ['rule', g.rule],
              ['period', g.period],
              ['fraction imaged', g.fraction],
              ['required', g.required]
            ])
          )
          .addTo(gaps);
      });
      overlays['Coverage gaps (' + data.gaps.length + ')'] = gaps.addTo(map);
    }

    var findings = L.featureGroup();
    var disks = L.featureGroup();
    var drawn = 0;
    var aggregated = !!data.findings.cells;
    if (!aggregated) {
      // Findings in a pane of their own, above zones, lines and imagery (the overlay pane, 400).
      map.createPane('avf-findings').style.zIndex = 450;
      var renderer = data.findings.rows.length > SVG_LIMIT ? L.canvas({ pane: 'avf-findings' }) : L.svg({ pane: 'avf-findings' });
      var fields = data.findings.fields;
      disks.addTo(map); // before the markers: they stay on top
      data.findings.rows.forEach(function (row) {
        var f = {};
        fields.forEach(function (name, i) {
          f[name] = row[i];
        });
        if (f.uncertainty_m > 0)
          L.circle([f.lat, f.lon], {
            renderer: renderer,
            radius: f.uncertainty_m,
            color: colour(f.kind),
            weight: 1,
            fillOpacity: 0.08,
            interactive: false,
            className: 'avf-disk'
          }).addTo(disks);
        var style = CERTAINTY_STYLES[f.certainty] || CERTAINTY_STYLES.certain;
        L.circleMarker([f.lat, f.lon], {
          renderer: renderer,
          radius: 6,
          color: colour(f.kind),
          fillColor: colour(f.kind),
          fillOpacity: style.fillOpacity,
          dashArray: style.dashArray,
          weight: style.weight,
          className: 'avf-finding avf-' + f.kind
        })
          .bindPopup(findingPopup(f), { maxWidth: 420, maxHeight: 320 })
          .addTo(findings);
        ++drawn;
      });
    } else {
      var half = data.findings.cell_deg / 2;
      data.findings.cells.forEach(function (c) {
        var kind = dominantKind(c.counts);
        L.rectangle(
          [
            [c.lat - half, c.lon - half],
            [c.lat + half, c.lon + half]
          ],
          { color: colour(kind), weight: 1, fillOpacity: 0.45, className: 'avf-cell' }
        )
          .bindPopup(popup(c.n + ' findings in this cell', [['kinds', countsText(c.counts)], ['rules', countsText(c.rules)]]))
          .addTo(findings);
        drawn += c.n;
      });
      var perZone = L.featureGroup();
      data.findings.zones.forEach(function (z) {
        L.circleMarker([z.lat, z.lon], { radius: 9, color: '#111', weight: 1, fillColor: colour(dominantKind(z.counts)), fillOpacity: 0.9 })
          .bindTooltip(String(z.n), { permanent: true, direction: 'center', className: 'avf-count' })
          .bindPopup(popup(z.n + ' findings about ' + z.target, [['kinds', countsText(z.counts)], ['rules', countsText(z.rules)]]))
          .addTo(perZone);
      });
      overlays['Findings per zone or line (' + data.findings.zones.length + ')'] = perZone.addTo(map);
      var banner = element('div', 'avf-banner', data.findings.note);
      el.appendChild(banner);
    }
    overlays[(aggregated ? 'Findings per grid cell (' : 'Findings (') + data.findings.total + ')'] = findings.addTo(map);
    extend(findings);
    if (disks.getLayers().length) overlays['Uncertainty disks (' + disks.getLayers().length + ', zoom ' + DISK_ZOOM + '+)'] = disks;
    // The disks are metres across: invisible, and in the way, until the map is zoomed in.
    function showDisks() {
      var near = map.getZoom() >= DISK_ZOOM;
      disks.setStyle(near ? { opacity: 1, fillOpacity: 0.08 } : { opacity: 0, fillOpacity: 0 });
      el.setAttribute('data-disks-shown', near ? '1' : '0');
    }
    map.on('zoomend', showDisks);

    L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    legend(data, aggregated).addTo(map);
    L.control.scale().addTo(map);
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
    else map.setView([30, 20], 2);
    showDisks();

    el.setAttribute('data-findings-total', String(data.findings.total));
    el.setAttribute('data-findings-drawn', String(drawn));
    el.setAttribute('data-findings-unplaced', String(data.findings.unplaced.length));
    el.setAttribute('data-renderer', !aggregated && data.findings.rows.length > SVG_LIMIT ? 'canvas' : 'svg');
    el.setAttribute('data-aggregated', aggregated ? '1' : '0');
    el.setAttribute('data-disks', String(disks.getLayers().length));
    el.setAttribute('data-declared', String(declaredDrawn));
    el.setAttribute('data-ready', '1');
    window.avfMaps = window.avfMaps || [];
    window.avfMaps.push({ map: map, findings: findings, disks: disks });
  }

  function drawAll() {
    var maps = document.querySelectorAll('.avf-map');
    for (var i = 0; i < maps.length; ++i) draw(maps[i]);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawAll);
  else drawAll();
})();
