#!/usr/bin/env node
// Browser end-to-end tests of the built site: serves dist/ on a free loopback port, drives
// Debian's Chromium (real WebGL2 through SwiftShader) with playwright-core, and checks the page
// through window.gradscope (DESIGN.md) and its pixels. Screenshots go to --out for people to
// look at. Prints "N passed, N failed" last; exits non-zero on any failure.
//
//   node tests/e2e/run.mjs [--dist DIR] [--out DIR] [--chromium PATH]
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const args = { dist: path.join(repo, 'dist'), out: path.join(repo, 'build', 'screenshots'),
               chromium: process.env.CHROMIUM || '/usr/bin/chromium' };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (!(key in args) || process.argv[i + 1] === undefined) {
    console.error(`usage: run.mjs [--dist DIR] [--out DIR] [--chromium PATH] (got ${process.argv[i]})`);
    process.exit(2);
  }
  args[key] = path.resolve(process.argv[i + 1]);
}

// The launch flags seen to work here (TOOLCHAIN.md). The SwiftShader ones matter: without them
// newer Chromium may give no WebGL at all.
const LAUNCH_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];
const DEFAULT_HIDDEN = '32';  // core's default, to check a bad hash keeps the defaults

// ------------------------------------------------------------------------------------------------
// A static server for dist/ on 127.0.0.1, port chosen by the OS
// ------------------------------------------------------------------------------------------------

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
                '.css': 'text/css', '.png': 'image/png', '.json': 'application/json' };

function serve(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const rel = decodeURIComponent(url.pathname) === '/' ? 'index.html' : decodeURIComponent(url.pathname).slice(1);
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
                         // no-store made Chromium report app.wasm as aborted now and then
                         'Content-Length': body.length, 'Cache-Control': 'no-cache' });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ------------------------------------------------------------------------------------------------
// PNG decoding (8-bit RGB/RGBA, as Chromium writes screenshots), to look at the pixels
// ------------------------------------------------------------------------------------------------

function decodePng(buf) {
  let pos = 8, width = 0, height = 0, colorType = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos), type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('unsupported PNG (bit depth/interlace)');
      colorType = data[9];
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  if (!bpp) throw new Error(`unsupported PNG colour type ${colorType}`);
  const raw = zlib.inflateSync(Buffer.concat(idat)), stride = width * bpp;
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {  // undo the per-row filters
    const f = raw[y * (stride + 1)], row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[y * stride + x - bpp] : 0, b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? px[(y - 1) * stride + x - bpp] : 0;
      let v = row[x];
      if (f === 1) v += a; else if (f === 2) v += b; else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) { const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
      px[y * stride + x] = v & 255;
    }
  }
  return { width, height, bpp, px };
}

// Distinct colours and the share of the most common one.
function colourStats(png) {
  const counts = new Map();
  for (let i = 0; i < png.px.length; i += png.bpp) {
    const key = (png.px[i] << 16) | (png.px[i + 1] << 8) | png.px[i + 2];
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  const top = Math.max(...counts.values());
  return { distinct: counts.size, topShare: top / (png.width * png.height) };
}

// ------------------------------------------------------------------------------------------------
// Test harness
// ------------------------------------------------------------------------------------------------

let passed = 0, failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
}
async function step(name, fn) {
  try {
    const detail = await fn();
    check(name, true, detail);
  } catch (e) {
    check(name, false, e.message.split('\n')[0]);
  }
}
function expect(cond, message) { if (!cond) throw new Error(message); }

// A page with its console errors and page errors collected.
async function openPage(browser, url, viewport, extra = {}) {
  const context = await browser.newContext({ viewport, ...extra });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  if (process.env.E2E_DEBUG) page.on('request', (r) => console.log('  request', r.url(), new Date().toISOString()));
  if (process.env.E2E_DEBUG) page.on('requestfailed', (r) => console.log('  failed', r.url(), new Date().toISOString()));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure() ? r.failure().errorText : ''}`));
  await page.goto(url);
  await page.waitForFunction(() => window.gradscope && window.gradscope.getState().ready,
                             null, { timeout: 60000 });
  return { context, page, errors };
}
const state = (page) => page.evaluate(() => window.gradscope.getState());
async function waitFrames(page, n) {
  const start = (await state(page)).frame;
  await page.waitForFunction((f) => window.gradscope.getState().frame >= f, start + n, { timeout: 20000 });
}
async function canvasContent(page, file) {
  await waitFrames(page, 5);  // the real picture, not the first frame (TOOLCHAIN.md)
  const png = await page.screenshot({ path: file });
  return colourStats(decodePng(png));
}

// ------------------------------------------------------------------------------------------------
// The tests
// ------------------------------------------------------------------------------------------------

async function main() {
  for (const f of ['index.html', 'app.js', 'app.wasm']) {
    if (!fs.existsSync(path.join(args.dist, f))) {
      console.error(`${path.join(args.dist, f)} is missing: build the site first (make dist)`);
      console.log('0 passed, 1 failed');
      process.exit(1);
    }
  }
  fs.mkdirSync(args.out, { recursive: true });
  const server = await serve(args.dist);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({ executablePath: args.chromium, args: LAUNCH_ARGS });
  console.log(`serving ${args.dist} at ${base}; ${browser.version()}; screenshots in ${args.out}`);

  try {
    // --- desktop, 1280 x 800 ---
    let desktop;
    await step('desktop: page loads and window.gradscope.getState() answers', async () => {
      desktop = await openPage(browser, base, { width: 1280, height: 800 });
      const s = await state(desktop.page);
      expect(s.ready === true, 'not ready');
      expect(typeof s.config === 'string' && s.config.includes('hidden='), `config: ${s.config}`);
      expect(s.error === '', `error at start: ${s.error}`);
      return `config ${s.config.length} chars`;
    });
    if (!desktop) throw new Error('the page did not load; later steps would only repeat that');
    const { page } = desktop;

    await step('desktop: WebGL2 really in use', async () => {
      const s = await state(page);
      const canvasGl2 = await page.evaluate(() => !!document.getElementById('canvas').getContext('webgl2'));
      expect(s.webgl2 && /WebGL 2/.test(s.gl_version), `GL_VERSION "${s.gl_version}"`);
      expect(canvasGl2, 'the canvas has no webgl2 context');
      expect(s.shader_log === '', `shader errors: ${s.shader_log}`);
      expect(s.views.heatmap.rendered, 'the heatmap was not rendered by the colormap shader');
      return s.gl_version;
    });

    await step('desktop: canvas shows real content (not blank, not one colour)', async () => {
      const c = await canvasContent(page, path.join(args.out, 'desktop-1280x800.png'));
      expect(c.distinct >= 200 && c.topShare < 0.9, `${c.distinct} colours, top ${(c.topShare * 100).toFixed(1)}%`);
      return `${c.distinct} colours, most common ${(c.topShare * 100).toFixed(1)}%`;
    });

    // Real input: click the configuration field and type (keyboard events reach SDL only from
    // the canvas, SDL_HINT_EMSCRIPTEN_KEYBOARD_ELEMENT).
    await step('desktop: typing into the configuration field applies it', async () => {
      const [x, y, w, h] = (await state(page)).edit_rect;
      expect(w > 0 && h > 0, `field at ${x},${y} ${w}x${h}`);
      await page.mouse.click(x + w / 2, y + h / 2);
      await waitFrames(page, 2);
      await page.keyboard.type('seed=5', { delay: 30 });
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => window.gradscope.getState().values.seed === '5', null, { timeout: 10000 });
      const hash = await page.evaluate(() => location.hash);
      expect(hash.includes('seed=5'), `hash ${hash}`);
    });

    await step('desktop: setConfig with a good value changes the state and the hash', async () => {
      const err = await page.evaluate(() => window.gradscope.setConfig('cell=lstm&hidden=64'));
      expect(err === '', `setConfig returned "${err}"`);
      const s = await state(page);
      const hash = await page.evaluate(() => location.hash);
      expect(s.values.hidden === '64' && s.values.cell === 'lstm', `config ${s.config}`);
      expect(hash.includes('hidden=64') && hash.includes('cell=lstm'), `hash ${hash}`);
      expect(s.error === '', `error ${s.error}`);
    });

    await step('desktop: setConfig with a bad value returns the error and keeps the config', async () => {
      const err = await page.evaluate(() => window.gradscope.setConfig('hidden=0'));
      const s = await state(page);
      expect(err.includes('hidden'), `setConfig returned "${err}"`);
      expect(s.values.hidden === '64', `config changed: ${s.config}`);
      expect(s.error.includes('hidden'), `state.error "${s.error}"`);
      return err;
    });

    await step('desktop: a typed hash is applied on hashchange', async () => {
      await page.evaluate(() => { location.hash = '#cell=gru&hidden=16'; });
      await page.waitForFunction(() => window.gradscope.getState().values.hidden === '16', null, { timeout: 10000 });
      const s = await state(page);
      expect(s.values.cell === 'gru' && s.error === '', `config ${s.config}, error ${s.error}`);
    });

    await step('desktop: a bad hash on hashchange shows an error, keeps the last good config', async () => {
      await page.evaluate(() => { location.hash = '#hidden=-5'; });
      await page.waitForFunction(() => window.gradscope.getState().error !== '', null, { timeout: 10000 });
      const s = await state(page);
      expect(s.values.hidden === '16', `config changed: ${s.config}`);
      await waitFrames(page, 3);
      await page.screenshot({ path: path.join(args.out, 'desktop-bad-hash.png') });
      return s.error;
    });

    // The app's own work per frame must stay well under 50 ms. The whole frame here also waits
    // for SwiftShader to rasterize in software, so only its rate is reported and loosely checked.
    await step('desktop: frames keep coming, the app\'s work per frame stays under 50 ms', async () => {
      const a = await state(page);
      await page.waitForTimeout(2000);
      const b = await state(page);
      const fps = (b.frame - a.frame) / 2;
      expect(fps >= 4, `${fps} frames/s`);
      expect(b.work_ms_max < 50, `worst frame's work ${b.work_ms_max.toFixed(1)} ms`);
      return `${fps} frames/s under SwiftShader, worst work ${b.work_ms_max.toFixed(1)} ms, ` +
             `last whole frame ${b.frame_ms.toFixed(0)} ms`;
    });

    await step('desktop: hovering a plot draws the read-out (screenshot desktop-hover.png)', async () => {
      await page.mouse.move(600, 260);
      await waitFrames(page, 3);
      const png = await page.screenshot({ path: path.join(args.out, 'desktop-hover.png') });
      expect(decodePng(png).width === 1280, 'screenshot');
    });

    await step('desktop: no console errors or page errors', async () => {
      expect(desktop.errors.length === 0, desktop.errors.join('; '));
    });
    await desktop.context.close();

    // --- a link with a bad hash: error shown, defaults kept, nothing logged as an error ---
    await step('link with a bad hash (#hidden=0): error in state, defaults kept, no console error', async () => {
      const p = await openPage(browser, `${base}#hidden=0`, { width: 1280, height: 800 });
      const s = await state(p.page);
      expect(s.error.includes('hidden'), `state.error "${s.error}"`);
      expect(s.values.hidden === DEFAULT_HIDDEN, `config ${s.config}`);
      await waitFrames(p.page, 2);
      expect(p.errors.length === 0, p.errors.join('; '));
      await p.context.close();
      return s.error;
    });

    // --- a link with a good hash reproduces its configuration ---
    await step('link with a hash reproduces its configuration', async () => {
      const p = await openPage(browser, `${base}#cell=lstm,gru&hidden=48&seed=7`, { width: 1280, height: 800 });
      const s = await state(p.page);
      expect(s.values.cell === 'lstm,gru' && s.values.hidden === '48' && s.values.seed === '7', `config ${s.config}`);
      expect(s.error === '' && p.errors.length === 0, `${s.error} ${p.errors.join('; ')}`);
      await p.context.close();
    });

    // --- phone, 390 x 844 CSS pixels at device pixel ratio 3 ---
    await step('phone: HiDPI drawing buffer, real content, no errors', async () => {
      const p = await openPage(browser, base, { width: 390, height: 844 },
                               { deviceScaleFactor: 3, isMobile: true, hasTouch: true });
      const s = await state(p.page);
      expect(s.dpr === 3, `dpr ${s.dpr}`);
      expect(s.drawable[0] === 390 * 3 && s.drawable[1] === 844 * 3, `drawing buffer ${s.drawable}`);
      const c = await canvasContent(p.page, path.join(args.out, 'phone-390x844@3x.png'));
      expect(c.distinct >= 200 && c.topShare < 0.9, `${c.distinct} colours, top ${(c.topShare * 100).toFixed(1)}%`);
      expect(p.errors.length === 0, p.errors.join('; '));
      await p.context.close();
      return `${s.drawable[0]}x${s.drawable[1]} px, ${c.distinct} colours`;
    });
  } finally {
    await browser.close();
  }

  // --- a browser without WebGL: a plain-language message, not a blank page ---
  await step('without WebGL the page explains, instead of staying blank', async () => {
    const plain = await chromium.launch({ executablePath: args.chromium,
                                          args: [...LAUNCH_ARGS, '--disable-webgl'] });
    try {
      const page = await (await plain.newContext({ viewport: { width: 800, height: 600 } })).newPage();
      await page.goto(base);
      await page.waitForFunction(() => document.getElementById('overlay').classList.contains('failed'),
                                 null, { timeout: 20000 });
      const text = await page.evaluate(() => document.getElementById('status').textContent);
      expect(/WebGL2 is not available/.test(text), text);
      await page.screenshot({ path: path.join(args.out, 'no-webgl.png') });
      return text.slice(0, 40) + '...';
    } finally {
      await plain.close();
      server.close();
    }
  });
}

try {
  await main();
} catch (e) {
  check('run', false, e.message.split('\n')[0]);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
