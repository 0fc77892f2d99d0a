#!/usr/bin/env node
// `make soak`: the built page (dist/) left running for a long time, as a person leaves it open:
// training plays, and every ~20 s the configuration changes (cells, lengths, a 20,000-step curve,
// an exploding one that overflows and diverges, back to the defaults). Every minute it samples the
// page's JavaScript heap (performance.memory) and the WebAssembly memory of the UI and of the
// compute worker (getState().memory), and at the end prints the samples and the growth from the
// first minute to the last. Memory that keeps growing with the same work is a leak; WebAssembly
// memory never shrinks, so it should level off at the largest configuration's need.
//
//   node bench/page_soak.mjs [--minutes 60] [--dist DIR]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asReturningVisitor, launch, serve } from '../tests/e2e/site.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = { minutes: 60, dist: path.join(repo, 'dist') };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (!(key in args) || process.argv[i + 1] === undefined) {
    console.error(`usage: page_soak.mjs [--minutes N] [--dist DIR] (got ${process.argv[i]})`);
    process.exit(2);
  }
  args[key] = key === 'minutes' ? Number(process.argv[i + 1]) : path.resolve(process.argv[i + 1]);
}
if (!(args.minutes > 0)) {
  console.error(`page_soak.mjs: --minutes must be a positive number (got ${args.minutes})`);
  process.exit(2);
}

// What a person might do, in turn; each is applied over the defaults, then training plays.
const CONFIGS = [
  '',
  'cell=rnn-tanh,rnn-relu,lstm,gru&seeds=3',
  'cell=lstm,gru&length=20000&hidden=64',
  'cell=rnn-relu&scale=100&length=300&optimizer=sgd&lr=10&clip=0',
  'task=copy&length=100&cell=lstm,gru&hidden=48',
  'cell=rnn-tanh,lstm&init=orthogonal&lengths=10,100,1000,10000',
];
const SWITCH_MS = 20000, SAMPLE_MS = 60000;

const mb = (bytes) => (bytes / 1048576).toFixed(1);

async function main() {
  const server = await serve(args.dist);
  const browser = await launch(undefined, ['--enable-precise-memory-info']);
  const errors = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await asReturningVisitor(context);
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.gradscope && window.gradscope.getState().ready, null,
                               { timeout: 60000 });
    const sample = () => page.evaluate(() => {
      const s = window.gradscope.getState();
      return { js: performance.memory.usedJSHeapSize, app: s.memory.app_wasm_bytes,
               worker: s.memory.worker_wasm_bytes, iterations: s.training.iterations,
               frame: s.frame, config: s.config };
    });

    console.log(`gradscope page soak, ${new Date().toISOString()}, ${args.minutes} min, ` +
                `Chromium ${browser.version()}`);
    console.log('minute  js heap MB  app wasm MB  worker wasm MB  frames  configuration');
    const start = Date.now(), samples = [];
    let next_switch = 0, next_sample = 0, turn = 0;
    while (Date.now() - start < args.minutes * 60000) {
      const t = Date.now() - start;
      if (t >= next_switch) {
        const text = 'cell=rnn-tanh,lstm,gru&' + CONFIGS[turn++ % CONFIGS.length];
        await page.evaluate((c) => { location.hash = c; }, text);  // over the defaults, as a link
        for (let i = 0; i < 600 && !(await page.evaluate(() => window.gradscope.getState().synced)); i++)
          await page.waitForTimeout(100);
        await page.evaluate(() => window.gradscope.train('play'));
        if (process.env.SOAK_DEBUG) console.log(`  ${(t / 1000).toFixed(0)} s: ${text}`);
        next_switch += SWITCH_MS;
      }
      if (t >= next_sample) {
        const s = await sample();
        samples.push(s);
        console.log(`${(t / 60000).toFixed(0).padStart(6)}  ${mb(s.js).padStart(10)}  ` +
                    `${mb(s.app).padStart(11)}  ${mb(s.worker).padStart(14)}  ` +
                    `${String(s.frame).padStart(6)}  ${s.config.slice(0, 60)}`);
        next_sample += SAMPLE_MS;
      }
      await page.waitForTimeout(1000);
    }
    const first = samples[Math.min(1, samples.length - 1)], last = samples[samples.length - 1];
    console.log(`growth from minute ${samples.length > 1 ? 1 : 0} to the end: js heap ` +
                `${mb(last.js - first.js)} MB, app wasm ${mb(last.app - first.app)} MB, ` +
                `worker wasm ${mb(last.worker - first.worker)} MB; page errors: ${errors.length}` +
                (errors.length ? ` (first: ${errors[0]})` : ''));
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(`page_soak.mjs: ${e.message}`);
  process.exit(1);
});
