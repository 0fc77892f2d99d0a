#!/usr/bin/env node
// Measures the critical-length experiment in the page (not a test: speed is reported, never
// asserted): serves dist/, opens it with the experiment's defaults (core/training/critical.h), presses Run
// and prints the wall time until every run is done, the worker's own time, and the result per
// cell, as `gradscope critical` would print it.
//   node tests/e2e/measure_critical.mjs ['#extra=keys'] [--workers N] [--shot OUT.png]
// --workers N: the size of the worker's pool (the page's ?workers=N; default: the machine's cores).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asReturningVisitor, launch, serve } from './site.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '..', '..', 'dist');
const extra = (process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : '').replace(/^#/, '');
const option = (name) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : null; };
const hash = `#seeds=3&lengths=10,25,50,100&iters=800${extra ? `&${extra}` : ''}`;

const server = await serve(dist);
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
await asReturningVisitor(context);
const page = await context.newPage();
page.on('pageerror', (e) => console.error('pageerror:', e.message));
const query = option('workers') ? `?workers=${option('workers')}` : '';
await page.goto(`http://127.0.0.1:${server.address().port}/${query}${hash}`);
await page.waitForFunction(() => window.gradscope && window.gradscope.getState().done, null, { timeout: 120000 });
await page.evaluate(() => window.gradscope.focus('critical'));
const start = Date.now();
await page.evaluate(() => window.gradscope.critical('run'));
let s;
for (;;) {
  await page.waitForTimeout(1000);
  s = await page.evaluate(() => { const x = window.gradscope.getState(); return { critical: x.critical, config: x.config }; });
  if (s.critical.done || s.critical.error) break;
  if (Date.now() - start > 900000) { console.error('gave up after 15 minutes'); break; }
}
const wall = (Date.now() - start) / 1000;
console.log(`config ${s.config}`);
console.log(`${s.critical.runs.length}/${s.critical.runs_total} runs in ${wall.toFixed(1)} s wall ` +
            `(${(s.critical.elapsed_ms / 1000).toFixed(1)} s running by the page's clock)`);
for (const c of s.critical.cells)
  console.log(`${c.cell}: critical_length=${c.critical_length}; solved ` +
              c.shares.map((x) => `T=${x.length} ${x.solved}/${x.done}`).join(', '));
if (option('shot')) {
  await page.waitForTimeout(300);
  await page.screenshot({ path: option('shot') });
}
await browser.close();
server.close();
