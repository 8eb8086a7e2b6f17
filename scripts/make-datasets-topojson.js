// Decodes the Natural Earth TopoJSON of npm world-atlas@2.0.2 into the GeoJSON inputs that
// scripts/make-datasets.sh then buffers and clips with GDAL.
//
// Usage (called by make-datasets.sh, with NODE_PATH pointing at the temporary node_modules):
//   node scripts/make-datasets-topojson.js <countries-XXm.json> <outdir>
//
// Writes to <outdir>:
//   countries.geojson   one feature per country of interest (iso3, name), as decoded
//   korea_lines.geojson the MDL: the KOR–PRK shared arcs, stitched, west → east
//   baltic_lines.geojson the NATO–RUS/BLR borders, each the stitched shared arcs
//
// A shared border is exactly the set of arcs used by both countries' geometries (TopoJSON
// stores each boundary arc once). topojson-client's mesh() with a filter selects those arcs and
// stitches arcs that meet end to start into one line. Every line is then oriented so that the
// FIRST party named in `parties` lies on its right-hand side (for the MDL, walking west → east,
// KOR is on the right); consecutive duplicate vertices are removed.
'use strict';
const fs = require('fs');
const path = require('path');
const topojson = require('topojson-client');

const [, , topoPath, outDir] = process.argv;
if (!topoPath || !outDir) {
  console.error('usage: make-datasets-topojson.js <countries.json> <outdir>');
  process.exit(2);
}
const topo = JSON.parse(fs.readFileSync(topoPath, 'utf8'));
const geoms = topo.objects.countries.geometries;

// ISO 3166-1 numeric (world-atlas ids) → alpha-3.
const ISO = { KOR: '410', PRK: '408', EST: '233', LVA: '428', LTU: '440', RUS: '643', BLR: '112', POL: '616' };
const geomOf = {};
for (const [a3, num] of Object.entries(ISO)) {
  const g = geoms.find((x) => x.id === num);
  if (!g) throw new Error(`country ${a3} (${num}) not in ${topoPath}`);
  geomOf[a3] = g;
}
const featureOf = {};
for (const a3 of Object.keys(ISO)) featureOf[a3] = topojson.feature(topo, geomOf[a3]);

// Even–odd point-in-polygon over every ring of a (Multi)Polygon feature (planar lon/lat).
function inside(feature, [x, y]) {
  const g = feature.geometry;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  let c = false;
  for (const poly of polys)
    for (const ring of poly)
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
      }
  return c;
}

function dedupe(line) {
  const out = [];
  for (const p of line) {
    const q = out[out.length - 1];
    if (!q || q[0] !== p[0] || q[1] !== p[1]) out.push(p);
  }
  return out;
}

// Votes over all segments whether `right` lies on the right-hand side of the line.
function rightSideVotes(line, right) {
  let yes = 0, no = 0;
  for (let i = 0; i + 1 < line.length; i++) {
    const [x0, y0] = line[i];
    const [x1, y1] = line[i + 1];
    const dx = x1 - x0, dy = y1 - y0;
    const len = Math.hypot(dx, dy);
    if (len === 0) continue;
    const e = 1e-3; // ~100 m: small against the ~300 m grid of the 10m data
    const mx = (x0 + x1) / 2, my = (y0 + y1) / 2;
    const probeRight = [mx + (dy / len) * e, my - (dx / len) * e];
    if (inside(featureOf[right], probeRight)) yes++; else no++;
  }
  return [yes, no];
}

function sharedLine(a, b) {
  const A = geomOf[a], B = geomOf[b];
  const mesh = topojson.mesh(topo, topo.objects.countries, (x, y) => (x === A && y === B) || (x === B && y === A));
  let parts = mesh.coordinates.map(dedupe).filter((l) => l.length >= 2);
  if (parts.length === 0) throw new Error(`no shared boundary between ${a} and ${b}`);
  // Orient: party a on the right.
  parts = parts.map((l) => {
    const [yes, no] = rightSideVotes(l, a);
    return yes >= no ? l : l.slice().reverse();
  });
  // Order the pieces along the border: largest first, then by distance from its end.
  if (parts.length > 1) {
    parts.sort((p, q) => q.length - p.length);
    const ordered = [parts.shift()];
    while (parts.length) {
      const end = ordered[ordered.length - 1].slice(-1)[0];
      let best = 0, bestD = Infinity;
      parts.forEach((p, i) => {
        const d = Math.hypot(p[0][0] - end[0], p[0][1] - end[1]);
        if (d < bestD) { bestD = d; best = i; }
      });
      ordered.push(parts.splice(best, 1)[0]);
    }
    parts = ordered;
  }
  return parts;
}

const r7 = (v) => Math.round(v * 1e7) / 1e7;
const round = (c) => (typeof c[0] === 'number' ? [r7(c[0]), r7(c[1])] : c.map(round));

function lineFeature(id, name, kind, parties, parts) {
  const geometry = parts.length === 1
    ? { type: 'LineString', coordinates: round(parts[0]) }
    : { type: 'MultiLineString', coordinates: round(parts) };
  return { type: 'Feature', properties: { id, name, kind, parties, valid_from: '', valid_to: '' }, geometry };
}

function write(name, features) {
  const fc = { type: 'FeatureCollection', features };
  fs.writeFileSync(path.join(outDir, name), JSON.stringify(fc) + '\n');
}

const NAMES = { KOR: 'Republic of Korea', PRK: "Democratic People's Republic of Korea", EST: 'Estonia', LVA: 'Latvia',
  LTU: 'Lithuania', RUS: 'Russian Federation', BLR: 'Belarus', POL: 'Poland' };
write('countries.geojson', Object.keys(ISO).map((a3) => ({
  type: 'Feature',
  properties: { iso3: a3, name: NAMES[a3], ne_name: geomOf[a3].properties.name },
  geometry: { type: featureOf[a3].geometry.type, coordinates: round(featureOf[a3].geometry.coordinates) },
})));

const mdl = sharedLine('KOR', 'PRK');
if (mdl.length !== 1) throw new Error(`KOR–PRK boundary is in ${mdl.length} pieces, expected 1`);
// KOR on the right means the line runs west → east; check.
if (mdl[0][0][0] > mdl[0][mdl[0].length - 1][0]) throw new Error('MDL does not run west → east');
const mdlFeature = lineFeature('MDL', 'Military Demarcation Line (Natural Earth KOR–PRK boundary)',
  'demarcation_line', 'KOR,PRK', mdl);
mdlFeature.properties.valid_from = '1953-07-27';
write('korea_lines.geojson', [mdlFeature]);

const BALTIC = [
  ['EST', 'RUS'], ['LVA', 'RUS'], ['LVA', 'BLR'], ['LTU', 'BLR'], ['LTU', 'RUS'], ['POL', 'RUS'], ['POL', 'BLR'],
];
const balticFeatures = BALTIC.map(([a, b]) => {
  const parts = sharedLine(a, b);
  const f = lineFeature(`${a}-${b}`, `${NAMES[a]}–${NAMES[b]} border (Natural Earth)${b === 'RUS' && a !== 'EST' && a !== 'LVA' ? ', Kaliningrad' : ''}`,
    'border', `${a},${b}`, parts);
  return f;
});
write('baltic_lines.geojson', balticFeatures);

for (const f of [mdlFeature, ...balticFeatures]) {
  const g = f.geometry;
  const n = g.type === 'LineString' ? g.coordinates.length : g.coordinates.map((l) => l.length).join('+');
  console.error(`make-datasets: ${f.properties.id}: ${g.type}, ${n} vertices`);
}
