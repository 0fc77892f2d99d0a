#!/usr/bin/env node
// Takes screenshots of the built site for people to look at, without the test suite:
//   node tests/e2e/screenshot.mjs OUT.png [WIDTHxHEIGHT] [#hash] [--focus view] [--train N]
//        [--scale S] [--model FILE.safetensors (loaded through the page's file input)] [--tab X,Y]
//        [--wait PART] (PART: a part of getState() with a done flag, e.g. cliff)
//        [--first-visit] (a browser new to the site: the guided tour opens)
// Serves dist/ on a free loopback port, waits until every curve is computed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asReturningVisitor, launch, serve } from './site.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '..', '..', 'dist');
const [out, size = '1280x800', hash = ''] = process.argv.slice(2).filter((a, i, all) =>
  !a.startsWith('--') && !(all[i - 1] || '').startsWith('--'));
const option = (name) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : null; };
const [width, height] = size.split('x').map(Number);
const scale = Number(option('scale') || 1);

const server = await serve(dist);
const browser = await launch();
const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: scale });
if (!process.argv.includes('--first-visit')) await asReturningVisitor(context);  // else: the tour
const page = await context.newPage();
page.on('console', (m) => { if (m.type() === 'error') console.error('console:', m.text()); });
page.on('pageerror', (e) => console.error('pageerror:', e.message));
await page.goto(`http://127.0.0.1:${server.address().port}/${hash}`);
// every curve, and the "why it vanishes" page's results
const allDone = () => {
  const s = window.gradscope && window.gradscope.getState();
  return s && s.done && s.why_it_vanishes.done && s.trainability.done;
};
await page.waitForFunction(allDone, null, { timeout: 120000, polling: 200 });
if (option('model')) {
  await page.setInputFiles('#model-file', path.resolve(option('model')));
  await page.waitForFunction(() => { const s = window.gradscope.getState(); return s.model.error || s.model.loaded; },
                             null, { timeout: 120000, polling: 200 });
  await page.waitForFunction(allDone, null, { timeout: 120000, polling: 200 });
  const m = await page.evaluate(() => window.gradscope.getState().model);
  console.log(m.error ? `model not loaded: ${m.error}` : `model: ${m.name}: ${m.badge}`);
}
if (option('focus')) await page.evaluate((v) => window.gradscope.focus(v), option('focus'));
if (option('train')) {
  await page.evaluate(() => window.gradscope.train('play'));
  await page.waitForFunction((n) => window.gradscope.getState().training.iterations >= n,
    Number(option('train')), { timeout: 300000 });
  await page.evaluate(() => window.gradscope.train('pause'));
}
if (option('wait')) {
  await page.waitForFunction((part) => window.gradscope.getState()[part].done, option('wait'),
                             { timeout: 300000, polling: 200 });
}
if (option('tab')) await page.mouse.click(Number(option('tab').split(',')[0]), Number(option('tab').split(',')[1]));
const start = await page.evaluate(() => window.gradscope.getState().frame);
await page.waitForFunction((f) => window.gradscope.getState().frame >= f + 3, start);
await page.screenshot({ path: out });
const s = await page.evaluate(() => window.gradscope.getState());
console.log(`saved ${out}: frame ${s.frame}, work ${s.work_ms.toFixed(1)} ms (max ${s.work_ms_max.toFixed(1)}), frame ${s.frame_ms.toFixed(0)} ms`);
await browser.close();
server.close();
