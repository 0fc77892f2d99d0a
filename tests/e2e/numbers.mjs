#!/usr/bin/env node
// Browser end-to-end tests, numbers: the page's numbers equal the native CLI's for the same configuration: decay, sweep, training, and the Why page's analyses.
// One area per file, one CTest test each (browser_numbers); tests/e2e/harness.mjs serves dist/,
// launches Chromium and counts the checks.
//
//   node tests/e2e/numbers.mjs [--dist DIR] [--out DIR] [--chromium PATH] [--cli PATH]
import fs from 'node:fs';
import path from 'node:path';
import { args, runArea, check, step, expect, openPage, state, waitFrames, waitFor, waitDone, configure,
         canvasContent, decodePng, colourStats, DEFAULT_HIDDEN } from './harness.mjs';
import { cliFlags, runCli, execCli, Worst, halfUnitSignificant, firstDifference,
         findTabBar, compareTrainability } from './compare.mjs';

await runArea(async ({ browser, base }) => {
  // --- the page's numbers against the native CLI's: same configuration, same numbers ---
  const cmp = await openPage(browser, base, { width: 1280, height: 800 });
  // Decay curves: the CLI prints %.10g, so agreement is checked to 1e-9 relative (libm differs
  // between wasm and glibc) plus the CLI's rounding; 1e-12 absolute for values near 0.
  // In float64 the page (WebAssembly) and the CLI (native, with fused multiply-adds) agree to
  // the CLI's 10 printed digits; in float32, the default, to float32's rounding, about 1e-5 in
  // log10 (checked at 1e-4).
  const decayWorst = new Worst(1e-9, 1e-12);
  const DECAY_CONFIGS = [
    ['cell=rnn-tanh,lstm&task=copy&init=orthogonal&scale=1&hidden=16&length=60&seed=3&seeds=2&forget_bias=1' +
       '&precision=f64', decayWorst],
    ['cell=rnn-relu,gru&task=adding&init=identity&scale=0.95&hidden=24&length=200&seed=5&seeds=2&precision=f64',
     decayWorst],
    ['cell=rnn-tanh,lstm,gru&task=adding&hidden=32&length=1000&seed=2&seeds=1&precision=f32', new Worst(0, 1e-4)],
    ['cell=rnn-tanh,rnn-relu,lstm,gru&task=remember-first&init=xavier&scale=1.2&hidden=32&length=150&seed=11' +
      '&seeds=2&forget_bias=2&lengths=10,50,200&precision=f64', decayWorst],
    ['cell=mingru,minlstm,lru&task=adding&hidden=16&length=300&seed=4&seeds=2&r_min=0.5&max_phase=3' +
      '&precision=f64', decayWorst],
  ];
  for (const [text, overall] of DECAY_CONFIGS) {
    await step(`page = CLI, decay: ${text}`, async () => {
      const s = await configure(cmp.page, text, 60000);
      const v = s.values;
      for (const kv of text.split('&')) {  // the page took every key as given
        const [k, val] = kv.split('=');
        expect(v[k] === val || Number(v[k]) === Number(val), `${k}: page has ${v[k]}, set ${val}`);
      }
      const cells = v.cell.split(','), seeds = Number(v.seeds);
      expect(s.decay.cells.length === cells.length, `${s.decay.cells.length} curves for ${v.cell}`);
      const local = new Worst(overall.rel, overall.abs);
      let steps = 0, zeros = 0;
      for (const c of s.decay.cells) {
        expect(c.done && c.log10_grad_norm_h.length === seeds, `${c.cell}: done ${c.done}, ${c.log10_grad_norm_h.length} seeds`);
        for (let k = 0; k < seeds; k++) {
          const seed = c.first_seed + k;
          const csv = runCli(args.cli, 'decay', cliFlags(v, { cell: c.cell, seed, seeds: null }));
          expect(csv.header.join(',') === 't,lag,log10_grad_norm', `CLI header ${csv.header}`);
          const curve = c.log10_grad_norm_h[k];
          expect(curve.length === csv.rows.length, `${c.cell} seed ${seed}: page ${curve.length} steps, CLI ${csv.rows.length}`);
          csv.rows.forEach(([t, , text2], i) => {
            expect(Number(t) === i + 1, `CLI row ${i} has t=${t}`);
            for (const w of new Set([local, overall])) {
              w.compare(curve[i], text2, `${c.cell} seed ${seed} t=${t}`, halfUnitSignificant(text2, 10));
            }
            if (curve[i] === null) zeros++;
          });
          steps += curve.length;
        }
      }
      expect(!local.failure(), local.failure());
      return `${cells.length} cells x ${seeds} seeds, ${steps} steps (${zeros} exactly zero); ${local.summary()}`;
    });
  }
  check(`page = CLI, decay overall in float64: ${decayWorst.summary()}`, decayWorst.count > 0 && !decayWorst.failure(),
        decayWorst.where);

  // The sweep of the last configuration above (4 cells, 3 lengths, 2 seeds). The CLI prints
  // %.10g: agreement to its rounding.
  await step('page = CLI, length sweep', async () => {
    const s = await waitDone(cmp.page);
    const v = s.values;
    const csv = runCli(args.cli, 'sweep', cliFlags(v));
    expect(csv.header.join(',') === 'cell,length,mean_log10_ratio,stddev,min,max,seeds,sequences', `CLI header ${csv.header}`);
    expect(s.sweep.done && s.sweep.points.length === csv.rows.length,
           `page ${s.sweep.points.length} points (done ${s.sweep.done}), CLI ${csv.rows.length} rows`);
    const w = new Worst(1e-9, 0);
    csv.rows.forEach(([cell, length, mean, sd, min, max, seeds]) => {
      const p = s.sweep.points.find((q) => q.cell === cell && q.length === Number(length));
      expect(p, `no page point for ${cell} T=${length}`);
      expect(Number(seeds) === Number(v.seeds), `CLI used ${seeds} seeds, page ${v.seeds}`);
      w.compare(p.mean_log10_ratio, mean, `${cell} T=${length} mean`, halfUnitSignificant(mean, 10));
      w.compare(p.stddev, sd, `${cell} T=${length} stddev`, halfUnitSignificant(sd, 10));
      w.compare(p.min, min, `${cell} T=${length} min`, halfUnitSignificant(min, 10));
      w.compare(p.max, max, `${cell} T=${length} max`, halfUnitSignificant(max, 10));
    });
    expect(!w.failure(), w.failure());
    return `${csv.rows.length} points; ${w.summary()} (CLI prints 10 significant digits)`;
  });

  // Training's first iterations. The CLI prints loss and grad_norm with %.10g and accuracy with
  // %.6g. In float64 the page and the CLI agree to that rounding (and 1e-9 relative); in
  // float32, the default, to float32's tolerance: the browser has no fused multiply-add,
  // so the last bits of each product differ (1e-4 relative after 5 updates, and an accuracy
  // within one sequence of the batch of 16).
  for (const [precision, rel, accuracyTol] of [['f64', 1e-9, 0], ['f32', 1e-4, 1 / 16]]) {
    await step(`page = CLI, training (precision=${precision}): loss, grad_norm, accuracy of iterations 1..5`, async () => {
      await configure(cmp.page, 'cell=rnn-tanh,lstm,gru&task=adding&hidden=16&length=30&batch=16&seed=4' +
                                `&iters=5&init=uniform&scale=1&optimizer=adam&lr=0.01&clip=1&precision=${precision}`, 60000);
      const err = await cmp.page.evaluate(() => window.gradscope.train('play'));
      expect(err === '', `train('play') returned "${err}"`);
      const s = await waitFor(cmp.page, (t) => t.training.iterations >= 5, null, 60000, '5 iterations');
      await waitFrames(cmp.page, 3);
      const s2 = await state(cmp.page);
      expect(s2.training.iterations === 5, `ran on to ${s2.training.iterations} iterations with iters=5`);
      const csv = runCli(args.cli, 'train', cliFlags(s.values));
      expect(csv.header.slice(0, 6).join(',') === 'cell,iteration,loss,chance_loss,grad_norm,accuracy', `CLI header ${csv.header}`);
      const w = new Worst(rel, 0), accuracy = new Worst(0, accuracyTol);
      let rows = 0;
      for (const c of s2.training.cells) {
        const mine = csv.rows.filter((r) => r[0] === c.cell);
        expect(mine.length === 5, `${c.cell}: CLI printed ${mine.length} rows`);
        expect(c.loss.length === 5, `${c.cell}: page has ${c.loss.length} losses`);
        for (const [, it, loss, chance, gn, acc] of mine) {
          const i = Number(it) - 1, where = `${c.cell} iteration ${it}`;
          w.compare(c.loss[i], loss, `${where} loss`, halfUnitSignificant(loss, 10));
          w.compare(c.chance_loss, chance, `${where} chance_loss`, halfUnitSignificant(chance, 10));
          w.compare(c.grad_norm[i], gn, `${where} grad_norm`, halfUnitSignificant(gn, 10));
          accuracy.compare(c.accuracy[i], acc, `${where} accuracy`, halfUnitSignificant(acc, 6));
          rows++;
        }
      }
      expect(rows === 15, `${rows} rows compared`);
      expect(!w.failure(), w.failure());
      expect(!accuracy.failure(), accuracy.failure());
      return `${rows} rows; ${w.summary()} (CLI prints 10 significant digits)`;
    });
  }

  // The "why it vanishes" page: the same numbers as the CLI's spectrum, lagsplit, saturation and
  // trainability commands for the same configuration (float64: to the CLI's printed digits).
  // The ReLU RNN is there for its dead share (units exactly off).
  await step('page = CLI, why it vanishes: Lyapunov exponents, lag split, saturation (every series and quartile, ReLU\'s dead share), trainability', async () => {
    await configure(cmp.page, 'cell=rnn-tanh,rnn-relu,lstm,gru,lru&task=adding&hidden=12&length=60&seed=3&seeds=1&sequences=1' +
                              '&init=uniform&scale=1&precision=f64', 60000);
    const s = await waitFor(cmp.page, (t) => t.why_it_vanishes.done && t.trainability.done, null, 120000, 'the why page');
    const v = s.values, T = Number(v.length);
    const w = new Worst(1e-9, 1e-12);
    const everyStep = (steps, what) => expect(steps.length === T && steps.every((t, i) => t === i + 1),
                                              `${what}: steps ${steps.slice(0, 3)}..., ${steps.length} of ${T}`);
    // the page's CSV field as the page's value: '' exactly zero (null), overflow, or a number
    const fieldValue = (x) => (x === '' ? null : x === 'overflow' ? x : Number(x));
    expect(s.why_it_vanishes.cells.map((c) => c.cell).join(',') === v.cell, `why cells ${s.why_it_vanishes.cells.map((c) => c.cell)}`);
    // Exactly zero in log10 (-inf: a lag term at t = 1, where h_0 = 0; the exponent of a direction
    // a dead ReLU kills) is '' in the CLI and in the page's CSV, but getState() gives "overflow"
    // for it in lyapunov_exponents and lag_log10_term (web/bridge.cpp writes both with json_value,
    // not json_log10). So there getState's value must only not be a number, and its kind is checked
    // in the page's CSV of that view, which the page writes as the CLI does.
    const zeroInGetState = (page, text, where) => {
      if (text !== '') return false;
      expect(page === null, `${where}: page ${page}, CLI "" (exactly zero: null in getState)`);
      return true;
    };
    const viewCsv = async (view, header) => {
      expect(await cmp.page.evaluate((x) => window.gradscope.focus(x), view) === '', `focus(${view})`);
      const lines = (await cmp.page.evaluate(() => window.gradscope.csv())).trim().split('\n');
      expect(lines[0] === header, `${view} CSV header ${lines[0]}`);
      return lines.slice(1).map((l) => l.split(','));
    };
    const lagCsv = await viewCsv('lagsplit', 'cell,t,lag,log10_term_norm,log10_share');
    const spectraCsv = await viewCsv('spectra', 'cell,quantity,t,index,value');
    let values = 0, satSeries = 0, deadShare = '';
    for (const c of s.why_it_vanishes.cells) {
      const flags = cliFlags(v, { cell: c.cell, seeds: null, sequences: null });
      const spectrum = execCli(args.cli, 'spectrum', flags);
      const line = spectrum.split('\n').find((l) => l.startsWith('# lyapunov_exponents='));
      const cli = line.slice('# lyapunov_exponents='.length).split(',');
      expect(cli.length === c.lyapunov_exponents.length, `${c.cell}: ${cli.length} exponents, page ${c.lyapunov_exponents.length}`);
      const pageExponents = spectraCsv.filter((r) => r[0] === c.cell && r[1] === 'lyapunov_exponent');
      expect(pageExponents.length === cli.length, `${c.cell}: page CSV ${pageExponents.length} exponents, CLI ${cli.length}`);
      cli.forEach((x, i) => {
        const where = `${c.cell} lambda_${i + 1}`;
        if (!zeroInGetState(c.lyapunov_exponents[i], x, where)) w.compare(c.lyapunov_exponents[i], x, where, halfUnitSignificant(x, 10));
        w.compare(fieldValue(pageExponents[i][4]), x, `${where} (page CSV)`, halfUnitSignificant(x, 10));
        values += 2;
      });
      // the spectrum's last line: the measured decay slope and the theory beside it (Pascanu's
      // bound for the RNNs, the forget or update gate path for LSTM and GRU)
      const last = Object.fromEntries(spectrum.split('\n').find((l) => l.startsWith('# lyapunov_max_log10_per_step='))
        .slice(2).split(' ').map((kv) => kv.split('=')));
      const theory = [['decay_log10_per_step', c.decay_log10_per_step],
        ...(c.cell === 'lstm' ? [['forget_path_log10_per_step', c.keep_path_log10_per_step]]
          : c.cell === 'gru' ? [['update_path_log10_per_step', c.keep_path_log10_per_step]]
            : c.cell === 'lru' ? [['lambda_path_log10_per_step', c.keep_path_log10_per_step]]
              : [['pascanu_bound', c.pascanu_bound]])];
      for (const [key, mine] of theory) {
        expect(key in last, `${c.cell}: no ${key} in the CLI's spectrum line`);
        w.compare(mine, last[key], `${c.cell} ${key}`, halfUnitSignificant(last[key], 10));
        values++;
      }

      // The lag split: every step's term (log10 of its norm) and share, the total, the share above lag 10.
      const lag = execCli(args.cli, 'lagsplit', [...flags, '--above', '10']);
      const lagRows = lag.split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split(','));
      expect(lagRows.length === T, `${c.cell}: CLI lagsplit ${lagRows.length} rows`);
      const above = lag.split('\n').find((l) => l.startsWith('# share_above_lag_10='));
      const log10Share = above.split(' ').find((x) => x.startsWith('log10_share_above_lag_10=')).split('=')[1];
      const mine = c.share_above.find((x) => x.lag === 10);
      w.compare(mine.log10_share, log10Share, `${c.cell} log10 share above lag 10`, halfUnitSignificant(log10Share, 10));
      values++;
      const terms = c.lag_log10_term;
      everyStep(terms.steps, `${c.cell} lag terms`);
      lagRows.forEach(([t, , term]) => {
        const where = `${c.cell} lag term t=${t}`;
        if (!zeroInGetState(terms.mean[t - 1], term, where)) w.compare(terms.mean[t - 1], term, where, halfUnitSignificant(term, 10));
        values++;
      });
      const [, , termT, , shareT] = lagRows[T - 1];  // the total: any step's term over its share
      w.compare(c.lag_log10_total, String(Number(termT) - Number(shareT)), `${c.cell} lag total`,
                halfUnitSignificant(termT, 10) + halfUnitSignificant(shareT, 10));
      values++;
      const pageLag = lagCsv.filter((r) => r[0] === c.cell);
      expect(pageLag.length === T, `${c.cell}: page lag split CSV ${pageLag.length} rows`);
      pageLag.forEach(([, t, l, term, share], i) => {
        const [ct, cl, cterm, , cshare] = lagRows[i];
        expect(t === ct && l === cl, `${c.cell} lag split row ${i}: page t=${t} lag=${l}, CLI t=${ct} lag=${cl}`);
        w.compare(fieldValue(term), cterm, `${c.cell} lag split CSV t=${t} term`, halfUnitSignificant(cterm, 10));
        w.compare(fieldValue(share), cshare, `${c.cell} lag split CSV t=${t} log10 share`, halfUnitSignificant(cshare, 10));
        values += 2;
      });

      // Saturation: every series the CLI prints (its columns NAME_mean, _q25, _median, _q75), each
      // statistic at every step, and ReLU's dead_share.
      const sat = runCli(args.cli, 'saturation', flags);
      expect(sat.rows.length === T, `${c.cell}: CLI saturation ${sat.rows.length} rows`);
      const names = sat.header.filter((h) => h.endsWith('_mean') && sat.header.includes(h.replace(/_mean$/, '_q75')))
        .map((h) => h.replace(/_mean$/, ''));
      if (sat.header.includes('dead_share')) names.push('dead_share');
      const got = c.saturation.map((x) => x.name);
      expect(names.length > 0 && got.join(',') === names.join(','), `${c.cell}: page series ${got}, CLI ${names}`);
      for (const series of c.saturation) {
        everyStep(series.steps, `${c.cell} ${series.name}`);
        const stats = series.name === 'dead_share' ? [['mean', 'dead_share']]
          : ['mean', 'q25', 'median', 'q75'].map((x) => [x, `${series.name}_${x}`]);
        for (const [stat, column] of stats) {
          const col = sat.header.indexOf(column);
          expect(col > 0 && series[stat].length === T, `${c.cell}: ${column}: CLI column ${col}, page ${series[stat].length} values`);
          sat.rows.forEach((row) => {
            const t = Number(row[0]);
            w.compare(series[stat][t - 1], row[col], `${c.cell} ${column} t=${t}`, halfUnitSignificant(row[col], 10));
            values++;
          });
        }
        satSeries++;
      }
      if (c.cell === 'rnn-relu') {
        const dead = c.saturation.find((x) => x.name === 'dead_share');
        expect(dead && dead.mean.some((x) => x > 0), `rnn-relu: dead share ${dead && dead.mean.slice(0, 5)}`);
        deadShare = `rnn-relu dead share ${Math.min(...dead.mean).toFixed(2)}..${Math.max(...dead.mean).toFixed(2)}`;
      }
    }
    const map = runCli(args.cli, 'trainability', cliFlags(v, { seeds: null, sequences: null, lengths: null }));
    // measured: the numbers of 473 of the 576 points (rnn-tanh 136, rnn-relu 76, lstm 140, gru 121),
    // 11 ReLU points overflow (kind only), 92 lie above the edge of chaos
    const tr = compareTrainability(s.trainability, map, w, { minCompared: 400, minPerCell: 60 });
    values += 2 * tr.compared;
    expect(!w.failure(), w.failure());
    for (const view of ['spectra', 'saturation', 'lagsplit', 'trainability']) {
      expect(await cmp.page.evaluate((x) => window.gradscope.focus(x), view) === '', `focus(${view})`);
      const st = await state(cmp.page);
      expect(st.page === 'why' && st.why.length > 100 && !/Computing/.test(st.why), `${view}: Why "${st.why.slice(0, 80)}"`);
      const csv = await cmp.page.evaluate(() => window.gradscope.csv());
      expect(csv.split('\n').length > 10, `${view}: CSV of ${csv.split('\n').length} lines`);
    }
    await cmp.page.evaluate(() => window.gradscope.focus('decay'));
    return `${values} values (${satSeries} saturation series; ${deadShare}; trainability: both numbers of ${tr.compared} of ${tr.points} points (${tr.perCell}), ` +
           `${tr.skipped} above the edge of chaos); ${w.summary()} (${w.where})`;
  });

  await step('page = CLI, the new cells: eigenvalues of J_t, the curse of memory (closed forms, and its descent)', async () => {
    await configure(cmp.page, 'cell=lstm,minlstm,lru&task=adding&hidden=6&length=40&seed=3&precision=f64' +
                              '&teacher=0.999&rho=0.5&student=0.7&student_lr=0.05&student_iters=120', 60000);
    const s = await waitFor(cmp.page, (t) => t.why_it_vanishes.done && t.eigenvalues.cells.every((c) => c.done),
                            null, 120000, 'the eigenvalues');
    const v = s.values;
    await cmp.page.evaluate(() => window.gradscope.focus('eigenvalues'));
    expect((await state(cmp.page)).page === 'newcells', 'focus(eigenvalues) shows the new cells page');
    // the page's eigenvalues at its steps, against the CLI's export at every step, as multisets
    const rows = (await cmp.page.evaluate(() => window.gradscope.csv())).trim().split('\n');
    expect(rows[0] === 'cell,step,re,im', `eigenvalues CSV header ${rows[0]}`);
    let pairs = 0, worst = 0;
    for (const cell of v.cell.split(',')) {
      const file = path.join(args.out, `eigen-${cell}.json`);
      execCli(args.cli, 'spectrum', [...cliFlags(v, { cell, tour: null }), '--export', file]);
      const cli = JSON.parse(fs.readFileSync(file, 'utf8'));
      const info = s.eigenvalues.cells.find((c) => c.cell === cell);
      expect(info.steps.length >= 20 && info.steps.at(-1) === 40, `${cell}: eigenvalues at steps ${info.steps}`);
      for (const step of info.steps) {
        const mine = rows.slice(1).map((r) => r.split(',')).filter((f) => f[0] === cell && Number(f[1]) === step)
          .map((f) => [Number(f[2]), Number(f[3])]);
        const theirs = cli.step_eigenvalues[cli.singular_value_steps.indexOf(step)];
        expect(theirs && mine.length === theirs.length, `${cell} step ${step}: page ${mine.length}, CLI ${theirs && theirs.length} eigenvalues`);
        const left = theirs.map(([re, im]) => ({ re, im, used: false }));
        for (const [re, im] of mine) {
          let best = null, d = Infinity;
          for (const e of left) {
            const dd = Math.hypot(e.re - re, e.im - im);
            if (!e.used && dd < d) best = e, d = dd;
          }
          best.used = true;
          worst = Math.max(worst, d);
          pairs++;
        }
      }
    }
    expect(worst < 1e-9, `eigenvalues: worst distance ${worst}`);
    // The curse of memory. Its descent is the CLI's, value for value.
    await cmp.page.evaluate(() => window.gradscope.focus('learning'));
    const learning = (await cmp.page.evaluate(() => window.gradscope.csv())).trim().split('\n');
    const cliLearning = execCli(args.cli, 'memory-descent', cliFlags(v, { tour: null })).trim().split('\n')
      .filter((l) => !l.startsWith('#'));
    expect(learning.length === 122 && learning.length === cliLearning.length, `descent: page ${learning.length} rows, CLI ${cliLearning.length}`);
    expect(learning[0] === cliLearning[0], `descent header ${learning[0]}`);
    const w = new Worst(1e-12, 1e-300);
    learning.slice(1).forEach((row, i) => {
      const a = row.split(','), b = cliLearning[i + 1].split(',');
      a.forEach((x, j) => {
        expect((x === '') === (b[j] === ''), `descent row ${i} field ${j}: page '${x}', CLI '${b[j]}'`);
        if (x !== '') w.compare(Number(x), b[j], `descent row ${i} field ${j}`, 0);
      });
    });
    expect(!w.failure(), `descent: ${w.failure()}`);
    // The landscape: for white noise every column against its closed form; with rho = 0.5 the
    // CLI's at the grid's two ends.
    const landscape = async () => {
      await cmp.page.evaluate(() => window.gradscope.focus('landscape'));
      const text = (await cmp.page.evaluate(() => window.gradscope.csv())).trim().split('\n');
      expect(text[0] === 'lambda,loss,normalized_loss,sensitivity_plain,sensitivity_normalized,sensitivity_expexp', `landscape header ${text[0]}`);
      return text.slice(1).map((r) => r.split(',').map(Number));
    };
    const correlated = await landscape();
    const [lo, hi] = [correlated[0][0], correlated.at(-1)[0]];
    const ends = runCli(args.cli, 'memory', [...cliFlags(v, { tour: null }), '--lambda', `${lo}:${hi}:2`]);
    const closed = new Worst(1e-9, 0);
    [correlated[0], correlated.at(-1)].forEach((row, i) =>
      [1, 3, 4, 5].forEach((j, k) => closed.compare(row[j], ends.rows[i][[1, 2, 3, 4][k]], `rho=0.5 lambda=${row[0]} column ${j}`, 0)));
    await configure(cmp.page, 'teacher=0.99&rho=0', 60000);
    const white = await landscape();
    const t = 0.99;
    for (const [l, loss, normalized, plain, norm, expexp] of white) {
      if (Math.abs(l - t) < 1e-3) continue;  // the closed forms below cancel there
      const l2 = l * l, g = Math.sqrt((1 - l2) * (1 - t * t)), c = 1 - l * t;
      closed.compare(loss, String(1 / (1 - l2) + 1 / (1 - t * t) - 2 / c), `loss at ${l}`, 0);
      closed.compare(normalized, String(2 - 2 * g / c), `normalized loss at ${l}`, 0);
      closed.compare(plain, String((1 + l2) / (1 - l2) ** 3), `plain sensitivity at ${l}`, 0);
      closed.compare(norm, String((1 + l2) / (1 - l2) ** 2), `normalized sensitivity at ${l}`, 0);
      closed.compare(expexp, String(l2 * Math.log(l) ** 2 * (1 + l2) / (1 - l2) ** 2), `expexp sensitivity at ${l}`, 0);
    }
    expect(!closed.failure(), `landscape: ${closed.failure()}`);
    await cmp.page.evaluate(() => window.gradscope.focus('decay'));
    return `${pairs} eigenvalues to ${worst.toExponential(1)}; descent ${w.summary()}; landscape ${closed.summary()} over ${white.length} lambdas`;
  });

  await step('page = CLI pages: no console errors or page errors', async () => {
    expect(cmp.errors.length === 0, cmp.errors.join('; '));
  });
  await cmp.context.close();
});
