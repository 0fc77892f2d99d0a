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
  await step('desktop: every view has its numbers and the heatmaps are drawn', async () => {
    const s = await waitDone(views.page);
    const cells = s.values.cell.split(','), lengths = s.values.lengths.split(',');
    expect(s.decay.cells.length === cells.length && s.decay.cells.every((c) => c.done &&
           c.median.length === Number(s.values.length) && c.median.every((x) => x === null || Number.isFinite(x))),
           'decay curves missing or not finite');
    expect(s.sweep.points.length === cells.length * lengths.length, `${s.sweep.points.length} sweep points`);
    const hm = s.views.heatmap;
    expect(hm.rendered && hm.cells.length === cells.length &&
           hm.cells.every((c) => c.rendered && c.width > 0 && c.height > 0), `heatmap ${JSON.stringify(hm.cells)}`);
    const why = [];
    for (const f of ['decay', 'sweep', 'heatmap', 'training', 'why']) {
      const err = await views.page.evaluate((v) => window.gradscope.focus(v), f);
      expect(err === '', `focus(${f}) returned "${err}"`);
      const t = await state(views.page);
      expect(t.focus === f && t.why.length > 40, `focus ${t.focus}, why "${t.why}"`);
      why.push(t.why.length);
    }
    await views.page.evaluate(() => window.gradscope.focus('decay'));
    const c = await canvasContent(views.page, path.join(args.out, 'desktop-1280x800.png'));
    expect(c.distinct >= 1000 && c.topShare < 0.8, `${c.distinct} colours, top ${(c.topShare * 100).toFixed(1)}%`);
    return `${c.distinct} colours; heatmaps ${hm.cells.map((x) => `${x.width}x${x.height}`).join(', ')}; ` +
           `Why texts of ${why.join(', ')} chars`;
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
    let s = await configure(p, 'cell=rnn-relu,lstm&scale=100&length=300&lengths=10,100&seeds=1&init=uniform', 60000);
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
