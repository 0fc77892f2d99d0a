// What every browser end-to-end test needs: the command line (--dist, --out, --chromium, --cli),
// the site served from dist/, Chromium, the pass/fail count, and the helpers that drive the page
// through window.gradscope (docs/ARCHITECTURE.md) and look at its pixels. Each area's file
// (basics.mjs, numbers.mjs, ...) is one CTest test, so a failure names its area:
//
//   await runArea(async ({ browser, base }) => { await step('...', async () => { ... }); });
//
// prints "N passed, N failed" last and exits non-zero on any failure.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { asReturningVisitor, launch, serve } from './site.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
export const args = { dist: path.join(repo, 'dist'), out: path.join(repo, 'build', 'screenshots'),
                      chromium: process.env.CHROMIUM || '/usr/bin/chromium',
                      cli: path.join(repo, 'build', 'native', 'gradscope') };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (!(key in args) || process.argv[i + 1] === undefined) {
    console.error(`usage: ${path.basename(process.argv[1])} [--dist DIR] [--out DIR] [--chromium PATH] [--cli PATH] (got ${process.argv[i]})`);
    process.exit(2);
  }
  args[key] = path.resolve(process.argv[i + 1]);
}

export const DEFAULT_HIDDEN = '32';  // core's default, to check a bad hash keeps the defaults

// ------------------------------------------------------------------------------------------------
// PNG decoding (8-bit RGB/RGBA, as Chromium writes screenshots), to look at the pixels
// ------------------------------------------------------------------------------------------------

export function decodePng(buf) {
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
export function colourStats(png) {
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
export function check(name, ok, detail = '') {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
}
export async function step(name, fn) {
  const start = Date.now(), took = () => `${((Date.now() - start) / 1000).toFixed(1)} s`;
  try {
    const detail = await fn();
    check(name, true, detail ? `${detail}; ${took()}` : took());
  } catch (e) {
    check(name, false, `${e.message.split('\n')[0]}; ${took()}`);
  }
}
export function expect(cond, message) { if (!cond) throw new Error(message); }

// A page with its console errors and page errors collected; a returning visitor's unless
// `firstVisit` (which opens the guided tour).
export async function openPage(browser, url, viewport, { firstVisit = false, ...extra } = {}) {
  const context = await browser.newContext({ viewport, ...extra });
  if (!firstVisit) await asReturningVisitor(context);
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
export const state = (page) => page.evaluate(() => window.gradscope.getState());
export async function waitFrames(page, n) {
  const start = (await state(page)).frame;
  // polled, not per animation frame: getState() carries every curve and is not free
  await page.waitForFunction((f) => window.gradscope.getState().frame >= f, start + n, { timeout: 20000, polling: 50 });
}
// Polls (getState() of a long run is big: waitForFunction's per-frame polling would slow it).
export async function waitFor(page, fn, arg, timeout, what) {
  const start = Date.now();
  for (;;) {
    const s = await state(page);
    if (fn(s, arg)) return s;
    if (Date.now() - start > timeout) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what} (error: "${s.error}", config: ${s.config})`);
    }
    await page.waitForTimeout(100);
  }
}
export const waitDone = (page, timeout = 60000) => waitFor(page, (s) => s.done, null, timeout, 'state.done');
// Applies a configuration, checks it took, waits until everything is computed.
export async function configure(page, text, timeout) {
  const err = await page.evaluate((t) => window.gradscope.setConfig(t), text);
  expect(err === '', `setConfig("${text}") returned "${err}"`);
  return waitDone(page, timeout);
}
export async function canvasContent(page, file) {
  await waitFrames(page, 5);  // the real picture, not the first frame (docs/ARCHITECTURE.md)
  const png = await page.screenshot({ path: file });
  return colourStats(decodePng(png));
}


// Serves dist/, launches Chromium (unless `withBrowser` is false: the area launches its own),
// runs `body`, and ends the process with the count.
export async function runArea(body, { withBrowser = true } = {}) {
  try {
    for (const f of ['index.html', 'app.js', 'app.wasm']) {
      if (!fs.existsSync(path.join(args.dist, f))) {
        throw new Error(`${path.join(args.dist, f)} is missing: build the site first (make dist)`);
      }
    }
    fs.mkdirSync(args.out, { recursive: true });
    const server = await serve(args.dist);
    const base = `http://127.0.0.1:${server.address().port}/`;
    const browser = withBrowser ? await launch(args.chromium) : null;
    console.log(`serving ${args.dist} at ${base}${browser ? `; ${browser.version()}` : ''}; screenshots in ${args.out}`);
    try {
      await body({ browser, base });
    } finally {
      if (browser) await browser.close();
      server.close();
    }
  } catch (e) {
    check('run', false, e.message.split('\n')[0]);
  }
  if (passed + failed === 0) check('run', false, 'the area ran no check');
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
