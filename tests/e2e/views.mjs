#!/usr/bin/env node
// Browser end-to-end tests, views: every view has its numbers, Download CSV / Save PNG / Copy link / Licences work, training plays, pauses, steps and resets, and an exploding run shows overflow and divergence.
// One area per file, one CTest test each (browser_views); tests/e2e/harness.mjs serves dist/,
// launches Chromium and counts the checks.
//
//   node tests/e2e/views.mjs [--dist DIR] [--out DIR] [--chromium PATH] [--cli PATH]
import fs from 'node:fs';
import path from 'node:path';
import { args, runArea, check, step, expect, openPage, state, waitFrames, waitFor, waitDone, configure,
         canvasContent, decodePng, colourStats, DEFAULT_HIDDEN } from './harness.mjs';
import { cliFlags, runCli, execCli, Worst, halfUnitSignificant, firstDifference,
         findTabBar } from './compare.mjs';

await runArea(async ({ browser, base }) => {
  // --- views with content, live training, screenshots for people at 1280 x 800 ---
  const views = await openPage(browser, base, { width: 1280, height: 800 });
  // Every view's numbers in getState(), at the defaults once everything is computed: present,
  // of the configured sizes, and finite where a number belongs (null where a quantity is exactly
  // zero, as number_format.h encodes it); then each view in focus explains itself in Why.
  await step('desktop: every view has its numbers (getState, finite where they should be) and its Why; the heatmaps are drawn', async () => {
    const s = await waitFor(views.page, (x) => x.done && x.why_it_vanishes.done && x.trainability.done && x.cliff.done &&
                            x.truncation.done, null, 120000, 'every view computed');
    const v = s.values, cells = v.cell.split(','), lengths = v.lengths.split(','), T = Number(v.length);
    const finite = (x) => typeof x === 'number' && Number.isFinite(x);
    const allFinite = (a, n, what) => expect(Array.isArray(a) && a.length === n && a.every(finite),
                                             `${what}: ${Array.isArray(a) ? `${a.length} values (${n} wanted), ${a.filter((x) => !finite(x)).length} not finite numbers, e.g. ${a.find((x) => !finite(x))}` : a}`);
    const sameCells = (list, what) => expect(list.map((c) => c.cell).join(',') === v.cell, `${what}: cells ${list.map((c) => c.cell)}`);
    const numbers = {
      decay: () => {
        sameCells(s.decay.cells, 'decay');
        for (const c of s.decay.cells) {
          expect(c.done && c.log10_grad_norm_h.length === Number(v.seeds), `decay ${c.cell}: done ${c.done}, ${c.log10_grad_norm_h.length} seeds`);
          for (const a of [c.median, ...c.log10_grad_norm_h]) {
            expect(a.length === T && a.every((x) => x === null || finite(x)), `decay ${c.cell}: ${a.length} values, not all finite or null`);
          }
          expect(c.median.filter(finite).length > T / 2, `decay ${c.cell}: mostly exactly zero`);
        }
        return `${cells.length} x ${T} steps`;
      },
      sweep: () => {
        expect(s.sweep.done && s.sweep.points.length === cells.length * lengths.length, `${s.sweep.points.length} sweep points`);
        for (const q of s.sweep.points) allFinite([q.mean_log10_ratio, q.stddev, q.min, q.max], 4, `sweep ${q.cell} T=${q.length}`);
        return `${s.sweep.points.length} points`;
      },
      heatmap: () => {
        const hm = s.views.heatmap;
        expect(hm.rendered && hm.cells.length === cells.length &&
               hm.cells.every((c) => c.rendered && c.width > 0 && c.height > 0), `heatmap ${JSON.stringify(hm.cells)}`);
        allFinite(hm.range, 2, 'heatmap range');
        expect(hm.range[0] < hm.range[1], `heatmap range ${hm.range}`);
        return hm.cells.map((x) => `${x.width}x${x.height}`).join(', ');
      },
      training: () => {  // before Play: no iterations, each cell's chance loss
        sameCells(s.training.cells, 'training');
        expect(s.training.iterations === 0 && s.training.cells.every((c) => c.loss.length === 0), `training ran: ${s.training.iterations}`);
        allFinite(s.training.cells.map((c) => c.chance_loss), cells.length, 'chance losses');
        return 'chance losses';
      },
      why: () => 'the text',
      spectra: () => {
        sameCells(s.why_it_vanishes.cells, 'spectra');
        for (const c of s.why_it_vanishes.cells) {
          const size = (c.cell === 'lstm' ? 2 : 1) * Number(v.hidden);
          allFinite(c.lyapunov_exponents, size, `${c.cell} Lyapunov exponents`);
          expect(c.sv_steps.length > 0, `${c.cell}: no sampled steps`);
          allFinite(c.sv1, c.sv_steps.length, `${c.cell} largest singular values`);
          expect(c.sv1.every((x) => x > 0), `${c.cell}: a largest singular value <= 0`);
          expect(finite(c.decay_log10_per_step), `${c.cell} decay slope ${c.decay_log10_per_step}`);
        }
        return 'exponents, singular values, slopes';
      },
      saturation: () => {
        for (const c of s.why_it_vanishes.cells) {
          expect(c.saturation.length > 0, `${c.cell}: no saturation series`);
          for (const q of c.saturation) {
            expect(q.steps.length === T, `${c.cell} ${q.name}: ${q.steps.length} steps`);
            for (const stat of q.name === 'dead_share' ? ['mean'] : ['mean', 'q25', 'median', 'q75']) {
              allFinite(q[stat], T, `${c.cell} ${q.name} ${stat}`);
              expect(q[stat].every((x) => x >= 0 && x <= 1), `${c.cell} ${q.name} ${stat} outside [0, 1]`);
            }
          }
        }
        return s.why_it_vanishes.cells.map((c) => `${c.cell} ${c.saturation.length} series`).join(', ');
      },
      lagsplit: () => {
        for (const c of s.why_it_vanishes.cells) {
          const m = c.lag_log10_term.mean;
          // step 1's term is exactly zero (h_0 = 0): not a number (getState writes it "overflow",
          // numbers.mjs); every later step's is one
          expect(m.length === T && typeof m[0] !== 'number', `${c.cell} lag term at t=1: ${m[0]}`);
          allFinite(m.slice(1), T - 1, `${c.cell} lag terms`);
          expect(finite(c.lag_log10_total) && c.share_above.length > 0 &&
                 c.share_above.every((x) => finite(x.log10_share) && x.log10_share <= 0), `${c.cell} shares ${JSON.stringify(c.share_above)}`);
        }
        return 'terms, shares';
      },
      trainability: () => {
        const t = s.trainability, n = t.scales.length * t.lengths.length;
        sameCells(t.cells, 'trainability');
        expect(t.done && n === 144, `map ${t.scales.length} x ${t.lengths.length}`);
        for (const c of t.cells) {
          allFinite(c.log10_ratio, n, `${c.cell} log10 ratios`);
          allFinite(c.lyapunov_max, n, `${c.cell} largest exponents`);
          expect(finite(c.edge_of_chaos), `${c.cell} edge of chaos ${c.edge_of_chaos}`);
        }
        return `${t.cells.length} x ${n} points`;
      },
      critical: () => {  // before Run: what will run, nothing run
        const c = s.critical;
        expect(c.runs_total === cells.length * lengths.length * Number(v.seeds) && c.runs.length === 0 && !c.running &&
               c.cells.length === cells.length && c.cells.every((x) => x.shares.length === lengths.length && x.shares.every((q) => q.done === 0)),
               `critical ${JSON.stringify(c).slice(0, 160)}`);
        return `${c.runs_total} runs to go`;
      },
      cliff: () => {
        const c = s.cliff, n = c.w.length * c.b.length;
        expect(c.done && n > 1000, `cliff grid ${c.w.length} x ${c.b.length}`);
        for (const k of ['loss', 'grad_w', 'grad_b']) allFinite(c[k], n, `cliff ${k}`);
        expect(c.plain.w.length > 1 && c.clipped.w.length > 1, 'no descent paths');
        allFinite(c.clipped.loss, c.clipped.w.length, 'the clipped path\'s losses');
        return `${n} grid points, paths of ${c.plain.w.length} and ${c.clipped.w.length}`;
      },
      truncation: () => {
        sameCells(s.truncation.cells, 'truncation');
        for (const c of s.truncation.cells) {
          allFinite(c.cosine, T, `${c.cell} cosines`);
          expect(c.cosine.every((x) => x >= -1 - 1e-12 && x <= 1 + 1e-12) && Math.abs(c.cosine[T - 1] - 1) < 1e-6,
                 `${c.cell}: cosines outside [-1, 1] or k = T not 1 (${c.cosine[T - 1]})`);
        }
        return `${s.truncation.cells.length} x ${T} cosines`;
      },
      presets: () => {
        expect(s.presets.length >= 8 && s.presets.every((x) => x.name && x.view), `presets ${JSON.stringify(s.presets).slice(0, 120)}`);
        return `${s.presets.length} presets`;
      },
    };
    const seen = [];
    for (const [view, check] of Object.entries(numbers)) {
      const what = check();
      // focus() applies at once; only the two fields are brought back (getState() is large here)
      const t = await views.page.evaluate((f) => {
        const err = window.gradscope.focus(f), g = window.gradscope.getState();
        return { err, focus: g.focus, why: g.why };
      }, view);
      expect(t.err === '', `focus(${view}) returned "${t.err}"`);
      expect(t.focus === view && t.why.length > 40 && /\d/.test(t.why) && !/\b(NaN|nan|inf)\b|Computing/.test(t.why),
             `${view}: focus ${t.focus}, Why "${t.why.slice(0, 120)}"`);
      seen.push(`${view}: ${what}`);
    }
    await views.page.evaluate(() => window.gradscope.focus('decay'));
    const c = await canvasContent(views.page, path.join(args.out, 'desktop-1280x800.png'));
    expect(c.distinct >= 1000 && c.topShare < 0.8, `${c.distinct} colours, top ${(c.topShare * 100).toFixed(1)}%`);
    return `${seen.join('; ')}; ${c.distinct} colours`;
  });

  // The share buttons, clicked as a person would (move, then press): Download CSV saves the
  // numbers of the view in focus, Save PNG the canvas, Copy link the address with its hash.
  await step('desktop: Download CSV, Save PNG and Copy link give the numbers, the picture, the link', async () => {
    const p = views.page;
    await views.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const s = await waitDone(p);
    const click = async (rect) => {
      const [x, y, w, h] = rect;
      await p.mouse.move(x + w / 2, y + h / 2);
      await waitFrames(p, 2);
      await p.mouse.down();
      await waitFrames(p, 2);
      await p.mouse.up();
    };
    const download = async (rect) => {
      const [d] = await Promise.all([p.waitForEvent('download', { timeout: 20000 }), click(rect)]);
      return { name: d.suggestedFilename(), bytes: fs.readFileSync(await d.path()) };
    };
    expect(await p.evaluate(() => window.gradscope.focus('sweep')) === '', 'focus(sweep)');
    const csv = await download(s.share_rects.download_csv);
    const lines = csv.bytes.toString().trim().split('\n');
    expect(csv.name === 'gradscope-sweep.csv', `file name ${csv.name}`);
    expect(lines[0] === 'cell,length,mean_log10_ratio,stddev,min,max,seeds,sequences', `header ${lines[0]}`);
    expect(lines.length - 1 === s.sweep.points.length, `${lines.length - 1} rows, ${s.sweep.points.length} points`);
    const first = s.sweep.points[0], row = lines[1].split(',');
    expect(row[0] === first.cell && Number(row[1]) === first.length &&
           Math.abs(Number(row[2]) - first.mean_log10_ratio) <= 1e-9 * Math.abs(first.mean_log10_ratio),
           `first row ${lines[1]} vs ${JSON.stringify(first)}`);
    expect(await p.evaluate(() => window.gradscope.csv()) === csv.bytes.toString(), 'csv() differs from the download');
    const png = await download(s.share_rects.save_png);
    expect(png.name === 'gradscope.png' && png.bytes.subarray(1, 4).toString() === 'PNG' && png.bytes.length > 20000,
           `${png.name}: ${png.bytes.length} bytes`);
    const stats = colourStats(decodePng(png.bytes));
    expect(stats.distinct >= 1000, `saved PNG has ${stats.distinct} colours`);
    await click(s.share_rects.copy_link);
    const t = await waitFor(p, (x) => x.notice !== '', null, 10000, 'the clipboard notice');
    const copied = await p.evaluate(() => navigator.clipboard.readText());
    const href = await p.evaluate(() => location.href);
    expect(copied === href && copied.includes('#cell='), `clipboard "${copied}", page ${href}, notice "${t.notice}"`);
    await p.evaluate(() => window.gradscope.focus('decay'));
    return `${csv.name} ${lines.length - 1} rows; ${png.name} ${png.bytes.length} bytes, ${stats.distinct} colours; ` +
           `link ${copied.length} chars`;
  });

  await step('desktop: the Licences button opens the notices of the software the site embeds', async () => {
    const p = views.page;
    const [x, y, w, h] = (await state(p)).notices_rect;
    expect(w > 0 && h > 0 && y + h <= 800, `button at ${x},${y} ${w}x${h}`);
    await p.mouse.move(x + w / 2, y + h / 2);
    await waitFrames(p, 2);
    const [tab] = await Promise.all([views.context.waitForEvent('page', { timeout: 10000 }),
                                     (async () => { await p.mouse.down(); await waitFrames(p, 2); await p.mouse.up(); })()]);
    await tab.waitForLoadState();
    const text = await tab.evaluate(() => document.body.innerText);
    expect(tab.url().endsWith('/THIRD_PARTY_NOTICES.txt'), `opened ${tab.url()}`);
    const wanted = ['Dear ImGui', 'SDL', 'zlib', 'nlohmann', 'Mozilla Public License', 'Open Font License',
                    'Emscripten'];
    const missing = wanted.filter((wd) => !text.includes(wd));
    expect(missing.length === 0, `the notices lack ${missing.join(', ')}`);
    await tab.close();
    return `${tab.url().split('/').pop()}, ${text.length} characters`;
  });

  await step('desktop: training plays, pauses, steps by one and resets', async () => {
    const p = views.page;
    const train = (a) => p.evaluate((x) => window.gradscope.train(x), a);
    const maxBefore = (await state(p)).work_ms_max;
    expect(await train('play') === '', 'play');
    const a = await waitFor(p, (s) => s.training.iterations >= 20, null, 60000, '20 iterations');
    expect(a.training.playing, 'not playing');
    // cells train in lockstep: state.training.iterations is the fewest, one cell may be 1 ahead
    const lockstep = (t) => t.cells.every((c) => c.loss.length >= t.iterations && c.loss.length <= t.iterations + 1 &&
      c.grad_norm.length === c.loss.length && c.accuracy.length === c.loss.length && c.loss.every(Number.isFinite));
    const n = a.training.iterations;
    expect(lockstep(a.training), `arrays ${a.training.cells.map((c) => c.loss.length)} for ${n} iterations`);
    const b = await waitFor(p, (s) => s.training.iterations >= n + 5, null, 30000, 'more iterations');
    expect(lockstep(b.training), `arrays ${b.training.cells.map((c) => c.loss.length)} for ${b.training.iterations}` +
           ' iterations: the loss arrays do not grow with the iterations');
    // the rate is measured over windows of a second
    const r = await waitFor(p, (s) => s.training.iterations_per_second > 0 || !s.training.playing, null, 30000, 'a rate');
    expect(r.training.iterations_per_second > 0, `${r.training.iterations_per_second} iterations/s`);
    // on to ~100 iterations for the screenshot (fewer if this machine is slow)
    const c = await waitFor(p, (s) => s.training.iterations >= 100, null, 45000, '100 iterations').catch(() => null);
    const playing = await state(p), rate = playing.training.iterations_per_second;
    // reported, not checked: the frame budget is checked below on a long decay computation
    const trainWork = playing.work_ms_max > maxBefore ? `worst frame's work ${playing.work_ms_max.toFixed(1)} ms`
                                                      : `no frame's work above ${maxBefore.toFixed(1)} ms`;
    expect(await train('pause') === '', 'pause');
    // the worker may have sent an iteration or two before it got the message
    const atPause = await waitFor(p, (s) => s.synced && !s.training.playing, null, 10000, 'the pause');
    const paused = atPause.training.iterations;
    const lengths = (t) => t.cells.map((x) => x.loss.length).join(',');
    await waitFrames(p, 5);
    const still = await state(p);
    expect(!still.training.playing && still.training.iterations === paused && lengths(still.training) === lengths(atPause.training),
           `paused at ${paused} (${lengths(atPause.training)}), now ${still.training.iterations} ` +
           `(${lengths(still.training)}, playing ${still.training.playing})`);
    await p.evaluate(() => window.gradscope.focus('training'));
    await waitFrames(p, 3);
    const shot = colourStats(decodePng(await p.screenshot({ path: path.join(args.out, 'desktop-training-1280x800.png') })));
    expect(shot.distinct >= 1000, `${shot.distinct} colours`);
    const why = (await state(p)).why;
    expect(/train|loss/i.test(why), `Why in training focus: "${why.slice(0, 80)}"`);
    expect(await train('step') === '', 'step');
    await waitFor(p, (s) => s.synced && s.training.iterations !== paused, null, 10000, 'the step');
    await waitFrames(p, 5);
    const stepped = await state(p);
    expect(stepped.training.iterations === paused + 1 && stepped.training.cells.every((x) => x.loss.length === paused + 1),
           `step: ${paused} -> ${stepped.training.iterations}`);
    expect(await train('reset') === '', 'reset');
    const reset = await waitFor(p, (s) => s.synced, null, 10000, 'the reset');
    expect(reset.training.iterations === 0 && reset.training.cells.every((x) => x.loss.length === 0),
           `after reset ${reset.training.iterations} iterations`);
    expect(views.errors.length === 0, views.errors.join('; '));
    return `${paused} iterations (${c ? '' : 'not 100 in time, '}${rate.toFixed(1)} iterations/s, ${trainWork}), ` +
           `step ${paused} -> ${paused + 1}, reset -> 0`;
  });
  // --- exploding configurations: overflow and divergence are shown as such, never as zero ---
  await step('desktop: an exploding configuration shows overflow and divergence, with their steps', async () => {
    const p = views.page;
    let s = await configure(p, 'cell=rnn-relu,lstm&scale=100&length=300&lengths=10,100&seeds=1&seed=1&init=uniform', 60000);
    const relu = s.decay.cells.find((c) => c.cell === 'rnn-relu');
    expect(relu.overflow_step > 1 && relu.overflow.startsWith(`the forward pass overflowed at step ${relu.overflow_step}:`),
           `overflow_step ${relu.overflow_step}, "${relu.overflow}"`);
    expect(relu.log10_grad_norm_h[0].every((v) => v === 'overflow'), 'the curve is not all "overflow"');
    const point = s.sweep.points.find((q) => q.cell === 'rnn-relu' && q.length === 100);
    expect(point.mean_log10_ratio === 'overflow' && point.stddev === 'overflow', `sweep point ${JSON.stringify(point)}`);
    expect(await p.evaluate(() => window.gradscope.focus('decay')) === '', 'focus');
    s = await state(p);
    expect(s.why.includes('overflowed at step'), `Why: "${s.why.slice(0, 120)}"`);
    const csv = await p.evaluate(() => window.gradscope.csv());
    expect(csv.includes('rnn-relu,1,1,299,overflow,0\n'), `decay CSV: ${csv.split('\n').slice(0, 3).join(' | ')}`);
    await waitFrames(p, 3);
    await p.screenshot({ path: path.join(args.out, 'desktop-overflow.png') });

    await configure(p, 'cell=rnn-relu,gru&scale=1&length=50&optimizer=sgd&lr=10&clip=0', 60000);
    expect(await p.evaluate(() => window.gradscope.train('play')) === '', 'play');
    s = await waitFor(p, (x) => x.training.cells.some((c) => c.diverged_at > 0), null, 30000, 'a divergence');
    const diverged = s.training.cells.find((c) => c.diverged_at > 0);
    const i = diverged.diverged_at;
    expect(diverged.divergence.includes('try clip=1') && diverged.loss.length === i &&
           diverged.loss[i - 1] === 'overflow' && diverged.skipped[i - 1] === true,
           `${diverged.cell}: diverged_at ${i}, "${diverged.divergence}", last loss ${diverged.loss[i - 1]}`);
    await p.evaluate(() => window.gradscope.focus('training'));
    s = await state(p);
    expect(s.why.includes(`diverged at iteration ${i}`), `Why: "${s.why.slice(0, 160)}"`);
    await waitFrames(p, 3);
    await p.screenshot({ path: path.join(args.out, 'desktop-diverged.png') });
    expect(views.errors.length === 0, views.errors.join('; '));
    return `${relu.overflow}; ${diverged.cell} diverged at iteration ${i}: ${diverged.divergence}`;
  });

  await views.context.close();
});
