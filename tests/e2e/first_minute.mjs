#!/usr/bin/env node
// Browser end-to-end tests, the first minute: a first visit opens the guided tour where its
// paragraph reads without scrolling; a returning visitor or a link goes to the plots; the tour is
// one click from every page; no error on the default page or after any preset; a small drag of
// the length control is a small change; the LSTM's f-only line is the product of its forget gates.
// One area per file, one CTest test each (browser_first_minute).
//
//   node tests/e2e/first_minute.mjs [--dist DIR] [--out DIR] [--chromium PATH] [--cli PATH]
import fs from 'node:fs';
import path from 'node:path';
import { args, runArea, step, expect, openPage, state, waitFrames, waitFor } from './harness.mjs';
import { cliFlags, execCli } from './compare.mjs';

const DESKTOP = { width: 1280, height: 800 }, PHONE = { width: 390, height: 844 };
const inside = (r, v) => r && r[2] > 0 && r[3] > 0 && r[0] >= 0 && r[1] >= 0 &&
  r[0] + r[2] <= v.width + 0.5 && r[1] + r[3] <= v.height + 0.5;

// The LSTM's cell path by the forget gate alone, replayed here in double from the CLI's export of
// the same probe (its weights, inputs and seed gradient): the forward pass as torch.nn.LSTM (gates
// i f g o), then v = f_T * dL/dc_T with dL/dc_T = dL/dh_T * o_T * (1 - tanh(c_T)^2), carried back
// by f_t alone. log10 ||v|| at t = 1..T (null at T, where it has not begun).
function forgetPathOf(probe) {
  const w = probe.weights, H = probe.hidden_size, T = probe.steps;
  const sigmoid = (a) => 1 / (1 + Math.exp(-a));
  let h = probe.h0.slice(), c = probe.c0.slice();
  const f = [], o = [], tanhC = [];
  for (let t = 0; t < T; ++t) {
    const x = probe.inputs[t], a = [];
    for (let r = 0; r < 4 * H; ++r) {
      let sum = w.bias_ih_l0[r] + w.bias_hh_l0[r];
      for (let k = 0; k < x.length; ++k) sum += w.weight_ih_l0[r][k] * x[k];
      for (let k = 0; k < H; ++k) sum += w.weight_hh_l0[r][k] * h[k];
      a.push(sum);
    }
    const gi = a.slice(0, H).map(sigmoid), gf = a.slice(H, 2 * H).map(sigmoid);
    const gg = a.slice(2 * H, 3 * H).map(Math.tanh), go = a.slice(3 * H).map(sigmoid);
    c = c.map((cj, j) => gf[j] * cj + gi[j] * gg[j]);
    const tc = c.map(Math.tanh);
    h = tc.map((v, j) => go[j] * v);
    f.push(gf); o.push(go); tanhC.push(tc);
  }
  const line = new Array(T).fill(null);
  let v = probe.seed_grad_h.map((g, j) => g * o[T - 1][j] * (1 - tanhC[T - 1][j] ** 2) * f[T - 1][j]);
  for (let t = T - 1; t >= 1; --t) {  // v is the path at step t
    line[t - 1] = Math.log10(Math.hypot(...v));
    v = v.map((vj, j) => vj * f[t - 1][j]);
  }
  return line;
}

// Every message a view may show: the page's error, the training's, the critical experiment's and
// the truncation probe's.
const errors = (s) => [s.error, s.training.error, s.critical.error, s.truncation.error]
  .filter((e) => e);

await runArea(async ({ browser, base }) => {
  for (const [name, viewport] of [['desktop 1280x800', DESKTOP], ['phone 390x844', PHONE]]) {
    await step(`${name}: a first visit opens the tour's first step, its paragraph on the first screen`, async () => {
      const p = await openPage(browser, base, viewport, { firstVisit: true, ...(viewport === PHONE
        ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });
      try {
        const s = await waitFor(p.page, (x) => x.tour.step === 1 && x.done && !/Computing/.test(x.tour.text),
                                null, 60000, 'tour step 1');
        await waitFrames(p.page, 3);
        const t = (await state(p.page)).tour;
        expect(inside(t.rect, viewport), `the step's box ${JSON.stringify(t.rect)} is not on the first screen`);
        // not cut to its 40% cap: the whole paragraph is in the box
        expect(viewport === PHONE || t.rect[3] < 0.4 * viewport.height - 1,
               `the box is ${t.rect[3]} px high: at its cap, the paragraph scrolls`);
        expect(/\d/.test(t.text) && t.text.length > 200, `paragraph: "${t.text.slice(0, 80)}"`);
        expect(s.error === '' && p.errors.length === 0, `${s.error} ${p.errors.join('; ')}`);
        await p.page.screenshot({ path: path.join(args.out, `first-visit-${viewport.width}.png`) });
        return `step 1 "${t.title}" in ${t.rect.map((v) => v.toFixed(0)).join(',')}`;
      } finally {
        await p.context.close();
      }
    });
  }

  await step('a returning visitor, and a first visit through a link, go straight to the plots', async () => {
    const back = await openPage(browser, base, DESKTOP);
    const link = await openPage(browser, `${base}#length=100`, DESKTOP, { firstVisit: true });
    try {
      await waitFrames(back.page, 3);
      await waitFrames(link.page, 3);
      const a = await state(back.page), b = await state(link.page);
      expect(a.tour.step === 0 && b.tour.step === 0, `tour steps ${a.tour.step}, ${b.tour.step}`);
      expect(Number(b.values.length) === 100, `the link's length: ${b.values.length}`);
      return 'tour 0 both';
    } finally {
      await back.context.close();
      await link.context.close();
    }
  });

  await step('the tour is one click from every page, and no page shows an error at the defaults', async () => {
    const p = await openPage(browser, base, DESKTOP);
    try {
      const seen = [];
      for (const view of ['decay', 'spectra', 'critical']) {  // one view of each page
        await p.page.evaluate((v) => window.gradscope.focus(v), view);
        const s = await waitFor(p.page, (x) => x.done && x.tour.step === 0 && x.tour.button_rect[2] > 0,
                                null, 60000, `page of ${view}`);
        const shown = errors(s);
        expect(shown.length === 0, `${s.page}: ${shown.join(' | ')}`);
        const [x, y, w, h] = s.tour.button_rect;
        await p.page.mouse.click(x + w / 2, y + h / 2);
        const t = await waitFor(p.page, (q) => q.tour.step === 1, null, 10000, 'tour step 1');
        seen.push(`from ${s.page}: step ${t.tour.step}`);
        expect(await p.page.evaluate(() => window.gradscope.setConfig('tour=0')) === '', 'end the tour');
        await waitFrames(p.page, 2);
      }
      return seen.join('; ');
    } finally {
      await p.context.close();
    }
  });

  await step('no error after any preset', async () => {
    const p = await openPage(browser, base, DESKTOP);
    try {
      await p.page.evaluate(() => window.gradscope.focus('presets'));
      const count = (await waitFor(p.page, (x) => x.presets.every((q) => q.rect[2] > 0), null, 30000,
                                   'preset buttons')).presets.length;
      const seen = [];
      for (let i = 0; i < count; i++) {
        await p.page.evaluate(() => window.gradscope.focus('presets'));
        const s0 = await waitFor(p.page, (x) => x.presets[i].rect[2] > 0 && x.focus === 'presets', null, 30000, 'presets');
        const [x, y, w, h] = s0.presets[i].rect;
        await p.page.mouse.click(x + w / 2, y + h / 2);
        const s = await waitFor(p.page, (q) => q.synced && q.focus === s0.presets[i].view, null, 30000,
                                `preset ${s0.presets[i].name}`);
        await waitFrames(p.page, 5);
        const after = await state(p.page);
        const shown = errors(after);
        expect(shown.length === 0, `${s0.presets[i].name}: ${shown.join(' | ')}`);
        seen.push(s.focus);
        await p.page.evaluate(() => { window.gradscope.train('reset'); window.gradscope.critical('stop'); });
      }
      return `${count} presets, no error`;
    } finally {
      await p.context.close();
    }
  });

  await step("Why splits each RNN's decay into W_hh's part and the activation's, and the parts add up", async () => {
    const p = await openPage(browser, `${base}#cell=rnn-tanh,rnn-relu,rnn-sigmoid`, DESKTOP);
    try {
      await p.page.evaluate(() => window.gradscope.focus('decay'));
      const s = await waitFor(p.page, (x) => x.done && x.why_it_vanishes.done && x.focus === 'decay',
                              null, 90000, 'the why results');
      const found = [];
      for (const c of s.why_it_vanishes.cells) {
        const total = c.decay_log10_per_step, twin = c.twin_log10_per_step;
        expect(Number.isFinite(total) && Number.isFinite(twin), `${c.cell}: total ${total}, twin ${twin}`);
        expect(c.spectral_radius_whh <= c.sigma_max_whh + 1e-12,
               `${c.cell}: radius ${c.spectral_radius_whh} > sigma_max ${c.sigma_max_whh}`);
        // the sentence: "loses A decades per step back ... loses B of them ...; <act>' ... adds the other C"
        const label = { 'rnn-tanh': 'RNN-tanh', 'rnn-relu': 'RNN-ReLU', 'rnn-sigmoid': 'RNN-sigmoid' }[c.cell];
        const at = s.why.indexOf(`${label}: its gradient loses `);
        expect(at >= 0, `no decay sentence for ${label} in Why: "${s.why.slice(0, 200)}"`);
        const text = s.why.slice(at, at + 600);
        const m = /loses (\d+(?:\.\d+)?) decades per step back.*?W_hh alone.*?loses (\d+(?:\.\d+)?) of them.*?adds the other (\d+(?:\.\d+)?)/s.exec(text);
        expect(m, `${label}: no split in "${text.slice(0, 300)}"`);
        const [a, b, d] = m.slice(1, 4).map(Number);
        expect(Math.abs(a - (b + d)) <= 1e-3, `${label}: ${a} != ${b} + ${d}`);
        expect(Math.abs(a + total) <= 1e-3 && Math.abs(b + twin) <= 1e-3,
               `${label}: printed ${a}, ${b}; measured ${-total}, ${-twin}`);
        found.push(`${c.cell} ${a} = ${b} + ${d}`);
      }
      expect(found.length === 3, `${found.length} of 3 cells`);
      return found.join('; ');
    } finally {
      await p.context.close();
    }
  });

  await step("the LSTM's thin line is the product of its forget gates, and the tour's step 6 quotes its slope", async () => {
    const p = await openPage(browser, `${base}#tour=6`, DESKTOP);
    const file = path.join(args.out, 'first-minute-lstm-probe.json');
    try {
      const s = await waitFor(p.page, (x) => x.done && x.tour.step === 6 && /thin line/.test(x.tour.text),
                              null, 60000, 'tour step 6');
      const lstm = s.decay.cells.find((c) => c.cell === 'lstm');
      execCli(args.cli, 'decay', [...cliFlags(s.values, { cell: 'lstm', tour: null }), '--export', file]);
      const mine = forgetPathOf(JSON.parse(fs.readFileSync(file, 'utf8')));
      const page = lstm.log10_forget_path, T = mine.length;
      expect(page.length === T && page[T - 1] === null, `page line: ${page.length} steps, at T ${page[T - 1]}`);
      let worst = 0;
      for (let t = 1; t < T; ++t) worst = Math.max(worst, Math.abs(page[t - 1] - mine[t - 1]));
      expect(worst < 2e-4, `the page's line differs from the product of the forget gates by ${worst} decades`);
      // "... the gradient is multiplied by 0.27 per step (0.571 decades lost)": the line's slope
      const m = /product of the forget gates\) the gradient is multiplied by \S+ per step \((\d+\.\d+) decades lost/.exec(s.tour.text);
      expect(m, `no f-only rate in "${s.tour.text.slice(0, 400)}"`);
      const slope = (page[0] - page[T - 2]) / (T - 2);
      expect(Math.abs(Number(m[1]) + slope) <= 1e-3, `the text says ${m[1]} decades per step, the line ${-slope}`);
      return `T = ${T}: worst ${worst.toExponential(1)} decades from the replay; text ${m[1]}, line ${(-slope).toFixed(4)} per step`;
    } finally {
      await p.context.close();
      fs.rmSync(file, { force: true });
    }
  });

  await step('a 10-pixel drag of the length control changes it by less than a factor of 2', async () => {
    const p = await openPage(browser, base, DESKTOP);
    try {
      const s = await waitFor(p.page, (x) => x.length_rect[2] > 0, null, 30000, 'the length control');
      const [x, y, w, h] = s.length_rect, before = s.values.length;
      const results = [];
      for (const dx of [10, -10]) {
        const from = (await state(p.page)).values.length;
        await p.page.mouse.move(x + w / 2, y + h / 2);
        await p.page.mouse.down();
        for (let i = 1; i <= 5; i++) {
          await p.page.mouse.move(x + w / 2 + (dx * i) / 5, y + h / 2);
          await waitFrames(p.page, 1);
        }
        await p.page.mouse.up();
        await waitFrames(p.page, 3);
        const to = (await state(p.page)).values.length;
        const ratio = Math.max(to / from, from / to);
        expect(to !== from, `a ${dx}-pixel drag did not change the length (${from})`);
        expect(ratio < 2, `a ${dx}-pixel drag moved the length from ${from} to ${to}`);
        results.push(`${from} -> ${to}`);
      }
      return `from ${before}: ${results.join(', ')}`;
    } finally {
      await p.context.close();
    }
  });
});
