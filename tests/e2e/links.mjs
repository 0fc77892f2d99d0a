#!/usr/bin/env node
// Browser end-to-end tests, links: a link with a hash reproduces its configuration and numbers; a bad hash shows its error and keeps the last good configuration.
// One area per file, one CTest test each (browser_links); tests/e2e/harness.mjs serves dist/,
// launches Chromium and counts the checks.
//
//   node tests/e2e/links.mjs [--dist DIR] [--out DIR] [--chromium PATH] [--cli PATH]
import fs from 'node:fs';
import path from 'node:path';
import { args, runArea, check, step, expect, openPage, state, waitFrames, waitFor, waitDone, configure,
         canvasContent, decodePng, colourStats, DEFAULT_HIDDEN } from './harness.mjs';
import { cliFlags, runCli, execCli, Worst, halfUnitSignificant, firstDifference,
         findTabBar } from './compare.mjs';

await runArea(async ({ browser, base }) => {
  await step('a link with a hash gives exactly the numbers of setConfig with the same text', async () => {
    const text = 'cell=gru,lstm&hidden=24&length=300&seed=9&init=orthogonal';
    const link = await openPage(browser, `${base}#${text}`, { width: 1280, height: 800 });
    const fresh = await openPage(browser, base, { width: 1280, height: 800 });
    try {
      const a = await waitDone(link.page);
      const b = await configure(fresh.page, text, 60000);
      expect(a.config === b.config, `configs differ: ${a.config} vs ${b.config}`);
      expect(a.error === '' && b.error === '', `errors: "${a.error}" "${b.error}"`);
      const pick = (s) => ({ decay: s.decay.cells, sweep: s.sweep.points });
      const d = firstDifference(pick(a), pick(b));
      expect(!d, `first difference ${d}`);
      expect(link.errors.length + fresh.errors.length === 0, [...link.errors, ...fresh.errors].join('; '));
      return `${a.decay.cells.length} curves of ${a.decay.cells[0].log10_grad_norm_h[0].length} steps, ` +
             `${a.sweep.points.length} sweep points, identical`;
    } finally {
      await link.context.close();
      await fresh.context.close();
    }
  });

  // --- bad hashes: the error in state.error, the last good configuration kept, no console error ---
  for (const [hash, key] of [['length=0', 'length'], ['cell=lstm&hidden=abc', 'hidden']]) {
    await step(`a link with a bad hash (#${hash}): error names ${key}, defaults kept, no console error`, async () => {
      const p = await openPage(browser, `${base}#${hash}`, { width: 1280, height: 800 });
      try {
        const s = await state(p.page);
        expect(s.error.includes(key), `state.error "${s.error}"`);
        expect(s.values.hidden === DEFAULT_HIDDEN && s.values.cell !== 'lstm' && s.values.length !== '0',
               `config ${s.config}`);
        await waitDone(p.page);
        await waitFrames(p.page, 2);
        expect(p.errors.length === 0, p.errors.join('; '));
        return s.error;
      } finally {
        await p.context.close();
      }
    });
  }
  await step('a bad hash after a good one (#cell=lstm&hidden=abc): error, the good one kept, no console error', async () => {
    const p = await openPage(browser, `${base}#cell=gru&hidden=20&length=40`, { width: 1280, height: 800 });
    try {
      const good = await waitDone(p.page);
      expect(good.values.cell === 'gru' && good.values.hidden === '20', `config ${good.config}`);
      await p.page.evaluate(() => { location.hash = '#cell=lstm&hidden=abc'; });
      const s = await waitFor(p.page, (t) => t.error !== '', null, 10000, 'state.error');
      expect(s.error.includes('hidden'), `state.error "${s.error}"`);
      expect(s.config === good.config, `config changed to ${s.config}`);
      await waitFrames(p.page, 3);
      await p.page.evaluate(() => { location.hash = '#length=0'; });
      const s2 = await waitFor(p.page, (t) => t.error.includes('length'), null, 10000, 'the length error');
      expect(s2.config === good.config, `config changed to ${s2.config}`);
      await waitFrames(p.page, 2);
      expect(p.errors.length === 0, p.errors.join('; '));
      return `${s.error} | ${s2.error}`;
    } finally {
      await p.context.close();
    }
  });

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
});
