#!/usr/bin/env node
// Browser end-to-end test, own_model (issue 12): the committed fixture
// tests/reference/fixtures/weights/lstm_small.safetensors (an LSTM trained by PyTorch on the adding
// task) loaded through the page's file input gives the numbers the CLI prints with --weights
// (decay, sweep, and the Why page's spectrum, lagsplit, trainability); bad files give one line
// and change nothing; Download model writes a file the CLI reads back to the same curve (also
// after training in the page, and for drawn models); Copy link warns that the weights are not in
// it; a dropped file loads too; Clear returns to the drawn models. One CTest test
// (browser_own_model); tests/e2e/harness.mjs serves dist/.
//
//   node tests/e2e/own_model.mjs [--dist DIR] [--out DIR] [--chromium PATH] [--cli PATH]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliFlags, runCli, execCli, Worst, halfUnitSignificant, compareTrainability } from './compare.mjs';
import { args, runArea, step, expect, openPage, state, waitFor, waitFrames } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURE = path.resolve(here, '..', 'reference', 'fixtures', 'weights', 'lstm_small.safetensors');
const TWO_LAYERS = path.resolve(here, '..', 'reference', 'fixtures', 'weights', 'lstm_f32.safetensors');

// The keys that shape drawn weights: with --weights the CLI refuses them (the file has the weights).
const DRAWN_ONLY = { init: null, scale: null, radius: null, forget_bias: null, chrono: null,
                     r_min: null, r_max: null, max_phase: null };

await runArea(async ({ browser, base }) => {
  const p = await openPage(browser, base, { width: 1280, height: 800 });
  const page = p.page;
  await p.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const loaded = (name) => waitFor(page, (s, n) => s.model.loaded && s.model.name === n && s.done &&
                                   s.decay.cells.length === 1 && s.decay.cells[0].done, name, 60000,
                                   `${name} loaded and computed`);
  const click = async (rect) => {
    const [x, y, w, h] = rect;
    expect(w > 0 && h > 0, `button at ${rect}`);
    await page.mouse.move(x + w / 2, y + h / 2);
    await waitFrames(page, 2);
    await page.mouse.down();
    await waitFrames(page, 2);
    await page.mouse.up();
  };
  const downloadModel = async (rect, file) => {
    const [d] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), click(rect)]);
    fs.copyFileSync(await d.path(), file);
    return d.suggestedFilename();
  };
  // The page's decay curves (every seed) against `decay --weights file` per seed.
  const compareDecay = (s, weights, worst) => {
    const v = s.values, c = s.decay.cells[0];
    let steps = 0;
    for (let k = 0; k < Number(v.seeds); k++) {
      const seed = c.first_seed + k;
      const csv = runCli(args.cli, 'decay', [...cliFlags(v, { ...DRAWN_ONLY, seed, seeds: null }), '--weights', weights]);
      const curve = c.log10_grad_norm_h[k];
      expect(curve.length === csv.rows.length, `seed ${seed}: page ${curve.length} steps, CLI ${csv.rows.length}`);
      csv.rows.forEach(([tt, , text], i) => worst.compare(curve[i], text, `seed ${seed} t=${tt}`, halfUnitSignificant(text, 10)));
      steps += curve.length;
    }
    expect(!worst.failure(), worst.failure());
    return steps;
  };
  let before = null;

  try {
    await step('own model: the file input loads lstm_small.safetensors; the badge, the config and the hash follow', async () => {
      before = await waitFor(page, (s) => s.done, null, 60000, 'state.done');
      await page.setInputFiles('#model-file', FIXTURE);
      const s = await loaded('lstm_small.safetensors');
      const m = s.model;
      expect(m.error === '' && m.cell === 'lstm' && m.hidden === 16 && m.input_size === 2 && m.output_size === 1 &&
             m.precision === 'f32', `model ${JSON.stringify(m)}`);
      expect(/LSTM, hidden 16, inputs 2, readout of 1 output/.test(m.badge) && m.rects.badge[2] > 0, `badge "${m.badge}" at ${m.rects.badge}`);
      expect(s.values.cell === 'lstm' && s.values.hidden === '16' && s.error === '', `config ${s.config}, error ${s.error}`);
      const hash = await page.evaluate(() => location.hash);
      expect(hash.endsWith('&model=local'), `hash ${hash}`);
      expect(/^Your model, lstm_small\.safetensors/.test(s.why), `why "${s.why.slice(0, 80)}"`);
      // the readout's quoted name does not end the sentence (it read "... 'readout.'.")
      expect(s.why.includes("Seed gradient: through the readout 'readout.', the task loss (adding) at the last step.") &&
             !s.why.includes("'."), `why "${s.why.slice(0, 400)}"`);
      await waitFrames(page, 3);
      await page.screenshot({ path: path.join(args.out, 'desktop-own-model.png') });
      return m.badge;
    });

    for (const [precision, worst] of [['f32', new Worst(0, 1e-4)], ['f64', new Worst(1e-9, 1e-12)]]) {
      await step(`own model: page = CLI decay --weights, precision=${precision}, 2 seeds`, async () => {
        expect(await page.evaluate((pr) => window.gradscope.setConfig(`length=120&seeds=2&precision=${pr}`), precision) === '',
               'setConfig');
        const s = await waitFor(page, (x) => x.done && x.values.precision === precision, null, 60000, 'done');
        const steps = compareDecay(s, FIXTURE, worst);
        return `${steps} steps; ${worst.summary()}`;
      });
    }

    await step('own model: page = CLI sweep --weights (f64)', async () => {
      const s = await waitFor(page, (x) => x.done, null, 60000, 'done');
      const csv = runCli(args.cli, 'sweep', [...cliFlags(s.values, DRAWN_ONLY), '--weights', FIXTURE]);
      expect(s.sweep.points.length === csv.rows.length && csv.rows.length > 0, `page ${s.sweep.points.length}, CLI ${csv.rows.length}`);
      const w = new Worst(1e-9, 0);
      csv.rows.forEach(([cell, length, mean, sd]) => {
        const q = s.sweep.points.find((x) => x.cell === cell && x.length === Number(length));
        expect(q, `no page point for ${cell} T=${length}`);
        w.compare(q.mean_log10_ratio, mean, `T=${length} mean`, halfUnitSignificant(mean, 10));
        w.compare(q.stddev, sd, `T=${length} stddev`, halfUnitSignificant(sd, 10));
      });
      expect(!w.failure(), w.failure());
      return `${csv.rows.length} points; ${w.summary()}`;
    });

    // The "why it vanishes" page follows the model too: spectrum, lagsplit, trainability --weights.
    await step('own model: page = CLI spectrum, lagsplit and trainability --weights (the Why page)', async () => {
      const s = await waitFor(page, (x) => x.done && x.why_it_vanishes.done && x.trainability.done, null, 180000,
                              'the why page');
      const v = s.values, w = new Worst(1e-9, 1e-12);
      let values = 0;
      const c = s.why_it_vanishes.cells[0];
      expect(s.why_it_vanishes.cells.length === 1 && c.cell === 'lstm', `cells ${s.why_it_vanishes.cells.map((x) => x.cell)}`);
      const flags = [...cliFlags(v, { ...DRAWN_ONLY, seeds: null, sequences: null }), '--weights', FIXTURE];
      const line = execCli(args.cli, 'spectrum', flags).split('\n').find((l) => l.startsWith('# lyapunov_exponents='));
      const cli = line.slice('# lyapunov_exponents='.length).split(',');
      expect(cli.length === c.lyapunov_exponents.length, `${cli.length} exponents, page ${c.lyapunov_exponents.length}`);
      cli.forEach((x, i) => { w.compare(c.lyapunov_exponents[i], x, `lambda_${i + 1}`, halfUnitSignificant(x, 10)); values++; });
      const above = execCli(args.cli, 'lagsplit', [...flags, '--above', '10']).split('\n')
        .find((l) => l.startsWith('# share_above_lag_10='));
      const log10Share = above.split(' ').find((x) => x.startsWith('log10_share_above_lag_10=')).split('=')[1];
      w.compare(c.share_above.find((x) => x.lag === 10).log10_share, log10Share, 'log10 share above lag 10',
                halfUnitSignificant(log10Share, 10));
      values++;
      const map = runCli(args.cli, 'trainability',
                         [...cliFlags(v, { ...DRAWN_ONLY, seeds: null, sequences: null, lengths: null }), '--weights', FIXTURE]);
      expect(s.trainability.cells.length === 1 && s.trainability.cells[0].cell === 'lstm',
             `trainability cells ${s.trainability.cells.map((x) => x.cell)}`);
      // log10_ratio and lyapunov_max of every point whose forward pass is not chaotic (compare.mjs):
      // measured, all 144 (the largest lambda_max T is 5.3)
      const tr = compareTrainability(s.trainability, map, w, { minCompared: 130 });
      values += 2 * tr.compared;
      expect(!w.failure(), w.failure());
      return `${values} values (trainability: both numbers of ${tr.compared} of ${tr.points} points); ${w.summary()}`;
    });

    // Truncated BPTT starts where training does: from the loaded model (truncation --weights).
    await step('own model: page = CLI truncation --weights (the cosines from the loaded model)', async () => {
      await page.evaluate(() => window.gradscope.focus('truncation'));
      const s = await waitFor(page, (x) => x.truncation.done, null, 60000, 'the truncation cosines');
      const c = s.truncation.cells[0], w = new Worst(1e-9, 1e-12);
      expect(s.truncation.cells.length === 1 && c.cell === 'lstm', `cells ${s.truncation.cells.map((x) => x.cell)}`);
      const csv = runCli(args.cli, 'truncation', [...cliFlags(s.values, { ...DRAWN_ONLY, tour: null }), '--weights', FIXTURE]);
      const drawn = runCli(args.cli, 'truncation', cliFlags(s.values, { tour: null }));
      expect(csv.rows.length === c.cosine.length, `CLI ${csv.rows.length} k, page ${c.cosine.length}`);
      csv.rows.forEach(([k, cos], i) => w.compare(c.cosine[i], cos, `k=${k}`, halfUnitSignificant(cos, 10)));
      expect(!w.failure(), w.failure());
      expect(drawn.rows.some(([, cos], i) => Number(cos) !== Number(csv.rows[i][1])), 'the drawn LSTM gives the same cosines');
      expect(!s.why.includes('not used here'), `Why: ${s.why.slice(-120)}`);
      await page.evaluate(() => window.gradscope.focus('decay'));
      return `${csv.rows.length} cosines; cos at k=5 ${c.cosine[4]}; ${w.summary()}`;
    });

    const bad = [
      ['not-a-model.safetensors', Buffer.from('this is not a weights file at all, just text\n'), /not-a-model\.safetensors/],
      ['truncated.safetensors', fs.readFileSync(FIXTURE).subarray(0, 200), /truncated\.safetensors/],
    ];
    for (const [name, bytes, pattern] of bad) {
      await step(`own model: a bad file (${name}) gives one line and changes nothing`, async () => {
        const s0 = await state(page);
        await page.setInputFiles('#model-file', { name, mimeType: 'application/octet-stream', buffer: bytes });
        const s = await waitFor(page, (x, n) => x.model.error.includes(n), name, 20000, 'the message');
        expect(pattern.test(s.model.error) && !s.model.error.includes('\n'), `message "${s.model.error}"`);
        expect(s.model.loaded && s.model.name === 'lstm_small.safetensors' && s.config === s0.config,
               `changed: ${s.model.name}, ${s.config}`);
        await waitFrames(page, 3);
        const s2 = await state(page);
        expect(JSON.stringify(s2.decay.cells) === JSON.stringify(s0.decay.cells), 'the curves changed');
        if (name === 'truncated.safetensors') await page.screenshot({ path: path.join(args.out, 'desktop-own-model-bad-file.png') });
        return s.model.error;
      });
    }

    await step('own model: Copy link warns that the link does not carry the weights', async () => {
      const s = await state(page);
      await click(s.share_rects.copy_link);
      const t2 = await waitFor(page, (x) => /local file/.test(x.notice), null, 10000, 'the warning');
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied.includes('model=local'), `clipboard ${copied}`);
      return t2.notice;
    });

    await step('own model: Download model saves it; the CLI reads it back to the page\'s curve', async () => {
      const s = await waitFor(page, (x) => x.done, null, 60000, 'done');
      const file = path.join(args.out, 'own-model-download.safetensors');
      const name = await downloadModel(s.model.rects.download, file);
      expect(name === 'lstm_small.safetensors', `file name ${name}`);
      const worst = new Worst(1e-9, 1e-12);
      const steps = compareDecay(s, file, worst);
      return `${name}, ${fs.statSync(file).size} bytes; ${steps} steps; ${worst.summary()}`;
    });

    await step('own model: trained in the page, downloaded, loaded again: page = CLI decay --weights on that file', async () => {
      expect(await page.evaluate(() => window.gradscope.setConfig('iters=3&batch=8&length=40&seeds=1')) === '', 'setConfig');
      await waitFor(page, (x) => x.done, null, 60000, 'done');
      expect(await page.evaluate(() => window.gradscope.train('play')) === '', 'train');
      const s = await waitFor(page, (x) => x.training.iterations >= 3, null, 60000, '3 iterations');
      const file = path.join(args.out, 'lstm_small-trained-3.safetensors');  // the name the page gives
      const name = await downloadModel(s.model.rects.download, file);
      expect(name === path.basename(file), `file name ${name}`);
      const fixtureCurve = runCli(args.cli, 'decay', [...cliFlags(s.values, DRAWN_ONLY), '--weights', FIXTURE]).rows;
      const trainedCurve = runCli(args.cli, 'decay', [...cliFlags(s.values, DRAWN_ONLY), '--weights', file]).rows;
      expect(fixtureCurve.some((r, i) => r[2] !== trainedCurve[i][2]), 'training changed nothing');
      await page.setInputFiles('#model-file', file);
      const s2 = await loaded(name);
      const worst = new Worst(1e-9, 1e-12);
      const steps = compareDecay(s2, file, worst);
      return `${steps} steps; ${worst.summary()}`;
    });

    await step('own model: a file dropped on the page loads as from the file input', async () => {
      const bytes = fs.readFileSync(FIXTURE).toString('base64');
      await page.evaluate((b64) => {
        const raw = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([raw], 'dropped.safetensors'));
        const canvas = document.getElementById('canvas'), cue = document.getElementById('drop-cue');
        const shown = () => !cue.hidden && getComputedStyle(cue).display !== 'none';
        const seen = [shown()];  // before, while dragged over, after leaving, over again, dropped
        canvas.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        seen.push(shown());
        canvas.dispatchEvent(new DragEvent('dragleave', { dataTransfer: dt, bubbles: true, relatedTarget: null }));
        seen.push(shown());
        canvas.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        seen.push(shown());
        canvas.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        seen.push(shown());
        window.gradscopeDropCue = seen.join(',');
      }, bytes);
      const cue = await page.evaluate(() => window.gradscopeDropCue);
      expect(cue === 'false,true,false,true,false', `the drop cue shown (before, over, left, over, dropped): ${cue}`);
      const s = await loaded('dropped.safetensors');
      expect(s.model.cell === 'lstm' && s.model.hidden === 16, `model ${JSON.stringify(s.model)}`);
      return s.model.badge;
    });

    // A 2-layer LSTM (torch.nn.LSTM(num_layers=2) under encoder.lstm., readout head.): layer 0 is
    // read first; the picker reads layer 1, probed alone (its inputs: the 8 the page draws).
    await step('own model: a file of two layers: layer 0 first, then layer 1 picked; page = CLI --prefix --layer', async () => {
      await page.setInputFiles('#model-file', TWO_LAYERS);
      let s = await loaded('lstm_f32.safetensors');
      expect(JSON.stringify(s.model.layers) === JSON.stringify(['layer 0 of encoder.lstm.', 'layer 1 of encoder.lstm.']) &&
             s.model.layer === 0 && s.model.rects.layer[2] > 0, `layers ${JSON.stringify(s.model.layers)}, read ${s.model.layer}, picker at ${s.model.rects.layer}`);
      const worst = new Worst(0, 1e-4);  // float32, as the f32 step above
      const flags = (layer) => ['--prefix', 'encoder.lstm.', '--layer', String(layer)];
      const compare = (st, layer) => {
        const c = st.decay.cells[0], v = st.values;
        const csv = runCli(args.cli, 'decay', [...cliFlags(v, { ...DRAWN_ONLY, seeds: null }), '--weights', TWO_LAYERS, ...flags(layer)]);
        expect(c.log10_grad_norm_h[0].length === csv.rows.length, `layer ${layer}: ${c.log10_grad_norm_h[0].length} steps, CLI ${csv.rows.length}`);
        csv.rows.forEach(([tt, , text], i) => worst.compare(c.log10_grad_norm_h[0][i], text, `layer ${layer} t=${tt}`, halfUnitSignificant(text, 10)));
      };
      compare(s, 0);
      const inputs0 = s.model.input_size;
      expect(await page.evaluate(() => window.gradscope.chooseModelLayer('x')) !== '', 'chooseModelLayer("x") was taken');
      expect(/^chooseModelLayer: 2 is no layer: the file has 2 \(0\.\.1\)$/.test(await page.evaluate(() => window.gradscope.chooseModelLayer(2))), 'chooseModelLayer(2) was taken');
      expect(await page.evaluate(() => window.gradscope.chooseModelLayer(1)) === '', 'chooseModelLayer(1) refused');
      s = await waitFor(page, (x) => x.model.layer === 1 && x.done && x.decay.cells.length === 1 && x.decay.cells[0].done,
                        null, 60000, 'layer 1 computed');
      expect(s.model.input_size === 8 && inputs0 !== 8, `layer 1 reads ${s.model.input_size} inputs (layer 0: ${inputs0})`);
      compare(s, 1);
      expect(!worst.failure(), worst.failure());
      return `layer 0 (inputs ${inputs0}) and layer 1 (inputs ${s.model.input_size}): ${worst.summary()}`;
    });

    // Checkpoints in the reference implementations' own names (make_weight_fixtures.py): the
    // page reads each, its curve is the CLI's, and Why speaks of that cell.
    for (const [file, cell, label, article, why] of [
      ['mingru_f32.safetensors', 'mingru', 'minGRU', 'a', 'minGRU: there is no W_hh.'],
      ['minlstm_f32.safetensors', 'minlstm', 'minLSTM', 'a', 'minLSTM: there is no W_hh.'],
      ['lru_f32.safetensors', 'lru', 'LRU', 'an', 'LRU: there is no W_hh and no gate.'],
    ]) {
      await step(`own model: ${article} ${label} checkpoint in its reference code's names loads; page = CLI`, async () => {
        const weights = path.resolve(here, '..', 'reference', 'fixtures', 'weights', file);
        await page.setInputFiles('#model-file', weights);
        const s = await loaded(file);
        const c = s.decay.cells[0];
        expect(s.model.error === '' && s.model.cell === cell && c.cell === cell, `model ${JSON.stringify(s.model)}`);
        expect(new RegExp(`^${label}, hidden `).test(s.model.badge), `badge "${s.model.badge}"`);
        const csv = runCli(args.cli, 'decay', [...cliFlags(s.values, { ...DRAWN_ONLY, seeds: null }), '--weights', weights]);
        const worst = new Worst(0, 1e-4);  // float32, as the f32 steps above
        expect(c.log10_grad_norm_h[0].length === csv.rows.length, `${c.log10_grad_norm_h[0].length} steps, CLI ${csv.rows.length}`);
        csv.rows.forEach(([tt, , text], i) => worst.compare(c.log10_grad_norm_h[0][i], text, `t=${tt}`, halfUnitSignificant(text, 10)));
        expect(!worst.failure(), worst.failure());
        expect(s.why.includes(why), `why "${s.why.slice(0, 600)}"`);
        return `${s.model.badge}; ${csv.rows.length} steps, ${worst.summary()}`;
      });
    }

    await step('own model: Clear returns to the drawn models and the configuration from before', async () => {
      const s = await state(page);
      await click(s.model.rects.clear);
      const s2 = await waitFor(page, (x) => !x.model.loaded && x.done, null, 60000, 'cleared');
      expect(s2.config === before.config, `config ${s2.config} vs ${before.config}`);
      const hash = await page.evaluate(() => location.hash);
      expect(!hash.includes('model=local'), `hash ${hash}`);
      expect(s2.decay.cells.length === before.decay.cells.length, `${s2.decay.cells.length} cells`);
      return `${s2.decay.cells.length} cells again`;
    });

    await step('own model: Download model without a file saves the drawn models; the CLI reads each back', async () => {
      const s = await waitFor(page, (x) => x.done, null, 60000, 'done');
      const cells = s.values.cell.split(',');
      const name = `gradscope-${cells.join('-')}.safetensors`;
      const file = path.join(args.out, name);
      expect(await downloadModel(s.model.rects.download, file) === name, `file name, wanted ${name}`);
      const worst = new Worst(0, 1e-4);  // float32, as the page's default precision
      for (const c of s.decay.cells) {
        const csv = runCli(args.cli, 'decay', [...cliFlags(s.values, { ...DRAWN_ONLY, cell: null, seeds: null }),
                                               '--weights', file, '--prefix', `${c.cell}.rnn.`]);
        const curve = c.log10_grad_norm_h[0];
        expect(curve.length === csv.rows.length, `${c.cell}: page ${curve.length}, CLI ${csv.rows.length}`);
        csv.rows.forEach(([tt, , text], i) => worst.compare(curve[i], text, `${c.cell} t=${tt}`, halfUnitSignificant(text, 10)));
      }
      expect(!worst.failure(), worst.failure());
      return `${name}: ${cells.length} models; ${worst.summary()}`;
    });

    await step('own model: no console errors or page errors', async () => {
      expect(p.errors.length === 0, p.errors.join('; '));
    });
  } finally {
    await p.context.close();
  }

  await step('own model: a link with model=local but no model says so, and shows drawn models', async () => {
    const q = await openPage(browser, `${base}#cell=lstm&hidden=16&model=local`, { width: 1280, height: 800 });
    try {
      const s = await waitFor(q.page, (x) => x.done, null, 60000, 'done');
      expect(s.model.link_without_model && !s.model.loaded && s.error === '' && s.values.hidden === '16',
             `model ${JSON.stringify(s.model)}, error ${s.error}`);
      expect(q.errors.length === 0, q.errors.join('; '));
    } finally {
      await q.context.close();
    }
  });
});
