import { args, runArea, step, expect, openPage, state, waitFor, configure } from './harness.mjs';
import { cliFlags, runCli, execCli } from './compare.mjs';
import fs from 'node:fs';
await runArea(async ({ browser, base }) => {
  const cmp = await openPage(browser, base, { width: 1280, height: 800 });
  await step('probe', async () => {
    const t0 = Date.now();
    await configure(cmp.page, 'cell=rnn-tanh,rnn-relu,lstm,gru&task=adding&hidden=12&length=60&seed=3&seeds=1&sequences=1&init=uniform&scale=1&precision=f64', 60000);
    const s = await waitFor(cmp.page, (t) => t.why_it_vanishes.done && t.trainability.done, null, 120000, 'why');
    console.log('why+train took', Date.now() - t0);
    fs.writeFileSync('/tmp/probe/state.json', JSON.stringify(s));
  });
  await cmp.context.close();
});
