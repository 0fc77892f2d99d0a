// Helpers for the browser end-to-end tests (tests/e2e/<area>.mjs): running the native CLI on the page's
// configuration and comparing its CSV with the page's numbers, finding the phone tab bar in a
// screenshot, and sampling the app's work per frame.
import { execFileSync } from 'node:child_process';

// ------------------------------------------------------------------------------------------------
// The native CLI
// ------------------------------------------------------------------------------------------------

// CLI flags for the page's canonical configuration (state.values: key -> value string), with
// `override` applied last; a key whose override is null is left out.
export function cliFlags(values, override = {}) {
  const all = { ...values, ...override };
  const flags = [];
  for (const [key, value] of Object.entries(all)) {
    if (value === null || value === undefined) continue;
    flags.push(`--${key}`, String(value));
  }
  return flags;
}

// Runs `cli command flags...` and returns what it printed. Throws with the CLI's stderr on a
// non-zero exit.
export function execCli(cli, command, flags) {
  try {
    return execFileSync(cli, [command, ...flags], { encoding: 'utf8', maxBuffer: 256 << 20,
                                                    stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`${cli} ${command} ${flags.join(' ')}: ${(e.stderr || e.message).trim()}`);
  }
}

// The same, as CSV: { header: [...], rows: [[field, ...], ...] } ('#' comment lines dropped).
export function runCli(cli, command, flags) {
  const out = execCli(cli, command, flags);
  const lines = out.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

// ------------------------------------------------------------------------------------------------
// Comparing numbers
// ------------------------------------------------------------------------------------------------

// Tracks the worst difference over many comparisons. A page value (double) is compared with the
// CLI's printed text: `rel` is the relative tolerance, `abs` an absolute floor for values near 0
// and `printed(text)` the rounding of the printed form (half a unit in its last printed digit),
// so that a CLI printing fewer digits than the tolerance is not blamed for its rounding.
export class Worst {
  constructor(rel, abs = 0) { this.rel = rel; this.abs = abs; this.worstRel = 0; this.where = ''; this.count = 0; this.bad = []; }
  // page: number or null (exactly-zero gradient); text: the CLI's field ('' where exactly zero)
  compare(page, text, where, printedHalfUnit = 0) {
    this.count++;
    if (page === null || text === '') {
      if (!(page === null && text === '')) this.bad.push(`${where}: page ${page}, CLI "${text}"`);
      return;
    }
    const cli = Number(text);
    if (!Number.isFinite(cli) || typeof page !== 'number') {
      this.bad.push(`${where}: page ${page}, CLI "${text}"`);
      return;
    }
    const diff = Math.abs(page - cli), scale = Math.max(Math.abs(page), Math.abs(cli));
    const rel = scale > 0 ? diff / scale : 0;
    if (scale > 1e-6 && rel > this.worstRel) { this.worstRel = rel; this.where = `${where}: page ${page}, CLI ${text}`; }
    if (diff > this.rel * scale + this.abs + printedHalfUnit * (1 + 1e-9)) {
      this.bad.push(`${where}: page ${page}, CLI ${text} (relative ${rel.toExponential(2)})`);
    }
  }
  summary() { return `worst relative difference ${this.worstRel.toExponential(2)} over ${this.count} values`; }
  failure() { return this.bad.length ? `${this.bad.length} differ, first: ${this.bad.slice(0, 3).join('; ')}` : ''; }
}

// Half a unit in the last digit of a number printed with `digits` significant digits (%.Ng).
export function halfUnitSignificant(text, digits) {
  const v = Math.abs(Number(text));
  if (!(v > 0)) return 0;
  return 0.5 * 10 ** (Math.floor(Math.log10(v)) - (digits - 1));
}

// Deep equality of JSON-like values; returns '' or where they first differ.
export function firstDifference(a, b, where = '') {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${where}: array vs ${typeof b}`;
    if (a.length !== b.length) return `${where}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${where}[${i}]`);
      if (d) return d;
    }
    return '';
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference(a[k], b[k], `${where}.${k}`);
      if (d) return d;
    }
    return '';
  }
  return Object.is(a, b) || a === b ? '' : `${where}: ${a} vs ${b}`;
}

// ------------------------------------------------------------------------------------------------
// Screenshots
// ------------------------------------------------------------------------------------------------

// The phone layout's tab bar: the first row near the top, just under a row of nothing, with at
// least `min` separate runs of tab-coloured pixels (blue buttons, their white labels), each at
// least 15 CSS px wide. Returns the tabs' centres in CSS pixels, left to right, or [] when there
// is no such row.
export function findTabBar(png, dpr, min = 4) {
  const isTab = (i) => {
    const r = png.px[i], g = png.px[i + 1], b = png.px[i + 2];
    return (b > r + 40 && b > 90) || (r > 200 && g > 200 && b > 200);
  };
  const runsAt = (y) => {
    const runs = [];
    let start = -1;
    for (let x = 0; x <= png.width; x++) {
      const on = x < png.width && isTab((y * png.width + x) * png.bpp);
      if (on && start < 0) start = x;
      if (!on && start >= 0) { if (x - start >= 15 * dpr) runs.push([start, x - 1]); start = -1; }
    }
    return runs;
  };
  const limit = Math.floor(png.height * 0.2);
  for (let y = 0; y < limit; y++) {
    const runs = runsAt(y);
    // the top edge of a row of buttons (nothing above it): inside the page buttons' labels the
    // glyphs' anti-aliased edges can cut a row into as many runs as the tabs make
    if (runs.length < min || (y > 0 && runsAt(y - 1).length > 0)) continue;
    let y2 = y;  // the band of rows with the same tabs; click in its middle
    while (y2 + 1 < limit && runsAt(y2 + 1).length === runs.length) y2++;
    const mid = runsAt(Math.floor((y + y2) / 2));
    return mid.map(([a, b]) => ({ x: (a + b) / 2 / dpr, y: (y + y2) / 2 / dpr }));
  }
  return [];
}
