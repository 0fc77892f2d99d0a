#!/usr/bin/env node
// Browser end-to-end tests, phone: a phone-sized page: HiDPI drawing buffer, every tab of the tab bar, touch taps.
// One area per file, one CTest test each (browser_phone); tests/e2e/harness.mjs serves dist/,
// launches Chromium and counts the checks.
//
//   node tests/e2e/phone.mjs [--dist DIR] [--out DIR] [--chromium PATH] [--cli PATH]
import fs from 'node:fs';
import path from 'node:path';
import { args, runArea, check, step, expect, openPage, state, waitFrames, waitFor, waitDone, configure,
         canvasContent, decodePng, colourStats, DEFAULT_HIDDEN } from './harness.mjs';
import { cliFlags, runCli, execCli, Worst, halfUnitSignificant, firstDifference,
         findTabBar } from './compare.mjs';

await runArea(async ({ browser, base }) => {
  let phone = null;
  await step('phone: HiDPI drawing buffer, real content, no errors', async () => {
    const p = await openPage(browser, base, { width: 390, height: 844 },
                             { deviceScaleFactor: 3, isMobile: true, hasTouch: true });
    const s = await state(p.page);
    expect(s.dpr === 3, `dpr ${s.dpr}`);
    expect(s.drawable[0] === 390 * 3 && s.drawable[1] === 844 * 3, `drawing buffer ${s.drawable}`);
    const c = await canvasContent(p.page, path.join(args.out, 'phone-390x844@3x.png'));
    expect(c.distinct >= 200 && c.topShare < 0.9, `${c.distinct} colours, top ${(c.topShare * 100).toFixed(1)}%`);
    expect(p.errors.length === 0, p.errors.join('; '));
    phone = p;
    return `${s.drawable[0]}x${s.drawable[1]} px, ${c.distinct} colours`;
  });

  // The phone layout is a tab bar (no tab in getState): found in the screenshot, each tab
  // clicked in turn and saved as phone-tab<N>.png; each must have content and differ.
  await step('phone: every tab of the tab bar shows its own content (screenshots phone-tab<N>.png)', async () => {
    expect(phone, 'no phone page');
    const { page: pp } = phone;
    await waitDone(pp);
    await waitFrames(pp, 3);
    const tabs = findTabBar(decodePng(await pp.screenshot()), 3, 5);
    expect(tabs.length >= 4, `found ${tabs.length} tabs`);
    const shots = [], stats = [];
    for (const [i, t] of tabs.entries()) {
      // as a real mouse: over the tab first, then the click (a press in the same frame as the
      // jump lands on the previously hovered tab; see the touch step below)
      await pp.mouse.move(t.x, t.y);
      await waitFrames(pp, 1);
      await pp.mouse.click(t.x, t.y);
      await waitFrames(pp, 3);
      const png = decodePng(await pp.screenshot({ path: path.join(args.out, `phone-tab${i + 1}.png`) }));
      const c = colourStats(png);
      expect(c.distinct >= 100 && c.topShare < 0.95, `tab ${i + 1}: ${c.distinct} colours, top ${(c.topShare * 100).toFixed(1)}%`);
      // what is under the tab bar (the tab bar itself changes with the hover and the selection)
      shots.push(png.px.subarray(Math.round((t.y + 20) * 3) * png.width * png.bpp));
      stats.push(c.distinct);
    }
    for (let i = 1; i < shots.length; i++) {
      expect(!shots[i].equals(shots[i - 1]), `under the tab bar, tab ${i + 1} looks exactly like tab ${i}: the click did not switch`);
    }
    expect(phone.errors.length === 0, phone.errors.join('; '));
    return `${tabs.length} tabs at x=${tabs.map((t) => t.x.toFixed(0)).join(',')} y=${tabs[0].y.toFixed(0)}; ` +
           `colours ${stats.join(', ')}`;
  });
  // A finger, not a mouse: touchStart/touchEnd through CDP (as a phone's browser sends them),
  // held a few frames. Each tap on another tab must switch to it at once.
  await step('phone: one tap on a tab switches to it (touch events)', async () => {
    expect(phone, 'no phone page');
    const { page: pp, context } = phone;
    const tabs = findTabBar(decodePng(await pp.screenshot()), 3, 5);
    expect(tabs.length >= 4, `found ${tabs.length} tabs`);
    const cdp = await context.newCDPSession(pp);
    const tap = async (t) => {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: t.x, y: t.y }] });
      await waitFrames(pp, 2);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await waitFrames(pp, 3);
      return (await state(pp)).focus;
    };
    // the first four tabs are views (they set the focus); tap them in an order that always moves
    const order = [2, 0, 3, 1];
    const seen = [], missed = [];
    for (const i of order) {
      const before = (await state(pp)).focus, after = await tap(tabs[i]);
      seen.push(`tab ${i + 1} -> ${after}`);
      if (after !== before) continue;
      const again = missed.length ? '' : (await tap(tabs[i])) !== before ? '; a second tap switched' : '; so did a second';
      missed.push(`tab ${i + 1} (still ${after}${again})`);
    }
    expect(missed.length === 0, `${missed.length} of ${order.length} taps did not switch: ${missed.join(', ')}`);
    return seen.join(', ');
  });

  // What fixes it on a phone, by finger: each of its tabs, then a paper preset in the Tour tab,
  // which sets its configuration up and brings its own view's tab forward.
  await step('phone: What fixes it: every tab by touch, and a preset brings its view forward', async () => {
    expect(phone, 'no phone page');
    const { page: pp, context } = phone;
    const cdp = await context.newCDPSession(pp);
    const tap = async (x, y) => {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
      await waitFrames(pp, 2);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await waitFrames(pp, 3);
      return state(pp);
    };
    await pp.evaluate(() => window.gradscope.focus('critical'));
    await waitFrames(pp, 3);
    let s = await state(pp);
    expect(s.page === 'remedies' && s.phone_tab === 'critical', `focus('critical'): page ${s.page}, tab ${s.phone_tab}`);
    const tabs = findTabBar(decodePng(await pp.screenshot()), 3, 5);
    expect(tabs.length >= 4, `found ${tabs.length} tabs`);
    const views = ['critical', 'cliff', 'truncation', 'presets'], seen = [];
    for (const i of [1, 3, 2, 0, 3]) {  // each tab, every tap a switch, the Tour tab last
      s = await tap(tabs[i].x, tabs[i].y);
      seen.push(s.phone_tab);
      expect(s.phone_tab === views[i] && s.focus === views[i],
             `tab ${i + 1}: shows ${s.phone_tab}, focus ${s.focus}, not ${views[i]}`);
    }
    const preset = s.presets.find((p) => p.view === 'cliff');
    expect(preset, `no preset that shows the cliff: ${s.presets.map((p) => p.name).join(', ')}`);
    const [x, y, w, h] = preset.rect;
    expect(w > 0 && h > 0 && y + h <= 844, `the "${preset.name}" button is at ${preset.rect}, not on the screen`);
    s = await tap(x + w / 2, y + h / 2);
    s = await waitFor(pp, (t) => t.phone_tab === 'cliff' && t.cliff.done, null, 30000, 'the cliff tab after the preset');
    expect(s.focus === 'cliff' && s.page === 'remedies', `after "${preset.name}": focus ${s.focus}, page ${s.page}`);
    expect(phone.errors.length === 0, phone.errors.join('; '));
    return `tabs ${seen.join(', ')}; "${preset.name}" -> tab ${s.phone_tab}, start (${s.cliff.start})`;
  });
  if (phone) await phone.context.close();
});
