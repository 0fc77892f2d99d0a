#!/usr/bin/env node
// Browser end-to-end tests, basics: the page loads with WebGL2 and real content, typing and setConfig and the hash apply a configuration, hovering reads out a value, and nothing is logged as an error.
// One area per file, one CTest test each (browser_basics); tests/e2e/harness.mjs serves dist/,
// launches Chromium and counts the checks.
//
//   node tests/e2e/basics.mjs [--dist DIR] [--out DIR] [--chromium PATH] [--cli PATH]
import fs from 'node:fs';
import path from 'node:path';
import { args, runArea, check, step, expect, openPage, state, waitFrames, waitFor, waitDone, configure,
         canvasContent, decodePng, colourStats, DEFAULT_HIDDEN } from './harness.mjs';
import { cliFlags, runCli, execCli, Worst, halfUnitSignificant, firstDifference,
         findTabBar } from './compare.mjs';

await runArea(async ({ browser, base }) => {
  // --- desktop, 1280 x 800 ---
  let desktop;
  await step('desktop: page loads and window.gradscope.getState() answers', async () => {
    desktop = await openPage(browser, base, { width: 1280, height: 800 });
    const s = await state(desktop.page);
    expect(s.ready === true, 'not ready');
    expect(typeof s.config === 'string' && s.config.includes('hidden='), `config: ${s.config}`);
    expect(s.error === '', `error at start: ${s.error}`);
    return `config ${s.config.length} chars`;
  });
  if (!desktop) throw new Error('the page did not load; later steps would only repeat that');
  const { page } = desktop;

  await step('desktop: WebGL2 really in use', async () => {
    await waitDone(page);  // the heatmaps are drawn once the worker's curves are in
    await waitFrames(page, 2);
    const s = await state(page);
    const canvasGl2 = await page.evaluate(() => !!document.getElementById('canvas').getContext('webgl2'));
    expect(s.webgl2 && /WebGL 2/.test(s.gl_version), `GL_VERSION "${s.gl_version}"`);
    expect(canvasGl2, 'the canvas has no webgl2 context');
    expect(s.shader_log === '', `shader errors: ${s.shader_log}`);
    expect(s.views.heatmap.rendered, 'the heatmap was not rendered by the colormap shader');
    return s.gl_version;
  });

  await step('desktop: canvas shows real content (not blank, not one colour)', async () => {
    await waitDone(page);
    const c = await canvasContent(page, path.join(args.out, 'desktop-1280x800.png'));
    expect(c.distinct >= 200 && c.topShare < 0.9, `${c.distinct} colours, top ${(c.topShare * 100).toFixed(1)}%`);
    return `${c.distinct} colours, most common ${(c.topShare * 100).toFixed(1)}%`;
  });

  // Real input: click the configuration field and type (keyboard events reach SDL only from
  // the canvas, SDL_HINT_EMSCRIPTEN_KEYBOARD_ELEMENT).
  await step('desktop: typing into the configuration field applies it', async () => {
    const [x, y, w, h] = (await state(page)).edit_rect;
    expect(w > 0 && h > 0, `field at ${x},${y} ${w}x${h}`);
    await page.mouse.click(x + w / 2, y + h / 2);
    await waitFrames(page, 2);
    await page.keyboard.type('seed=5', { delay: 30 });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.gradscope.getState().values.seed === '5', null, { timeout: 10000 });
    const hash = await page.evaluate(() => location.hash);
    expect(hash.includes('seed=5'), `hash ${hash}`);
  });

  // A quick Enter (pressed and released within one frame) must not be lost, and the field must
  // not move when an error message appears (it is drawn below the field).
  await step('desktop: every quick Enter in the configuration field counts; errors do not move it', async () => {
    const before = (await state(page)).edit_rect;
    const [x, y, w, h] = before;
    const submit = async (text) => {
      await page.mouse.click(x + w / 2, y + h / 2);
      await waitFrames(page, 2);
      // Select all, held down across a frame as a hand would: ImGui 1.86 has no input queue, so a
      // chord pressed and released between two frames can be missed, and the text typed next
      // would be appended to the old one.
      await page.keyboard.down('Control');
      await page.keyboard.down('a');
      await waitFrames(page, 1);
      await page.keyboard.up('a');
      await page.keyboard.up('Control');
      await page.keyboard.type(text, { delay: 20 });
      await page.keyboard.press('Enter');
    };
    await submit('hidden=0');
    const bad = await waitFor(page, (s) => s.error.includes('hidden=0'), null, 5000, 'the error for hidden=0');
    expect(JSON.stringify(bad.edit_rect) === JSON.stringify(before),
           `the field moved from ${before} to ${bad.edit_rect} when the error appeared`);
    for (const seed of [6, 7, 8, 9, 10]) {
      await submit(`seed=${seed}`);
      await waitFor(page, (s, v) => s.values.seed === String(v) && s.error === '', seed, 5000, `seed=${seed} applied`);
    }
    return '1 error and 5 quick submissions, all applied in place';
  });

  await step('desktop: setConfig with a good value changes the state and the hash', async () => {
    const err = await page.evaluate(() => window.gradscope.setConfig('cell=lstm&hidden=64'));
    expect(err === '', `setConfig returned "${err}"`);
    const s = await state(page);
    const hash = await page.evaluate(() => location.hash);
    expect(s.values.hidden === '64' && s.values.cell === 'lstm', `config ${s.config}`);
    expect(hash.includes('hidden=64') && hash.includes('cell=lstm'), `hash ${hash}`);
    expect(s.error === '', `error ${s.error}`);
  });

  await step('desktop: setConfig with a bad value returns the error and keeps the config', async () => {
    const err = await page.evaluate(() => window.gradscope.setConfig('hidden=0'));
    const s = await state(page);
    expect(err.includes('hidden'), `setConfig returned "${err}"`);
    expect(s.values.hidden === '64', `config changed: ${s.config}`);
    expect(s.error.includes('hidden'), `state.error "${s.error}"`);
    return err;
  });

  await step('desktop: a typed hash is applied on hashchange', async () => {
    await page.evaluate(() => { location.hash = '#cell=gru&hidden=16'; });
    await page.waitForFunction(() => window.gradscope.getState().values.hidden === '16', null, { timeout: 10000 });
    const s = await state(page);
    expect(s.values.cell === 'gru' && s.error === '', `config ${s.config}, error ${s.error}`);
  });

  await step('desktop: a bad hash on hashchange shows an error, keeps the last good config', async () => {
    await page.evaluate(() => { location.hash = '#hidden=-5'; });
    await page.waitForFunction(() => window.gradscope.getState().error !== '', null, { timeout: 10000 });
    const s = await state(page);
    expect(s.values.hidden === '16', `config changed: ${s.config}`);
    await waitFrames(page, 3);
    await page.screenshot({ path: path.join(args.out, 'desktop-bad-hash.png') });
    return s.error;
  });

  // Frames keep coming and each reports the app's work. How fast (frames/s, the worst frame's
  // work) is measured by `make bench-page` (bench/page_bench.mjs), not asserted here: on a shared
  // machine under SwiftShader a timing says more about the load than about the page.
  await step('desktop: frames keep coming and each reports its work (timings: make bench-page)', async () => {
    const a = await state(page);
    await waitFrames(page, 10);  // fails after 20 s without 10 new frames: a hang, not a slow machine
    const b = await state(page);
    const timings = [b.work_ms, b.work_ms_max, b.frame_ms];
    expect(b.frame >= a.frame + 10, `frame ${a.frame} -> ${b.frame}`);
    expect(timings.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0) && b.work_ms_max >= b.work_ms,
           `work_ms ${b.work_ms}, work_ms_max ${b.work_ms_max}, frame_ms ${b.frame_ms}`);
    return `frame ${a.frame} -> ${b.frame}; reported, not checked: worst work ${b.work_ms_max.toFixed(1)} ms, ` +
           `last whole frame ${b.frame_ms.toFixed(0)} ms`;
  });

  // The read-out: under the mouse a plot draws a vertical crosshair over its whole height (white
  // at alpha 70), a marker on each curve and a tooltip with the values beside the mouse
  // (web/plot.cpp, hover and draw_tooltip). Two screenshots, the mouse first where nothing
  // reacts to it (the empty right end of the page bar), then over the decay plot; the page is
  // idle (every curve computed, nothing training), so what changed is what the hover drew.
  await step('desktop: hovering a plot draws the read-out: the crosshair and the tooltip (screenshot desktop-hover.png)', async () => {
    await waitDone(page);
    const [mx, my] = [600, 260];  // inside the decay plot at 1280 x 800 (its first tile)
    await page.mouse.move(1000, 18);
    await waitFrames(page, 3);
    const away = decodePng(await page.screenshot());
    await page.mouse.move(mx, my);
    await waitFrames(page, 3);
    const over = decodePng(await page.screenshot({ path: path.join(args.out, 'desktop-hover.png') }));
    expect(away.width === over.width && over.width === 1280 * (await state(page)).dpr, `screenshots ${away.width}, ${over.width} px wide`);
    const scale = over.width / 1280, at = (img, x, y) => (y * img.width + x) * img.bpp;
    const brighter = (x, y) => { const i = at(away, x, y), j = at(over, x, y);
      return (over.px[j] + over.px[j + 1] + over.px[j + 2]) - (away.px[i] + away.px[i + 1] + away.px[i + 2]); };
    const differs = (x, y) => { const i = at(away, x, y), j = at(over, x, y);
      return away.px[i] !== over.px[j] || away.px[i + 1] !== over.px[j + 1] || away.px[i + 2] !== over.px[j + 2]; };
    // the crosshair: the mouse's column brighter over the plot's height (measured: 288 rows of 800)
    const cx = Math.round(mx * scale);
    let crosshair = 0;
    for (let y = 0; y < over.height; y++) if (Math.max(brighter(cx - 1, y), brighter(cx, y), brighter(cx + 1, y)) >= 15) crosshair++;
    expect(crosshair >= 150 * scale, `the crosshair: ${crosshair} rows brighter in the mouse's column (at least ${150 * scale})`);
    // the tooltip: a box of text right of and below the mouse (measured: 265 x 50 CSS px)
    let tooltip = 0, outside = 0;
    const colours = new Set();
    for (let y = 0; y < over.height; y++) {
      for (let x = 0; x < over.width; x++) {
        if (!differs(x, y)) continue;
        const near = x >= (mx - 10) * scale && x <= (mx + 400) * scale && y >= 40 * scale && y <= (my + 150) * scale;
        if (!near) { outside++; continue; }
        if (x > (mx + 10) * scale && y >= my * scale) {
          tooltip++;
          const j = at(over, x, y);
          colours.add((over.px[j] << 16) | (over.px[j + 1] << 8) | over.px[j + 2]);
        }
      }
    }
    expect(tooltip >= 3000 * scale * scale && colours.size >= 20,
           `the tooltip: ${tooltip} pixels changed right of and below the mouse, ${colours.size} colours`);
    expect(outside === 0, `${outside} pixels changed away from the mouse: the page was not still`);
    return `crosshair over ${crosshair} rows, tooltip ${tooltip} pixels in ${colours.size} colours`;
  });

  await step('desktop: no console errors or page errors', async () => {
    expect(desktop.errors.length === 0, desktop.errors.join('; '));
  });
  await desktop.context.close();
});
