#!/usr/bin/env node
// Browser end-to-end tests, remedies: the "What fixes it" page. The cliff's grid and the
// truncation cosines equal the CLI's, the critical experiment runs in the page at a small budget
// (Run, Stop, Go on) and equals `gradscope critical`, the exploding run's message appears and
// clip=1 keeps it finite, every preset's button and every tour step's link sets its configuration
// and view.
// One area per file, one CTest test each (browser_remedies); tests/e2e/harness.mjs serves dist/,
// launches Chromium and counts the checks.
//
//   node tests/e2e/remedies.mjs [--dist DIR] [--out DIR] [--chromium PATH] [--cli PATH]
import path from 'node:path';
import { args, runArea, step, expect, openPage, state, waitFrames, waitFor, configure } from './harness.mjs';
import { cliFlags, runCli, execCli, Worst, halfUnitSignificant } from './compare.mjs';

await runArea(async ({ browser, base }) => {
  const { context, page: p, errors } = await openPage(browser, base, { width: 1280, height: 800 });
  // the configuration a preset's link is applied over: the defaults, no tour step
  const defaults = { ...(await state(p)).values, tour: '0' };
  const focus = async (view) => expect(await p.evaluate((v) => window.gradscope.focus(v), view) === '', `focus(${view})`);

  // The default grid (81 x 81) and every number of it: the page's doubles against the CLI's
  // shortest round-trip text. wasm's libm and glibc may differ in the last bit of exp(), which
  // the recurrence can amplify near the wall: 1e-9 relative.
  await step('page = CLI, the cliff: loss and gradient over the default grid', async () => {
    await focus('cliff');
    const s = await waitFor(p, (x) => x.cliff.done, null, 60000, 'the cliff surface');
    const c = s.cliff;
    const csv = runCli(args.cli, 'cliff', []);
    expect(csv.header.join(',') === 'w,b,loss,grad_w,grad_b', `CLI header ${csv.header}`);
    expect(csv.rows.length === c.w.length * c.b.length, `CLI ${csv.rows.length} rows, page ${c.w.length} x ${c.b.length}`);
    const w = new Worst(1e-9, 1e-300);
    csv.rows.forEach(([cw, cb, loss, gw, gb], k) => {
      const i = Math.floor(k / c.b.length), j = k % c.b.length;
      expect(Number(cw) === c.w[i] && Number(cb) === c.b[j], `row ${k}: CLI (${cw}, ${cb}), page (${c.w[i]}, ${c.b[j]})`);
      w.compare(c.loss[k], loss, `loss at (${cw}, ${cb})`);
      w.compare(c.grad_w[k], gw, `grad_w at (${cw}, ${cb})`);
      w.compare(c.grad_b[k], gb, `grad_b at (${cw}, ${cb})`);
    });
    expect(!w.failure(), w.failure());
    // the paths from the README's start: thrown off by the wall without clipping, down the valley with it
    expect(c.plain.off_step > 0 && c.clipped.off_step === 0 && c.clipped.clipped.some((x) => x),
           `plain off at ${c.plain.off_step}, clipped off at ${c.clipped.off_step}`);
    // a click on the map starts new paths there
    const bad = await p.evaluate(() => window.gradscope.cliff('x', 1));
    expect(bad === 'cliff: w and b must be finite numbers', `cliff('x', 1) returned "${bad}"`);
    const before = c.paths_generation;
    await p.evaluate(() => window.gradscope.cliff(2, -1));
    const t = await waitFor(p, (x) => x.synced && x.cliff.paths_generation > before, null, 10000, 'new paths');
    expect(t.cliff.start[0] === 2 && t.cliff.start[1] === -1 && t.cliff.plain.w[0] === 2, `start ${t.cliff.start}`);
    await waitFrames(p, 3);
    await p.screenshot({ path: path.join(args.out, 'desktop-cliff.png') });
    return `${csv.rows.length} points; ${w.summary()}; no clipping: off the map at step ${c.plain.off_step}`;
  });

  // Pinned case where the old lags matter (issue 9): a tanh RNN at scale 1.5, T = 20.
  await step('page = CLI, truncated BPTT: the cosine with the full gradient for every k', async () => {
    const s0 = await configure(p, 'cell=rnn-tanh,lstm&task=adding&hidden=8&length=20&scale=1.5&batch=4&seed=2&precision=f64', 60000);
    await focus('truncation');
    const s = await waitFor(p, (x) => x.truncation.done, null, 60000, 'the truncation cosines');
    const w = new Worst(1e-9, 1e-12);
    let below = '';
    for (const c of s.truncation.cells) {
      const csv = runCli(args.cli, 'truncation', cliFlags(s0.values, { cell: c.cell, tour: null }));
      expect(csv.rows.length === c.cosine.length, `${c.cell}: CLI ${csv.rows.length} k, page ${c.cosine.length}`);
      csv.rows.forEach(([k, cos], i) => w.compare(c.cosine[i], cos, `${c.cell} k=${k}`, halfUnitSignificant(cos, 10)));
      if (c.cell === 'rnn-tanh') below = `rnn-tanh cos at k=5: ${c.cosine[4]}`;
      const full = c.cosine[c.cosine.length - 1];  // k = T is the full gradient: 1 to rounding
      expect(Math.abs(full - 1) <= 4e-16, `${c.cell}: k = T gives cosine ${full}, not 1`);
    }
    expect(!w.failure(), w.failure());
    expect(s.why.includes('above 0.99'), `Why: ${s.why.slice(0, 100)}`);
    const csv = await p.evaluate(() => window.gradscope.csv());
    expect(csv.startsWith('cell,k,cosine\n') && csv.split('\n').length === 2 + 2 * 20, `CSV: ${csv.slice(0, 60)}`);
    await waitFrames(p, 3);
    await p.screenshot({ path: path.join(args.out, 'desktop-truncation.png') });
    return `${below}; ${w.summary()}`;
  });

  // The experiment: Stop and Go on on a long run, then a small one to its end, results filling in,
  // the same rows as the CLI's. Run and Stop are sent at once; the worker computes in slices of
  // 25 ms and handles messages between them, so a few slices at most run before the Stop
  // (measured: 0 to 6, at most 0.15 s of work). The long run, iters=4000, is about 11 s of the
  // worker's time (measured 1.1 s for iters=400), so it cannot end before the Stop, and the test
  // says so if it does. The comparison with the CLI runs iters=400: over a few thousand
  // iterations the page's training and the CLI's part in the last digits (WebAssembly has no
  // fused multiply-add; 5th digit at 1,200 iterations).
  await step('page = CLI, the critical experiment (Run, Stop: nothing moves, Go on; at a small budget to its end)', async () => {
    const EXPERIMENT = 'cell=rnn-tanh,lstm&task=adding&hidden=8&batch=8&lengths=10,20&seeds=2&precision=f64';
    const long = await configure(p, `${EXPERIMENT}&iters=4000`, 60000);
    await focus('critical');
    expect(long.critical.runs.length === 0 && long.critical.runs_total === 8 && !long.critical.running, `before Run: ${JSON.stringify(long.critical).slice(0, 120)}`);
    await p.evaluate(() => { window.gradscope.critical('run'); window.gradscope.critical('stop'); });
    const stopped = await waitFor(p, (x) => x.synced && !x.critical.running, null, 10000, 'stopped');
    expect(!stopped.critical.done && stopped.critical.progress < 1 && stopped.critical.runs.length < 8,
           `the experiment ended before the Stop: done ${stopped.critical.done}, progress ${stopped.critical.progress}, ` +
           `${stopped.critical.runs.length} of 8 runs`);
    await p.waitForTimeout(1000);  // stopped: nothing moves until Go on
    const still = await state(p);
    expect(still.critical.progress === stopped.critical.progress && !still.critical.running &&
           still.critical.runs.length === stopped.critical.runs.length,
           `progress ${stopped.critical.progress} -> ${still.critical.progress} while stopped`);
    expect(await p.evaluate(() => window.gradscope.critical('run')) === '', 'go on');
    const goneOn = await waitFor(p, (x, p0) => x.critical.running && x.critical.progress > p0, stopped.critical.progress,
                                 20000, 'the experiment going on');
    expect(await p.evaluate(() => window.gradscope.critical('stop')) === '', 'stop');
    const paused = `the long run stopped at ${(100 * stopped.critical.progress).toFixed(2)}%, went on to ` +
                   `${(100 * goneOn.critical.progress).toFixed(2)}%`;

    const s0 = await configure(p, `${EXPERIMENT}&iters=400`, 60000);
    expect(s0.critical.runs.length === 0 && s0.critical.progress === 0 && !s0.critical.running && !s0.critical.done,
           `a new budget did not start afresh: ${JSON.stringify(s0.critical).slice(0, 120)}`);
    expect(await p.evaluate(() => window.gradscope.critical('run')) === '', 'run');
    let partial = 0;  // runs seen before the end: results fill in as they arrive (timing: reported)
    const s = await waitFor(p, (x) => {
      if (!x.critical.done) partial = Math.max(partial, x.critical.runs.length);
      return x.critical.done && x.synced;
    }, null, 120000, 'the experiment');
    const out = execCli(args.cli, 'critical', cliFlags(s0.values, { tour: null, length: null, sequences: null }));
    const cliRows = out.split('\n').filter((l) => l && !l.startsWith('#')).slice(1);
    const csv = await p.evaluate(() => window.gradscope.csv());
    const pageRows = csv.split('\n').filter((l) => l && !l.startsWith('#')).slice(1);
    const row = pageRows.findIndex((r, i) => r !== cliRows[i]);
    expect(pageRows.length === 8 && cliRows.length === 8 && row < 0,
           `${pageRows.length} page rows, ${cliRows.length} CLI rows; row ${row}: page ${pageRows[row]}, CLI ${cliRows[row]}`);
    const summary = (text) => text.split('\n').filter((l) => l.includes('critical_length=')).join('; ');
    expect(summary(csv) === summary(out), `page "${summary(csv)}", CLI "${summary(out)}"`);
    expect(s.why.includes('critical length'), `Why: ${s.why.slice(0, 80)}`);
    await waitFrames(p, 3);
    await p.screenshot({ path: path.join(args.out, 'desktop-critical-tiny.png') });
    expect(s.critical.progress === 1 && s.critical.runs.length === 8, `at the end: progress ${s.critical.progress}, ${s.critical.runs.length} runs`);
    return `${paused}; ${partial} of 8 runs seen before the end; ${summary(out)}; ${(s.critical.elapsed_ms / 1000).toFixed(1)} s of the worker's time`;
  });

  // Pascanu's exploding run: the message in the page; the same run with clip=1 stays finite.
  const EXPLODING = 'cell=rnn-tanh&scale=2&optimizer=sgd&lr=0.1&momentum=0&length=10&clip=0&seed=1';
  await step('the exploding run: "diverged at iteration N ... try clip=1" in the page; clip=1 stays finite', async () => {
    // a fresh page: the preset's link over the defaults (setConfig would keep the keys set above)
    const fresh = await openPage(browser, `${base}#${EXPLODING}`, { width: 1280, height: 800 });
    const p = fresh.page;
    await waitFor(p, (x) => x.done, null, 60000, 'the curves');
    expect(await p.evaluate(() => window.gradscope.focus('training')) === '', 'focus');
    expect(await p.evaluate(() => window.gradscope.train('play')) === '', 'play');
    let s = await waitFor(p, (x) => x.training.cells[0].diverged_at > 0, null, 60000, 'the divergence');
    const c = s.training.cells[0], n = c.diverged_at;
    const cli = execCli(args.cli, 'train', cliFlags(s.values, { tour: null, iters: 100 }));
    const line = cli.split('\n').find((l) => l.includes('diverged at iteration'));
    expect(line && line.includes(`diverged at iteration ${n}:`), `CLI: "${line}", page iteration ${n}`);
    expect(s.why.includes(`diverged at iteration ${n}: `) && s.why.includes('exploded; try clip=1'), `Why: "${s.why.slice(0, 200)}"`);
    await waitFrames(p, 3);
    await p.screenshot({ path: path.join(args.out, 'desktop-exploding.png') });
    await configure(p, EXPLODING.replace('clip=0', 'clip=1'), 60000);
    expect(await p.evaluate(() => window.gradscope.train('play')) === '', 'play');
    s = await waitFor(p, (x) => x.training.iterations >= 300, null, 120000, '300 iterations');
    await p.evaluate(() => window.gradscope.train('pause'));
    const d = s.training.cells[0];
    const clipped = d.clipped.filter((x) => x).length;
    expect(d.diverged_at === 0 && d.loss.every((x) => typeof x === 'number' && Number.isFinite(x)) && clipped > 0,
           `clip=1: diverged_at ${d.diverged_at}, ${clipped} clipped`);
    await waitFrames(p, 3);
    await p.screenshot({ path: path.join(args.out, 'desktop-clipped.png') });
    expect(fresh.errors.length === 0, fresh.errors.join('; '));
    await fresh.context.close();
    return `without clipping: diverged at iteration ${n}; with clip=1: ${clipped} of ${d.loss.length} iterations clipped, finite`;
  });

  // Each tour step is a link: #tour=N sets its configuration, its view and a paragraph written
  // from the live numbers; a bad step is one line of error and nothing else changes.
  await step('tour: #tour=N links set the step\'s configuration, view and a paragraph from the live numbers', async () => {
    const seen = [];
    const steps = (await state(p)).tour.steps;
    expect(steps === 11, `${steps} tour steps`);
    for (let n = 1; n <= steps; n++) {
      await p.evaluate((x) => { location.hash = `#tour=${x}`; }, n);
      const s = await waitFor(p, (x, k) => x.tour.step === k && x.synced && x.done && !/Computing|starts\.\.\./.test(x.tour.text),
                              n, 90000, `tour step ${n}`);
      expect(s.error === '', `step ${n}: error ${s.error}`);
      expect(s.focus === s.tour.view, `step ${n}: focus ${s.focus}, step's view ${s.tour.view}`);
      expect(/\d/.test(s.tour.text) && !/Open this step/.test(s.tour.text) && !/NaN|nan/.test(s.tour.text),
             `step ${n}: "${s.tour.text.slice(0, 120)}"`);
      if (n === 10) {  // the largest modulus of each cell, as the eigenvalue view's state has it
        for (const c of s.eigenvalues.cells)
          expect(s.tour.text.includes(`${{ 'rnn-tanh': 'RNN-tanh', lstm: 'LSTM', mingru: 'minGRU', lru: 'LRU' }[c.cell]} `),
                 `step 10 names ${c.cell}: "${s.tour.text}"`);
      }
      if (n === 11) {  // where each descent ended, as the learning view's state has it
        const [plain, , expexp] = s.curse_of_memory.paths;
        expect(plain.left_at > 0 && s.tour.text.includes(`its step ${plain.left_at} took lambda to`) &&
               expexp.left_at === 0 && s.tour.text.includes(`after ${expexp.iterations} iterations`),
               `step 11: paths ${JSON.stringify(s.curse_of_memory.paths)}, "${s.tour.text}"`);
      }
      seen.push(`${n}:${s.tour.view}`);
      if (n === 2) await p.screenshot({ path: path.join(args.out, 'desktop-tour2.png') });
      await p.evaluate(() => window.gradscope.train('pause'));
    }
    const s5 = await (async () => {
      await p.evaluate(() => { location.hash = '#tour=5'; });
      return waitFor(p, (x) => x.tour.step === 5 && /diverged at iteration \d+/.test(x.tour.text), null, 60000, 'step 5 diverging');
    })();
    expect(s5.values.clip === '0' && s5.values.scale === '2', `step 5 config ${s5.config}`);
    await p.evaluate(() => { location.hash = '#tour=12'; });
    const bad = await waitFor(p, (x) => x.error !== '', null, 10000, 'the error');
    expect(bad.error.includes('tour') && !bad.error.includes('\n') && bad.tour.step === 5, `error "${bad.error}", step ${bad.tour.step}`);
    expect(await p.evaluate(() => window.gradscope.setConfig('tour=0')) === '', 'end the tour');
    await p.evaluate(() => window.gradscope.train('pause'));
    return seen.join(', ');
  });

  // Each paper preset: listed in Why with its link, and its button (clicked as a person would)
  // sets that link's configuration over the defaults, shows the preset's view and starts it
  // (training plays, the critical experiment runs; the cliff's paths start from the README's
  // point). Each is paused at once: only what the click sets is checked, not the results.
  await step('presets: every paper preset is listed with its link, and its button sets that configuration, its view and starts it', async () => {
    // no tour step shown (a preset ends it, and its box above the views would move the buttons)
    expect(await p.evaluate(() => window.gradscope.setConfig('tour=0')) === '', 'end the tour');
    await focus('presets');
    await waitFrames(p, 3);
    const s = await state(p);
    expect(s.page === 'remedies' && s.why.includes('#cell=rnn-relu&init=identity'), `Why: ${s.why.slice(0, 120)}`);
    await p.screenshot({ path: path.join(args.out, 'desktop-presets.png') });
    expect(!s.training.playing && !s.critical.running, 'something runs before the presets');
    // Why lists "name (source): #link", one line per preset, in the buttons' order
    const listed = s.why.split('\n').filter((l) => l.includes('): #'));
    expect(s.presets.length >= 8 && listed.length === s.presets.length &&
           listed.every((l, i) => l.startsWith(`${s.presets[i].name} (`)),
           `${s.presets.length} presets (${s.presets.map((x) => x.name).join('; ')}), Why lists ${listed.join('; ')}`);
    // Clicked as a person would, a frame between the steps (ImGui 1.86 needs the button hovered
    // the frame before; web/main.cpp holds a press back a frame anyway). The frames are counted in
    // the page (requestAnimationFrame, which runs the app's frames), not by polling getState(),
    // whose JSON of every result is large to carry.
    const frames = (n) => p.evaluate((k) => new Promise((done) => {
      let left = k;
      const tick = () => (--left <= 0 ? done() : requestAnimationFrame(tick));
      requestAnimationFrame(tick);
    }), n);
    const rects = s.presets.map((x) => x.rect);
    const seen = [];
    for (let i = 0; i < s.presets.length; i++) {
      const { name, view } = s.presets[i], link = listed[i].slice(listed[i].lastIndexOf('): #') + 4);
      await focus('presets');  // the presets' page again, the mouse over the button on its next frame
      await frames(2);
      // where the button is now (the page around it may have changed with the last preset)
      const [x, y, w, h] = await p.evaluate((k) => window.gradscope.getState().presets[k].rect, i);
      expect(w > 0 && h > 0 && x >= 0 && y >= 0 && x + w <= 1280 && y + h <= 800, `${name}: button at ${[x, y, w, h]}`);
      await p.mouse.move(x + w / 2, y + h / 2);
      await frames(1);
      await p.mouse.down();
      await frames(1);
      await p.mouse.up();
      const keys = link.startsWith('(') ? {} : Object.fromEntries(link.split('&').map((kv) => kv.split('=')));
      // polled for the fields needed only: the whole getState() of this page is large to carry
      let t;
      for (const start = Date.now(); ; await p.waitForTimeout(50)) {
        t = await p.evaluate(() => {
          const g = window.gradscope.getState();
          return { synced: g.synced, focus: g.focus, values: g.values, error: g.error, cliff: { start: g.cliff.start },
                   training: { playing: g.training.playing, iterations: g.training.iterations },
                   critical: { running: g.critical.running, progress: g.critical.progress } };
        });
        if (t.synced && t.focus === view) break;
        expect(Date.now() - start < 20000, `${name}: its view ${view} not shown after 20 s (focus ${t.focus})`);
      }
      await p.evaluate(() => { window.gradscope.train('pause'); window.gradscope.critical('stop'); });
      const wrong = Object.keys(defaults).filter((k) => {
        const want = k in keys ? keys[k] : defaults[k];
        return !(t.values[k] === want || (want !== '' && Number(t.values[k]) === Number(want)));
      });
      expect(t.error === '' && wrong.length === 0 && Object.keys(keys).every((k) => k in t.values),
             `${name}: link #${link}, page has ${wrong.map((k) => `${k}=${t.values[k]}`).join('&')} (error "${t.error}")`);
      // started: playing, or already past its first iterations (the exploding presets, T = 10,
      // can diverge or finish their 600 iterations before the state is read)
      if (view === 'training') {
        expect(t.training.playing || t.training.iterations > 0, `${name}: training not started (${t.training.iterations} iterations)`);
      }
      if (view === 'critical') expect(t.critical.running || t.critical.progress > 0, `${name}: the experiment not started`);
      if (view === 'cliff') expect(t.cliff.start[0] === 6 && t.cliff.start[1] === -3.4, `${name}: paths from ${t.cliff.start}`);
      seen.push(`${name} -> ${view}`);
    }
    const end = await waitFor(p, (x) => x.synced && !x.training.playing && !x.critical.running, null, 10000, 'paused');
    expect(JSON.stringify(end.presets.map((x) => x.rect)) === JSON.stringify(rects), `the buttons moved: ${end.presets.map((x) => x.rect)}`);
    return `${seen.length} presets: ${seen.join('; ')}`;
  });

  await step('what fixes it: no console errors or page errors', async () => {
    expect(errors.length === 0, errors.join('; '));
  });
  await context.close();
});
