import { args, runArea, step, expect, openPage, state, waitFor, configure } from './harness.mjs';
import fs from 'node:fs';
const FIXTURE = '/work/main/tests/reference/fixtures/weights/lstm_small.safetensors';
await runArea(async ({ browser, base }) => {
  const p = await openPage(browser, base, { width: 1280, height: 800 });
  await step('probe', async () => {
    await waitFor(p.page, (s) => s.done, null, 60000, 'done');
    await p.page.setInputFiles('#model-file', FIXTURE);
    await waitFor(p.page, (s) => s.model.loaded && s.done, null, 60000, 'loaded');
    await p.page.evaluate(() => window.gradscope.setConfig('length=120&seeds=2&precision=f64'));
    const t0 = Date.now();
    const s = await waitFor(p.page, (x) => x.done && x.values.precision === 'f64' && x.why_it_vanishes.done && x.trainability.done, null, 180000, 'why');
    console.log('took', Date.now() - t0);
    fs.writeFileSync('/tmp/probe/own.json', JSON.stringify(s));
  });
  await p.context.close();
});
