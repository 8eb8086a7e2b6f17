// Loads avf's HTML maps in headless Chromium (Debian's /usr/bin/chromium) through the DevTools
// protocol on a pipe (--remote-debugging-pipe: no port, no WebSocket, no npm package) and
// asserts on what the page shows. Run by tests/cli/map_browser.sh.
//
//   node map_browser.js --chromium /usr/bin/chromium --findings findings.json --shots DIR [--declared] \
//        map=map.html report=report.html aggregated:map-aggregated.html moved~map-moved.html
//
// For each page NAME=FILE (findings drawn one by one), NAME:FILE (aggregated) or NAME~FILE (one
// by one, made where the run's input files cannot be found): the map is drawn
// (data-ready), it drew every finding of the run that has a place (data-findings-drawn and, one
// by one, the SVG paths of class avf-finding equal the count in --findings; the others are listed
// beside the map), the zones, reference lines and
// country outlines are on it, a real mouse click on a finding opens its popup and the popup shows
// that finding's explanation, rule, article and evidence ids; aggregated: the grid cells hold
// every finding and the banner says so. The layers read back from the run's input files: one by
// one, the uncertainty disks (one per finding whose detection has a radius) are hidden until the
// map is zoomed to 12 or closer, then drawn (a screenshot NAME-zoomed.png); the declared places
// are all drawn, and with --declared there are some (the demo's); NAME~FILE: neither is drawn and
// the legend says why. On every page: no console error, no uncaught exception,
// no request that leaves the file. A screenshot of each goes to --shots/NAME.png.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

function parseArgs(argv) {
  const args = { pages: [] };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--chromium') args.chromium = argv[++i];
    else if (a === '--findings') args.findings = argv[++i];
    else if (a === '--shots') args.shots = argv[++i];
    else if (a === '--declared') args.declared = true;
    else {
      const m = /^([A-Za-z0-9_-]+)([=:~])(.+)$/.exec(a);
      if (!m) throw new Error('map_browser.js: cannot read argument ' + a);
      args.pages.push({ name: m[1], aggregated: m[2] === ':', moved: m[2] === '~', file: path.resolve(m[3]) });
    }
  }
  if (!args.chromium || !args.findings || !args.shots || !args.pages.length)
    throw new Error('usage: map_browser.js --chromium EXE --findings F.json --shots DIR NAME=FILE|NAME:FILE ...');
  return args;
}

// One Chromium with the DevTools protocol on file descriptors 3 (commands) and 4 (replies, events).
class Browser {
  constructor(executable) {
    this.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'avf-map-chromium-'));
    this.proc = spawn(
      executable,
      [
        '--headless=new',
        '--no-sandbox', // the tests run as root in CI
        '--disable-gpu',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-extensions',
        '--disable-background-networking',
        '--host-resolver-rules=MAP * ~NOTFOUND', // a page that reaches for the network fails loudly
        '--remote-debugging-pipe',
        '--user-data-dir=' + this.profile,
        'about:blank'
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] }
    );
    this.stderr = '';
    this.proc.stderr.on('data', (d) => (this.stderr += d));
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    let buffer = Buffer.alloc(0);
    this.proc.stdio[4].on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      let end;
      while ((end = buffer.indexOf(0)) >= 0) {
        const message = JSON.parse(buffer.subarray(0, end).toString('utf8'));
        buffer = buffer.subarray(end + 1);
        this.dispatch(message);
      }
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', resolve));
    this.proc.on('exit', (code) => {
      for (const { reject } of this.pending.values()) reject(new Error('chromium exited (' + code + '): ' + this.stderr.slice(-2000)));
      this.pending.clear();
    });
  }
  dispatch(message) {
    if (message.id !== undefined) {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if (message.error) p.reject(new Error(p.method + ': ' + JSON.stringify(message.error)));
      else p.resolve(message.result);
    } else {
      for (const l of this.listeners) l(message);
    }
  }
  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.proc.stdio[3].write(JSON.stringify(message) + '\0');
    });
  }
  on(listener) {
    this.listeners.push(listener);
  }
  async close() {
    try {
      await this.send('Browser.close');
    } catch (e) {
      /* already gone */
    }
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A page in its own tab: the errors it logs, and helpers to evaluate and click.
async function openPage(browser, file) {
  const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
  const page = { sessionId, errors: [], loaded: false };
  browser.on((m) => {
    if (m.sessionId !== sessionId) return;
    const p = m.params || {};
    if (m.method === 'Runtime.exceptionThrown')
      page.errors.push('uncaught: ' + (p.exceptionDetails.exception ? p.exceptionDetails.exception.description : p.exceptionDetails.text));
    else if (m.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert' || p.type === 'warning'))
      page.errors.push('console.' + p.type + ': ' + p.args.map((a) => a.value || a.description).join(' '));
    else if (m.method === 'Log.entryAdded' && (p.entry.level === 'error' || p.entry.level === 'warning'))
      page.errors.push('log ' + p.entry.level + ': ' + p.entry.text + (p.entry.url ? ' (' + p.entry.url + ')' : ''));
    else if (m.method === 'Network.requestWillBeSent' && !/^(file|data|about|blob):/.test(p.request.url))
      page.errors.push('request leaves the file: ' + p.request.url);
    else if (m.method === 'Page.loadEventFired') page.loaded = true;
  });
  const send = (method, params) => browser.send(method, params, sessionId);
  await send('Runtime.enable');
  await send('Log.enable');
  await send('Page.enable');
  await send('Network.enable');
  await send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
  await send('Page.navigate', { url: 'file://' + file });
  page.evaluate = async (expression) => {
    const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error('evaluating ' + expression + ': ' + JSON.stringify(r.exceptionDetails));
    return r.result.value;
  };
  page.waitFor = async (expression, what) => {
    // A bound on waiting, not a timed assertion: a page that never gets there fails, however fast.
    for (let i = 0; i < 600; ++i) {
      if (page.loaded && (await page.evaluate(expression))) return;
      if (page.errors.length) throw new Error(what + ': the page failed: ' + page.errors.join('; '));
      await sleep(100);
    }
    throw new Error('gave up waiting for ' + what + ' (60 s)');
  };
  page.click = async (x, y) => {
    await send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y });
    await send('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button: 'left', clickCount: 1 });
    await send('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, button: 'left', clickCount: 1 });
  };
  page.screenshot = async (out) => {
    const { data } = await send('Page.captureScreenshot', { format: 'png' });
    fs.writeFileSync(out, Buffer.from(data, 'base64'));
  };
  page.close = () => browser.send('Target.closeTarget', { targetId });
  return page;
}

// What the map shows, read from the DOM.
const STATE = `(() => {
  const el = document.querySelector('.avf-map');
  if (!el) return null;
  el.scrollIntoView({block: 'start'});
  const nonEmpty = (sel) => [...el.querySelectorAll(sel)].filter((p) => (p.getAttribute('d') || '').length > 4).length;
  const data = JSON.parse(document.getElementById(el.dataset.src).textContent);
  return {
    total: Number(el.dataset.findingsTotal),
    drawn: Number(el.dataset.findingsDrawn),
    unplaced: Number(el.dataset.findingsUnplaced),
    renderer: el.dataset.renderer,
    aggregated: el.dataset.aggregated === '1',
    findingPaths: el.querySelectorAll('path.avf-finding').length,
    findingPathsDrawn: nonEmpty('path.avf-finding'),
    cells: el.querySelectorAll('path.avf-cell').length,
    zones: el.querySelectorAll('path.avf-zone').length,
    lines: el.querySelectorAll('path.avf-line').length,
    images: el.querySelectorAll('path.avf-image').length,
    tracks: el.querySelectorAll('path.avf-track').length,
    routes: el.querySelectorAll('path.avf-route').length,
    gaps: el.querySelectorAll('path.avf-gap').length,
    disks: Number(el.dataset.disks),
    disksShown: el.dataset.disksShown === '1',
    diskPaths: el.querySelectorAll('path.avf-disk').length,
    diskPathsVisible: [...el.querySelectorAll('path.avf-disk')].filter((p) => p.getAttribute('stroke-opacity') !== '0' && (p.getAttribute('d') || '').length > 4).length,
    dataDisks: data.findings.rows ? data.findings.rows.filter((r) => r[data.findings.fields.indexOf('uncertainty_m')] > 0).length : 0,
    declared: Number(el.dataset.declared),
    declaredPaths: el.querySelectorAll('path.avf-declared').length,
    dataDeclared: (data.declared || []).length,
    legend: (el.querySelector('.avf-legend') || {}).textContent || '',
    dataZones: data.zones.length, dataLines: data.lines.length, dataImages: data.images.length,
    dataFlights: data.flights.length, dataGaps: data.gaps.length,
    countries: nonEmpty('.leaflet-overlay-pane path:not([class*="avf-"])'),
    banner: (el.querySelector('.avf-banner') || {}).textContent || '',
    layersControl: (el.querySelector('.leaflet-control-layers') || {}).textContent || ''
  };
})()`;

// The centre of a finding marker that is on top at that point (markers overlap), in the viewport:
// an SVG path (svg), or where Leaflet drew a marker on its canvas (canvas).
const CLICKABLE_CANVAS = `(() => {
  const el = document.querySelector('.avf-map');
  const box = el.getBoundingClientRect();
  const m = window.avfMaps[0];
  for (const l of m.findings.getLayers()) {
    const p = m.map.latLngToContainerPoint(l.getLatLng());
    const x = box.left + p.x, y = box.top + p.y;
    if (x < box.left + 60 || x > box.right - 250 || y < box.top + 60 || y > box.bottom - 200) continue;
    return {x, y};
  }
  return null;
})()`;
const CLICKABLE = `(() => {
  const el = document.querySelector('.avf-map');
  const box = el.getBoundingClientRect();
  for (const p of el.querySelectorAll('path.avf-finding')) {
    const r = p.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (r.width === 0 || x < box.left + 60 || x > box.right - 250 || y < box.top + 60 || y > box.bottom - 200) continue;
    if (document.elementFromPoint(x, y) === p) return {x, y};
  }
  return null;
})()`;

const POPUP = `(() => { const c = document.querySelector('.avf-map .leaflet-popup-content'); return c ? c.textContent : null; })()`;

// Zooms the map to 13 at a finding that has an uncertainty disk.
const ZOOM_TO_DISK = `(() => {
  const m = window.avfMaps[0];
  const disk = m.disks.getLayers()[0];
  m.map.setView(disk.getLatLng(), 13, { animate: false });
  return m.map.getZoom();
})()`;

async function checkPage(browser, spec, findings, shots, fail, declaredExpected) {
  const page = await openPage(browser, spec.file);
  const where = spec.name + ' (' + spec.file + ')';
  const expect = (ok, what) => {
    if (!ok) fail(where + ': ' + what);
  };
  await page.waitFor(`(() => { const e = document.querySelector('.avf-map'); return !!e && e.dataset.ready === '1'; })()`, where + ' drawn');
  const s = await page.evaluate(STATE);
  console.log(where + ': ' + JSON.stringify(s));
  // Run-wide findings rest on no record and have no place (0, 0): listed beside the map.
  const unplaced = findings.filter((f) => f.evidence === 0 && f.lon === 0 && f.lat === 0).length;
  const placed = findings.length - unplaced;
  expect(s.total === findings.length, `the map holds ${s.total} findings, the run ${findings.length}`);
  expect(s.unplaced === unplaced, `the map lists ${s.unplaced} findings without a place, the run has ${unplaced}`);
  expect(s.drawn === placed, `the map drew ${s.drawn} findings, the run has ${placed} with a place`);
  expect(s.zones === s.dataZones && s.zones > 0, `${s.zones} zone polygons drawn of ${s.dataZones}`);
  expect(s.lines === s.dataLines && s.lines > 0, `${s.lines} reference lines drawn of ${s.dataLines}`);
  expect(s.images === s.dataImages && s.tracks + s.routes >= s.dataFlights && s.gaps === s.dataGaps,
         `imagery layers: ${s.images}/${s.dataImages} footprints, ${s.tracks} tracks and ${s.routes} routes for ${s.dataFlights} flights, ${s.gaps}/${s.dataGaps} gaps`);
  expect(s.countries > 100, `only ${s.countries} country outlines drawn (the base layer)`);
  expect(/Zones/.test(s.layersControl) && /Findings/.test(s.layersControl), 'the layer control lists no zones or findings: ' + s.layersControl);

  // The layers read back from the run's input files (cli/recorded_inputs.cpp).
  expect(s.declared === s.dataDeclared && s.declaredPaths === s.declared, `${s.declared} declared places drawn (${s.declaredPaths} paths) of ${s.dataDeclared}`);
  if (spec.moved) {
    expect(s.disks === 0 && s.declared === 0, `inputs not found, yet ${s.disks} disks and ${s.declared} declared places`);
    expect(/Uncertainty disks: not drawn/.test(s.legend) && /Declared places: not drawn/.test(s.legend) && /not found/.test(s.legend),
           'the legend does not say why the disks and declared places are missing: ' + s.legend);
  } else {
    if (declaredExpected) expect(s.declared > 0, 'no declared place on the map: ' + s.legend);
    else expect(/Declared places: the run was given no declarations/.test(s.legend), 'the legend does not say the run had no declarations: ' + s.legend);
    expect(!/not drawn for the findings|Declared places: not drawn/.test(s.legend), 'the legend says a layer is missing: ' + s.legend);
  }
  if (spec.aggregated) expect(s.disks === 0 && /not drawn while findings are aggregated/.test(s.legend), 'aggregated, yet disks: ' + s.disks);
  else if (!spec.moved) {
    expect(s.disks > 0 && s.disks === s.dataDisks && s.diskPaths === s.disks, `${s.disks} uncertainty disks (${s.diskPaths} paths) for ${s.dataDisks} findings with a radius`);
    expect(!s.disksShown && s.diskPathsVisible === 0, `at the first view (zoom < 12) ${s.diskPathsVisible} disks are visible`);
  }

  if (!spec.aggregated) {
    expect(!s.aggregated, 'findings were aggregated');
    if (s.renderer === 'svg') {
      expect(s.findingPaths === placed, `${s.findingPaths} finding markers in the DOM, the run has ${placed} with a place`);
      expect(s.findingPathsDrawn === placed, `${s.findingPathsDrawn} finding markers have a shape, the run has ${placed} with a place`);
    } else {
      expect(s.renderer === 'canvas' && s.findingPaths === 0, `renderer ${s.renderer} with ${s.findingPaths} SVG markers`);
    }
    const at = await page.evaluate(s.renderer === 'svg' ? CLICKABLE : CLICKABLE_CANVAS);
    expect(at !== null, 'no finding marker can be clicked in the view');
    if (at) {
      await page.click(at.x, at.y);
      await page.waitFor(POPUP + ' !== null', where + ' popup');
      const text = await page.evaluate(POPUP);
      const f = findings.find((x) => text.includes(x.id));
      expect(f !== undefined, 'the popup names no finding of the run: ' + text);
      if (f) {
        console.log(where + ': popup of finding ' + f.id + ': ' + text.slice(0, 200));
        expect(text.includes(f.explanation), 'the popup lacks the explanation of finding ' + f.id + ': ' + text);
        expect(text.includes(f.rule), 'the popup lacks the rule ' + f.rule);
        expect(text.includes(f.kind), 'the popup lacks the kind ' + f.kind);
      }
    }
  } else {
    expect(s.aggregated, 'findings were not aggregated');
    expect(s.findingPaths === 0 && s.cells > 0, `${s.cells} grid cells and ${s.findingPaths} single markers`);
    expect(/per grid cell/.test(s.banner) && s.banner.includes(String(placed)), 'the map does not say it aggregates: ' + s.banner);
  }
  await sleep(600); // the popup's fade-in and the map's pan to show it, then late console messages
  await page.screenshot(path.join(shots, spec.name + '.png'));
  if (!spec.aggregated && !spec.moved && s.disks > 0) {
    const zoom = await page.evaluate(ZOOM_TO_DISK);
    await page.waitFor(`document.querySelector('.avf-map').dataset.disksShown === '1'`, where + ' disks shown at zoom ' + zoom);
    const z = await page.evaluate(STATE);
    console.log(where + `: at zoom ${zoom}, ${z.diskPathsVisible} uncertainty disks visible`);
    expect(z.diskPathsVisible > 0, `zoomed in to ${zoom}, no uncertainty disk is visible`);
    await sleep(300);
    await page.screenshot(path.join(shots, spec.name + '-zoomed.png'));
  }
  for (const e of page.errors) fail(where + ': ' + e);
  await page.close();
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const findings = JSON.parse(fs.readFileSync(args.findings, 'utf8'));
  if (!Array.isArray(findings) || findings.length === 0) throw new Error(args.findings + ' holds no findings: the test needs a run with findings');
  fs.mkdirSync(args.shots, { recursive: true });
  const failures = [];
  const fail = (what) => {
    failures.push(what);
    console.error('FAIL ' + what);
  };
  const browser = new Browser(args.chromium);
  let passed = 0;
  try {
    for (const spec of args.pages) {
      const before = failures.length;
      await checkPage(browser, spec, findings, args.shots, fail, !!args.declared);
      if (failures.length === before) ++passed;
    }
  } finally {
    await browser.close();
  }
  console.log(`screenshots in ${args.shots}`);
  console.log(`${passed} passed, ${args.pages.length - passed} failed`);
  process.exit(failures.length ? 1 : 0);
}

main().catch((e) => {
  console.error('map_browser.js: ' + (e.stack || e));
  process.exit(1);
});
