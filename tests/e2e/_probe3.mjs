import { args, runArea, step, expect, openPage, state, waitFor, waitFrames, configure } from './harness.mjs';
import fs from 'node:fs';
await runArea(async ({ browser, base }) => {
  const p = await openPage(browser, base, { width: 1280, height: 800 });
  await step('probe', async () => {
    await waitFor(p.page, (s) => s.done, null, 60000, 'done');
    await waitFrames(p.page, 5);
    await p.page.screenshot({ path: '/tmp/probe/a.png' });
    await waitFrames(p.page, 5);
    await p.page.screenshot({ path: '/tmp/probe/a2.png' });
    await p.page.mouse.move(600, 260);
    await waitFrames(p.page, 3);
    await p.page.screenshot({ path: '/tmp/probe/b.png' });
    await p.page.evaluate(() => window.gradscope.setConfig('cell=gru&hidden=16'));
    await waitFor(p.page, (s) => s.done, null, 60000, 'done');
    await p.page.mouse.move(1270, 790);
    await waitFrames(p.page, 5);
    await p.page.screenshot({ path: '/tmp/probe/c.png' });
    await p.page.mouse.move(600, 260);
    await waitFrames(p.page, 3);
    await p.page.screenshot({ path: '/tmp/probe/d.png' });
  });
  await p.context.close();
});
