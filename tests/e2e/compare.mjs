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
    // a page value that is not a finite number (NaN, Infinity, "overflow") never passes for one
    if (!Number.isFinite(cli) || typeof page !== 'number' || !Number.isFinite(page)) {
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

// The encoding of number_format.h: the page's value is what the CLI's field says it is, a finite
// number where the CLI prints one, null where it prints '' (exactly zero), "overflow" where it
// prints overflow.
export function sameKind(page, text) {
  if (text === '') return page === null;
  if (text === 'overflow') return page === 'overflow';
  return Number.isFinite(Number(text)) && typeof page === 'number' && Number.isFinite(page);
}

// The page's trainability map (getState().trainability) against `gradscope trainability`'s CSV
// (cell,scale,length,log10_ratio,lyapunov_max,...) for the same configuration: both numbers of
// every point, log10_ratio and the largest Lyapunov exponent lyapunov_max (nats per step), into
// `worst` at the CLI's printed digits.
//
// Every point's two values must be of the CLI's kind (sameKind). The numbers are compared wherever
// a difference in the last bit cannot grow past the tolerance: the page (WebAssembly, no fused
// multiply-add) and the CLI (native, with them) round differently, about 1e-16 relative per
// operation, and along a forward pass a difference grows like exp(lambda_max T), T the length.
// On the ordered side (lambda_max <= 0) it does not grow, and the two agree to the CLI's 10
// printed digits; above the edge of chaos it soon decides the trajectory (README, "Precision":
// no two implementations agree there, not even two float64 ones). So where the CLI's own
// lambda_max T exceeds ln(1000) (a last-bit difference grown more than a thousandfold), the
// point's numbers are not compared, only their kind. Measured (numbers.mjs, hidden 12, f64):
// below the limit the worst difference is the CLI's rounding; the first point beyond the
// tolerance lies at lambda_max T = 8.4 (3.6e-11 in log10_ratio), and from 20 on they part in the
// 6th digit or sooner (by 40% at 160). The CLI's exponent decides, never the page's: a page sending NaN or
// nonsense skips nothing. Returns the counts; `minCompared` (per map) and `minPerCell` are the
// least number of points whose numbers must have been compared.
export const CHAOS_LIMIT = Math.log(1000);
export function compareTrainability(t, csv, worst, { minCompared, minPerCell = 0 }) {
  const want = 'cell,scale,length,log10_ratio,lyapunov_max,lyapunov_max_log10_per_step';
  if (csv.header.join(',') !== want) throw new Error(`trainability: CLI header ${csv.header}`);
  const kinds = [], perCell = new Map();
  let compared = 0, skipped = 0;
  for (const row of csv.rows) {
    const [cell, scale, length, ratio, lambda] = row;
    const c = t.cells.find((x) => x.cell === cell);
    const i = t.scales.findIndex((x) => Math.abs(x - Number(scale)) <= 1e-9 * x);
    const j = t.lengths.indexOf(Number(length));
    if (!c || i < 0 || j < 0) throw new Error(`trainability: no page point for ${row.join(',')}`);
    const k = i * t.lengths.length + j, where = `${cell} scale ${scale} T=${length}`;
    const page = { ratio: c.log10_ratio[k], lambda: c.lyapunov_max[k] };
    if (!sameKind(page.ratio, ratio)) kinds.push(`${where} log10_ratio: page ${page.ratio}, CLI "${ratio}"`);
    if (!sameKind(page.lambda, lambda)) kinds.push(`${where} lyapunov_max: page ${page.lambda}, CLI "${lambda}"`);
    if (lambda === 'overflow' || ratio === 'overflow') continue;  // no number to compare: kind only
    // '' (exactly zero, -inf in log10) is ordered: compare() checks both are null
    if (lambda !== '' && Number(lambda) * Number(length) > CHAOS_LIMIT) { skipped++; continue; }
    worst.compare(page.ratio, ratio, `${where} log10_ratio`, halfUnitSignificant(ratio, 10));
    worst.compare(page.lambda, lambda, `${where} lyapunov_max`, halfUnitSignificant(lambda, 10));
    compared++;
    perCell.set(cell, (perCell.get(cell) || 0) + 1);
  }
  if (kinds.length) throw new Error(`trainability: ${kinds.length} values of the wrong kind, first: ${kinds.slice(0, 3).join('; ')}`);
  const few = t.cells.filter((c) => (perCell.get(c.cell) || 0) < minPerCell).map((c) => `${c.cell} ${perCell.get(c.cell) || 0}`);
  if (compared < minCompared || few.length) {
    throw new Error(`trainability: numbers of only ${compared} of ${csv.rows.length} points compared ` +
                    `(at least ${minCompared}, ${minPerCell} per cell: ${few.join(', ') || 'ok'})`);
  }
  if (csv.rows.length !== t.cells.length * t.scales.length * t.lengths.length) {
    throw new Error(`trainability: CLI ${csv.rows.length} points, page ${t.cells.length} x ${t.scales.length} x ${t.lengths.length}`);
  }
  return { points: csv.rows.length, compared, skipped, perCell: [...perCell].map(([c, n]) => `${c} ${n}`).join(', ') };
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
