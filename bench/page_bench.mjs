#!/usr/bin/env node
// `make bench-page`: how the built site (dist/) runs in Debian's Chromium, measured through
// window.gradscope. It reports numbers and checks nothing.
//
//   first screen  LOAD_RUNS fresh first visits (the tour's step 1 over the first page), after a
//               blank WebGL page that starts the browser's GPU process: ms from
//               navigation to the frame that first draws every curve of that screen (the page's
//               performance.mark "gradscope:first-screen"), the worst frame's work until then
//               (status().work_ms_max, the page's own count) and the main thread's long tasks
//               (over 50 ms, from Chromium's PerformanceObserver: rendering included)
//   training    train('play') on the default page: iterations per second over ~5 s, computed here
//               from the iteration count and the wall clock (not the page's own rate)
//   long probe  setConfig('length=100000&hidden=32&cell=lstm'), the same for rnn-tanh, and
//               'length=20000&hidden=64&cell=rnn-tanh,lstm,gru' (the browser test robustness.mjs
//               runs it, and checks only that frames keep coming and that it completes), each on a
//               fresh page: time from setConfig to done
//   work/frame  status().work_ms (the app's CPU work in one frame) sampled every animation frame
//               during training and the long probes: p50, p95, max, and the page's work_ms_max
//   critical    the critical experiment at its defaults (Run on a fresh page), with a pool of one
//               worker (?workers=1) and of two (?workers=2): wall time until every run is done,
//               and the two-worker time as a share of the one-worker time
//
// WebGL runs on SwiftShader (software) here, so whole frames are slower than on a GPU; work_ms
// counts the app's own work only. Everything is sampled inside the page with status(), a few
// numbers (getState() carries every curve, and serializing 100,000-step curves every frame would
// slow the page it measures); what one sample costs is reported too.
//
//   node bench/page_bench.mjs [--dist DIR] [--chromium PATH]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// playwright-core is the browser tests' (tests/e2e, installed by `scripts/setup.sh browser`).
import { launch, serve } from '../tests/e2e/site.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const args = { dist: path.join(repo, 'dist'), chromium: process.env.CHROMIUM || '/usr/bin/chromium' };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (!(key in args) || process.argv[i + 1] === undefined) {
    console.error(`usage: page_bench.mjs [--dist DIR] [--chromium PATH] (got ${process.argv[i]})`);
    process.exit(2);
  }
  args[key] = path.resolve(process.argv[i + 1]);
}

const VIEWPORT = { width: 1280, height: 800 };
const LOAD_RUNS = 5;
const TRAINING_SECONDS = 5;
const LONG_PROBES = ['length=100000&hidden=32&cell=lstm', 'length=100000&hidden=32&cell=rnn-tanh',
                     'length=20000&hidden=64&cell=rnn-tanh,lstm,gru'];

// Installed before the page's own scripts: keeps the main thread's long tasks (over 50 ms), in ms
// since navigation started. The page marks its own moments (performance.mark), read afterwards.
function watchLongTasks() {
  const tasks = window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) tasks.push({ start: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

// Runs in the page: starts `action` (setConfig or train), then reads status() every animation
// frame, keeping one sample per app frame, until `seconds` have passed or (untilDone) every curve
// is computed and 250 ms more have passed (the frames that draw what arrived last), or, as a
// safety stop, 10 minutes. Times are ms since the action; `elapsed` is until done.
function sampleFrames({ action, text, seconds, untilDone }) {
  return new Promise((resolve) => {
    const g = window.gradscope, samples = [];
    const first = g.status().frame, start = performance.now();
    const error = action === 'setConfig' ? g.setConfig(text) : g.train(text);
    let lastFrame = first, doneAt = null;
    const tick = () => {
      const before = performance.now(), s = g.status(), now = performance.now();
      // The page is still while status() runs, so the state is that of `before`; `now - before`
      // is the sampler's cost, not the page's.
      if (s.frame !== lastFrame) {
        samples.push({ t: before - start, work: s.work_ms, iterations: s.iterations,
                       cost: now - before });
        lastFrame = s.frame;
      }
      if (untilDone && doneAt === null && s.done && s.frame > first) doneAt = before;
      const finished = untilDone ? doneAt !== null && before - doneAt >= 250
                                 : before - start >= seconds * 1000;
      if (finished || error || before - start > 600000) {
        resolve({ error, samples, elapsed: (doneAt ?? before) - start, done: s.done,
                  workMax: s.work_ms_max });
      } else {
        requestAnimationFrame(tick);
      }
    };
    requestAnimationFrame(tick);
  });
}

function percentile(values, p) {  // nearest rank
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}

// One row of the work-per-frame table.
function workRow(what, run) {
  const work = run.samples.map((s) => s.work), cost = run.samples.map((s) => s.cost);
  const worst = run.samples.reduce((a, b) => (b.work > a.work ? b : a), run.samples[0]);
  return { what, frames: work.length, p50: percentile(work, 50), p95: percentile(work, 95),
           max: worst.work, maxAt: worst.t, pageMax: run.workMax, getState: percentile(cost, 50),
           getStateMax: Math.max(...cost) };
}

// A fresh context (a first visit: the tour's first step), once every curve is drawn: when the
// first screen was complete, and what the main thread did until then.
async function openPage(browser, base) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(watchLongTasks);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(base);
  await page.waitForFunction(() => performance.getEntriesByName('gradscope:first-screen').length,
                             null, { timeout: 120000, polling: 100 });
  const load = await page.evaluate(() => {
    const firstScreen = performance.getEntriesByName('gradscope:first-screen')[0].startTime;
    const tasks = window.__longTasks.filter((t) => t.start < firstScreen);
    return { firstScreen, workMax: window.gradscope.status().work_ms_max,
             longTasks: tasks.length, longestTask: Math.max(0, ...tasks.map((t) => t.ms)) };
  });
  return { context, page, load, errors };
}

const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-');

// The critical experiment at its defaults with a pool of `workers`: seconds from Run to done.
async function criticalSeconds(browser, base, workers) {
  const { context, page, errors } = await openPage(
    browser, `${base}?workers=${workers}#seeds=3&lengths=10,25,50,100&iters=800`);
  await page.waitForFunction(() => window.gradscope.getState().done, null, { timeout: 120000 });
  const start = Date.now();
  await page.evaluate(() => window.gradscope.critical('run'));
  let critical;
  do {
    await page.waitForTimeout(500);
    critical = await page.evaluate(() => window.gradscope.getState().critical);
  } while (!critical.done && !critical.error && Date.now() - start < 1800000);
  await context.close();
  return { seconds: (Date.now() - start) / 1000, done: critical.done, errors,
           result: critical.cells.map((c) => `${c.cell} ${c.critical_length}`).join(', ') };
}

async function main() {
  for (const f of ['index.html', 'app.js', 'app.wasm']) {
    if (!fs.existsSync(path.join(args.dist, f))) {
      console.error(`${path.join(args.dist, f)} is missing: build the site first (make dist)`);
      process.exit(1);
    }
  }
  const server = await serve(args.dist);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launch(args.chromium);
  const errors = [];
  try {
    console.log(`gradscope page benchmark, ${new Date().toISOString()}`);
    console.log(`Chromium ${browser.version()} (headless, WebGL on SwiftShader), node ` +
                `${process.version}, viewport ${VIEWPORT.width}x${VIEWPORT.height}, ` +
                `dist/app.wasm ${(fs.statSync(path.join(args.dist, 'app.wasm')).size / 1e6).toFixed(2)} MB`);

    // (a) the first screen, LOAD_RUNS times; (b) training, on the last of those pages. First a
    // blank page with a WebGL2 context, not timed: the browser starts its GPU process once, on
    // its first WebGL page, and a reader's browser has usually done so long before.
    {
      const warm = await browser.newContext();
      const blank = await warm.newPage();
      await blank.setContent('<canvas></canvas>');
      await blank.evaluate(() => !!document.querySelector('canvas').getContext('webgl2'));
      await warm.close();
    }
    const loads = [];
    let home = null;
    for (let run = 0; run < LOAD_RUNS; ++run) {
      if (home) await home.context.close();
      home = await openPage(browser, base);
      errors.push(...home.errors);
      loads.push(home.load);
    }
    const training = await home.page.evaluate(sampleFrames,
      { action: 'train', text: 'play', seconds: TRAINING_SECONDS });
    if (training.error) throw new Error(`train('play') returned "${training.error}"`);
    if (!training.samples.length) throw new Error(`no frame drawn in ${TRAINING_SECONDS} s`);
    // The rate over the span in which the count moved (training may finish inside the window).
    const moved = training.samples.filter((s) => s.iterations > training.samples[0].iterations);
    const from = training.samples[0], to = moved.length ? moved[moved.length - 1] : from;
    const rate = (to.iterations - from.iterations) / ((to.t - from.t) / 1000);
    await home.context.close();

    // (c) long probes, each on a fresh page
    const probes = [];
    for (const text of LONG_PROBES) {
      const { context, page, errors: pageErrors } = await openPage(browser, base);
      const run = await page.evaluate(sampleFrames, { action: 'setConfig', text, untilDone: true });
      if (run.error) throw new Error(`setConfig('${text}') returned "${run.error}"`);
      probes.push({ text, run });
      errors.push(...pageErrors);
      await context.close();
    }

    console.log(`\nfirst screen (a first visit: the tour's step 1 over the first page), ${LOAD_RUNS} fresh pages`);
    console.log('  run   every curve drawn, ms since navigation   worst frame\'s work, ms   long tasks (>50 ms): count, longest ms');
    loads.forEach((l, i) => {
      console.log(`  ${String(i + 1).padStart(3)}   ${ms(l.firstScreen).padStart(37)}   ${ms(l.workMax).padStart(23)}   ` +
                  `${String(l.longTasks).padStart(6)}, ${ms(l.longestTask)}`);
    });
    console.log('  worst frame\'s work: the page\'s own count (events, messages taken in, UI, GL calls); long ' +
                'tasks: Chromium\'s, SwiftShader\'s rendering included');
    console.log(`\ntraining (default cells, train('play'), ${TRAINING_SECONDS} s)`);
    console.log(`  ${to.iterations - from.iterations} iterations (each: one minibatch of every cell) ` +
                `in ${ms(to.t - from.t)} ms: ${rate.toFixed(1)} iterations/s, ` +
                `${(training.samples.length / (training.elapsed / 1000)).toFixed(1)} frames/s`);
    console.log('\nlong probe (setConfig on a fresh page)           ms until done');
    for (const { text, run } of probes) {
      console.log(`  ${text.padEnd(46)} ${ms(run.elapsed).padStart(10)}${run.done ? '' : ' (not done)'}`);
    }

    // (d) the critical experiment, one worker then two, in the same run
    const pools = [];
    for (const workers of [1, 2]) {
      const run = await criticalSeconds(browser, base, workers);
      errors.push(...run.errors);
      pools.push({ workers, ...run });
    }

    console.log('\nwork per frame, ms (status().work_ms, every animation frame)');
    const rows = [workRow('training', training), ...probes.map(({ text, run }) =>
      workRow(`long probe ${text.match(/cell=([\w,-]+)/)[1]}`, run))];
    const header = ['frames', 'p50', 'p95', 'max', 'max at', 'work_ms_max', 'status p50',
                    'status max'];
    console.log(`  ${'while'.padEnd(30)}` + header.map((h) => h.padStart(h.length > 7 ? 13 : 8)).join(''));
    for (const r of rows) {
      const values = [String(r.frames), ms(r.p50), ms(r.p95), ms(r.max), ms(r.maxAt),
                      ms(r.pageMax), ms(r.getState), ms(r.getStateMax)];
      console.log(`  ${r.what.padEnd(30)}` +
                  values.map((v, i) => v.padStart(header[i].length > 7 ? 13 : 8)).join(''));
    }
    console.log('  max at: ms after train(\'play\') or setConfig; work_ms_max: the page\'s own worst ' +
                'frame since it opened (its loading included); status: what one sample costs');
    console.log('\ncritical experiment at its defaults (36 runs), Run to done');
    for (const p of pools)
      console.log(`  ${p.workers} worker${p.workers > 1 ? 's' : ' '}  ${p.seconds.toFixed(1).padStart(7)} s` +
                  `${p.done ? '' : ' (not done)'}   critical lengths: ${p.result}`);
    console.log(`  two workers take ${(100 * pools[1].seconds / pools[0].seconds).toFixed(1)}% of one ` +
                `worker's time (navigator.hardwareConcurrency here: the page's default pool)`);
    if (errors.length) console.log(`\npage errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(`page_bench: ${e.message}`);
  process.exit(1);
});
