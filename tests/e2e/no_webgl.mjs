#!/usr/bin/env node
// Browser end-to-end test, no_webgl: a browser without WebGL gets a plain-language message, not a
// blank page. One CTest test (browser_no_webgl); tests/e2e/harness.mjs serves dist/.
//
//   node tests/e2e/no_webgl.mjs [--dist DIR] [--out DIR] [--chromium PATH]
import path from 'node:path';
import { args, runArea, step, expect } from './harness.mjs';
import { launch } from './site.mjs';

await runArea(async ({ base }) => {
  await step('without WebGL the page explains, instead of staying blank', async () => {
    const plain = await launch(args.chromium, ['--disable-webgl']);
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
    }
  });
}, { withBrowser: false });
