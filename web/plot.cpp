// The plot module (see plot.h). Everything is kept in "axis space": the data for a Linear axis,
// log10 of the data for Log10, the data themselves for Log10Exp. Ticks, fitting, decimation and
// hover all work there; only labels and read-outs go back to data units.
#include "plot.h"
#include "imgui_internal.h"  // RenderTextEllipsis

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace plot {
namespace {

// ------------------------------------------------------------------------------------------------
// State of the plot being built
// ------------------------------------------------------------------------------------------------

enum class Kind { Line, Band, Markers, VLine, HLine };

struct Series {
  std::string label;
  Kind kind = Kind::Line;
  LineStyle style;
  std::vector<double> x, y, y2;  // axis space; y2 is the band's upper edge
  bool hidden = false;           // toggled from the legend, kept in ImGui's window storage
  bool sorted = true;            // x non-decreasing: binary search and per-pixel decimation
};

struct AxisState {
  std::string label;
  Scale scale = Scale::Linear;
  bool fixed = false;
  double min = 0, max = 1;  // axis space
};

// The plot between BeginPlot and EndPlot. Series are rebuilt every frame (ImPlot keeps the
// same kind of "current plot" in its context); nothing here carries state across frames except
// the vectors' capacity.
struct Builder {
  bool open = false;
  std::string title;
  ImVec2 pos, size;
  bool hovered = false;
  AxisState axis[2];
  bool equal = false;  // SetupEqualAspect: one data unit is as long on both axes
  std::vector<Series> series;
  int used = 0;  // series[0, used) are this frame's
  int next_color = 0;
};
Builder g;

struct Tick {
  double pos;  // axis space
  bool major;
  bool power;       // labelled 10^exponent rather than with text
  double exponent;  // for power labels
  char text[32];    // plain label (majors only)
};

constexpr float kTickLength = 5.0f;
constexpr float kPad = 6.0f;

double to_axis(Scale scale, double v) {
  if (scale == Scale::Log10) return v > 0 ? std::log10(v) : NAN;
  return v;
}

bool finite(double v) { return std::isfinite(v); }

// 1, 2 or 5 times a power of ten, near range / target.
double nice_step(double range, double target) {
  const double raw = range / std::max(target, 1.0);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / mag;
  return (r < 1.5 ? 1.0 : r < 3.0 ? 2.0 : r < 7.0 ? 5.0 : 10.0) * mag;
}

void label_plain(Tick& t, double value, double step) {
  const double a = std::fabs(value);
  if (a != 0 && (a >= 1e6 || a < 1e-4)) {
    std::snprintf(t.text, sizeof t.text, "%.3g", value);
  } else {
    const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
    std::snprintf(t.text, sizeof t.text, "%.*f", decimals, value);
  }
}

void label_power(Tick& t, double exponent) {
  t.power = true;
  t.exponent = exponent;
}

// Ticks over [lo, hi] (axis space) for an axis `pixels` long wanting one label per `spacing`.
void make_ticks(const AxisState& a, float pixels, float spacing, std::vector<Tick>& out) {
  out.clear();
  const double lo = a.min, hi = a.max, span = hi - lo;
  if (!(span > 0) || !finite(span)) return;
  const double target = std::max(2.0, static_cast<double>(pixels / spacing));
  auto add = [&](double pos, bool major) -> Tick& {
    out.push_back(Tick{pos, major, false, 0, {0}});
    return out.back();
  };

  if (a.scale == Scale::Linear || (span < 1.0 && lo > -300 && hi < 300)) {
    // Linear ticks. On a log axis spanning less than a decade they are placed at round values
    // (0.2, 0.3, ...) in data space and drawn at their logarithm.
    const bool log = a.scale != Scale::Linear;
    const double vlo = log ? std::pow(10.0, lo) : lo, vhi = log ? std::pow(10.0, hi) : hi;
    const double step = nice_step(vhi - vlo, target);
    const double i0 = std::ceil(vlo / step - 1e-9), i1 = std::floor(vhi / step + 1e-9);
    for (double i = i0; i <= i1 && out.size() < 200; i += 1) {
      double v = i * step;
      if (std::fabs(v) < step * 1e-9) v = 0;
      if (log && v <= 0) continue;
      label_plain(add(log ? std::log10(v) : v, true), v, step);
    }
    // Minor ticks: five per major step.
    const double minor = step / 5;
    for (double i = std::ceil(vlo / minor); i * minor <= vhi && out.size() < 1200; i += 1) {
      const double v = i * minor;
      if (log && v <= 0) continue;
      add(log ? std::log10(v) : v, false);
    }
    return;
  }

  if (span < 1.0) {  // less than a decade, far outside double range: fractional exponents
    const double step = nice_step(span, target);
    for (double i = std::ceil(lo / step); i * step <= hi; i += 1)
      label_power(add(i * step, true), i * step);
    return;
  }

  // Decades. The step between labelled decades is 1, 2, 5, 10, 20, 50, ... decades.
  const double step = std::max(1.0, std::round(nice_step(span, target)));
  for (double k = std::ceil(lo / step) * step; k <= hi + 1e-9; k += step)
    label_power(add(k, true), k);
  const double px_per_decade = pixels / span;
  // Fewer than two labels cannot show a scale: then 2 and 5 in each decade are labelled too, or 3
  // alone where 2 and 5 would crowd, all as plain numbers (0.1, 0.2, 0.5, 1, 2, ...).
  const bool two_five = px_per_decade * std::log10(2.0) >= spacing * 0.5;
  if (out.size() < 2 && step == 1.0 && lo > -300 && hi < 300 &&
      (two_five || px_per_decade * std::log10(3.0) >= spacing * 0.5)) {
    for (Tick& t : out) {
      t.power = false;
      label_plain(t, std::pow(10.0, t.pos), std::pow(10.0, t.pos));
    }
    for (double d = std::floor(lo); d <= hi; d += 1)
      for (int m : {2, 3, 5}) {
        const double p = d + std::log10(static_cast<double>(m));
        if (p >= lo && p <= hi && (m == 3) != two_five)
          label_plain(add(p, true), m * std::pow(10.0, d), std::pow(10.0, d));
      }
  }
  if (step == 1.0 && px_per_decade > 28) {  // 2..9 between decades when they fit
    for (double d = std::floor(lo); d <= hi; d += 1) {
      for (int m = 2; m <= 9; ++m) {
        const double p = d + std::log10(static_cast<double>(m));
        if (p >= lo && p <= hi) add(p, false);
      }
    }
  } else if (step > 1.0 && px_per_decade >= 4) {  // every decade, unlabelled
    for (double d = std::ceil(lo); d <= hi && out.size() < 1200; d += 1) {
      if (std::fmod(d, step) != 0) add(d, false);
    }
  }
}

// Width and drawing of a tick label: plain text, or "10" with a raised exponent.
float label_width(const Tick& t) {
  return t.power ? DrawPowerLabel(nullptr, ImVec2(), 0, t.exponent) : ImGui::CalcTextSize(t.text).x;
}

void draw_label(ImDrawList* dl, const Tick& t, ImVec2 p, ImU32 col) {
  if (t.power) {
    DrawPowerLabel(dl, p, col, t.exponent);
  } else {
    dl->AddText(p, col, t.text);
  }
}

// Text turned 90 degrees counter-clockwise (reading bottom to top), centred on `center`. It is
// laid out horizontally at `inside` (a point where it is not clipped away: ImDrawList drops
// glyphs outside the clip rectangle as it adds them), then its vertices are rotated into place.
void draw_vertical_text(ImDrawList* dl, ImVec2 center, ImVec2 inside, ImU32 col, const char* text) {
  const ImVec2 size = ImGui::CalcTextSize(text);
  const ImVec2 c0(inside.x + size.x / 2, inside.y + size.y / 2);  // centre as laid out
  const int first = dl->VtxBuffer.Size;
  dl->AddText(inside, col, text);
  for (int i = first; i < dl->VtxBuffer.Size; ++i) {
    ImVec2& p = dl->VtxBuffer[i].pos;
    const float dx = p.x - c0.x, dy = p.y - c0.y;
    p = ImVec2(center.x + dy, center.y - dx);
  }
}

const char* visible_end(const char* label) {
  const char* hash = std::strstr(label, "##");
  return hash ? hash : label + std::strlen(label);
}

Series& add_series(const char* label, Kind kind, const LineStyle& style) {
  if (g.used == static_cast<int>(g.series.size())) g.series.emplace_back();
  Series& s = g.series[g.used++];
  s.label = label;
  s.kind = kind;
  s.style = style;
  if (s.style.color == 0) s.style.color = PaletteColor(g.next_color++);
  s.x.clear();
  s.y.clear();
  s.y2.clear();
  s.sorted = true;
  s.hidden = ImGui::GetStateStorage()->GetBool(ImGui::GetID(label), false);
  return s;
}

void check_sorted(Series& s) {
  for (size_t i = 1; i < s.x.size(); ++i) {
    if (s.x[i] < s.x[i - 1]) {
      s.sorted = false;
      return;
    }
  }
}

// Index of the point nearest to x (axis space) by x, or -1.
int nearest(const Series& s, double x) {
  const int n = static_cast<int>(s.x.size());
  if (n == 0) return -1;
  if (s.sorted) {
    const int i = static_cast<int>(std::lower_bound(s.x.begin(), s.x.end(), x) - s.x.begin());
    if (i <= 0) return 0;
    if (i >= n) return n - 1;
    return (x - s.x[i - 1] <= s.x[i] - x) ? i - 1 : i;
  }
  int best = -1;
  double best_d = INFINITY;
  for (int i = 0; i < n; ++i) {
    const double d = std::fabs(s.x[i] - x);
    if (d < best_d) best_d = d, best = i;
  }
  return best;
}

void fit(Axis which) {
  AxisState& a = g.axis[which];
  if (a.fixed) return;
  double lo = INFINITY, hi = -INFINITY;
  auto take = [&](double v) {
    if (finite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  };
  for (int i = 0; i < g.used; ++i) {
    const Series& s = g.series[i];
    if (s.hidden) continue;
    if (which == X && s.kind != Kind::HLine)
      for (double v : s.x) take(v);
    if (which == Y && s.kind != Kind::VLine) {
      for (double v : s.y) take(v);
      for (double v : s.y2) take(v);
    }
  }
  if (!(lo <= hi)) lo = 0, hi = 1;
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) lo -= 0.5, hi += 0.5;
  if (which == Y) {  // a little air above and below the curves
    const double pad = 0.05 * (hi - lo);
    lo -= pad, hi += pad;
  }
  a.min = lo, a.max = hi;
}

// Dashed straight segment.
void dashed_line(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float w) {
  const float dx = b.x - a.x, dy = b.y - a.y, len = std::sqrt(dx * dx + dy * dy);
  if (len <= 0) return;
  const float on = 6, off = 4;
  for (float t = 0; t < len; t += on + off) {
    const float t1 = std::min(len, t + on);
    dl->AddLine(ImVec2(a.x + dx * t / len, a.y + dy * t / len),
                ImVec2(a.x + dx * t1 / len, a.y + dy * t1 / len), col, w);
  }
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Public API
// ------------------------------------------------------------------------------------------------

ImU32 PaletteColor(int index) {
  // Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
  static const ImU32 kColors[] = {IM_COL32(230, 159, 0, 255),   IM_COL32(86, 180, 233, 255),
                                  IM_COL32(0, 158, 115, 255),   IM_COL32(240, 228, 66, 255),
                                  IM_COL32(0, 114, 178, 255),   IM_COL32(213, 94, 0, 255),
                                  IM_COL32(204, 121, 167, 255), IM_COL32(200, 200, 200, 255)};
  const int n = static_cast<int>(sizeof kColors / sizeof kColors[0]);
  return kColors[((index % n) + n) % n];
}

void FormatValue(Scale scale, double value, char* buffer, int size) {
  if (!finite(value)) {
    const bool zero = scale == Scale::Log10Exp && value == -INFINITY;
    std::snprintf(buffer, size, "%s", zero ? "0" : "overflow");
  } else if (scale == Scale::Log10Exp) {
    FormatPowerOfTen(value, 4, buffer, size);
  } else {
    std::snprintf(buffer, size, "%.4g", value);
  }
}

void FormatPowerOfTen(double exponent, int digits, char* buffer, int size) {
  IM_ASSERT(std::isfinite(exponent) && digits >= 1 && digits <= 17);
  double e = std::floor(exponent);
  if (e >= -4 && e < digits) {  // where printf's %g would not switch to an exponent either
    std::snprintf(buffer, size, "%.*g", digits, std::pow(10.0, exponent));
    return;
  }
  // Mantissa and exponent from the fractional and integer parts: no overflow at any depth.
  double mantissa = std::pow(10.0, exponent - e);  // in [1, 10)
  const double unit = std::pow(10.0, digits - 1);
  if (std::round(mantissa * unit) >= 10 * unit) mantissa = 1, e += 1;  // 9.9996 -> 1.000e+1
  std::snprintf(buffer, size, "%.*ge%+.0f", digits, mantissa, e);
}

float DrawPowerLabel(ImDrawList* dl, ImVec2 pos, ImU32 color, double exponent) {
  if (exponent == 0) exponent = 0;  // -0 (from ceil of a small negative) would print as "-0"
  char sup[16];
  if (exponent == std::floor(exponent)) {
    std::snprintf(sup, sizeof sup, "%.0f", exponent);
  } else {
    std::snprintf(sup, sizeof sup, "%.2g", exponent);
  }
  ImFont* f = ImGui::GetFont();
  const float font = ImGui::GetFontSize(), small = font * 0.72f;
  const float base = f->CalcTextSizeA(font, FLT_MAX, 0, "10").x;
  if (dl) {
    dl->AddText(f, font, pos, color, "10");
    dl->AddText(f, small, ImVec2(pos.x + base + 1, pos.y - font * 0.28f), color, sup);
  }
  return base + 1 + f->CalcTextSizeA(small, FLT_MAX, 0, sup).x;
}

bool BeginPlot(const char* title, const ImVec2& size_arg) {
  IM_ASSERT(!g.open && "BeginPlot without EndPlot");
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  ImVec2 size = size_arg;
  if (size.x <= 0) size.x = std::max(avail.x, 120.0f);
  if (size.y <= 0) size.y = std::clamp(size.x * 0.6f, 160.0f, std::max(avail.y, 160.0f));
  ImGui::PushID(title);
  g.pos = ImGui::GetCursorScreenPos();
  g.size = size;
  ImGui::InvisibleButton("##plot", size);
  if (!ImGui::IsItemVisible()) {
    ImGui::PopID();
    return false;
  }
  g.open = true;
  g.hovered = ImGui::IsItemHovered();
  g.title.assign(title, visible_end(title));
  g.equal = false;
  g.axis[X] = AxisState();
  g.axis[Y] = AxisState();
  g.used = 0;
  g.next_color = 0;
  return true;
}

void SetupAxis(Axis axis, const char* label, Scale scale) {
  IM_ASSERT(g.open && g.used == 0 && "SetupAxis goes before the series");
  g.axis[axis].label = label ? label : "";
  g.axis[axis].scale = scale;
}

void SetupAxisLimits(Axis axis, double min, double max) {
  AxisState& a = g.axis[axis];
  a.fixed = true;
  a.min = to_axis(a.scale, min);
  a.max = to_axis(a.scale, max);
}

void SetupEqualAspect() { g.equal = true; }

namespace {

// A line of many more points than the plot has pixels (a 100,000-step curve, 400 pixels wide),
// where the x axis is fixed and x never decreases: each of the plot's size.x columns keeps its
// first, lowest, highest and last point, in order. EndPlot draws a column as its lowest and
// highest point and fits the y axis to the points, so the picture is the one all points give, and
// a frame's cost follows the columns, not the points. A point that is not a finite number is
// kept where it is (it breaks the line). False, with nothing added, where this does not apply.
bool add_decimated(Series& s, const double* xs, const double* ys, int n) {
  const AxisState& ax = g.axis[X];
  const int columns = static_cast<int>(g.size.x);
  if (!ax.fixed || columns <= 0 || n < 8 * columns || !(ax.max > ax.min)) return false;
  const double width = (ax.max - ax.min) / columns;
  const Scale x_scale = ax.scale, y_scale = g.axis[Y].scale;
  // The scales are monotonic, so a column's bounds, lowest and highest point are found on the data
  // themselves and only the kept points are mapped: the loop over every point stays short (the
  // frame a 100,000-step curve arrives in runs it before the browser has optimized it).
  const auto on_axis = [y_scale](double y) {  // finite once mapped
    return y_scale == Scale::Log10 ? y > 0 && y < INFINITY : std::isfinite(y);
  };
  const auto from_axis = [x_scale](double v) {
    return x_scale == Scale::Log10 ? std::pow(10.0, v) : v;
  };
  const auto keep = [&](int i) {
    s.x.push_back(to_axis(x_scale, xs[i]));
    s.y.push_back(to_axis(y_scale, ys[i]));
  };
  double previous_x = -INFINITY;
  for (int i = 0; i < n;) {
    const double x = to_axis(x_scale, xs[i]);
    if (!(x >= previous_x)) {  // not sorted (or NaN x): every point, as PlotLine adds them
      s.x.clear();
      s.y.clear();
      return false;
    }
    previous_x = x;
    if (!on_axis(ys[i])) {  // kept where it is: it breaks the line
      keep(i++);
      continue;
    }
    // the run of sorted, finite points in x's column: its first, lowest, highest and last
    const double column_end = from_axis(ax.min + (std::floor((x - ax.min) / width) + 1) * width);
    int lowest = i, highest = i, j = i + 1;
    for (; j < n && xs[j] < column_end && xs[j] >= xs[j - 1] && on_axis(ys[j]); ++j) {
      if (ys[j] < ys[lowest]) lowest = j;
      if (ys[j] > ys[highest]) highest = j;
    }
    const int last = j - 1;
    keep(i);
    const int a = std::min(lowest, highest), b = std::max(lowest, highest);
    if (a != i && a != last) keep(a);
    if (b != a && b != i && b != last) keep(b);
    if (last != i) keep(last);
    previous_x = to_axis(x_scale, xs[last]);
    i = j;
  }
  return true;
}

}  // namespace

void PlotLine(const char* label, const double* xs, const double* ys, int n,
              const LineStyle& style) {
  Series& s = add_series(label, Kind::Line, style);
  if (add_decimated(s, xs, ys, n)) return;  // sorted by construction
  s.x.resize(n);
  s.y.resize(n);
  for (int i = 0; i < n; ++i) {
    s.x[i] = to_axis(g.axis[X].scale, xs[i]);
    s.y[i] = to_axis(g.axis[Y].scale, ys[i]);
  }
  check_sorted(s);
}

void PlotLine(const char* label, const float* xs, const float* ys, int n, const LineStyle& style) {
  std::vector<double> x(xs, xs + n), y(ys, ys + n);
  PlotLine(label, x.data(), y.data(), n, style);
}

void PlotShaded(const char* label, const double* xs, const double* y_lo, const double* y_hi, int n,
                const LineStyle& style) {
  Series& s = add_series(label, Kind::Band, style);
  s.x.resize(n);
  s.y.resize(n);
  s.y2.resize(n);
  for (int i = 0; i < n; ++i) {
    s.x[i] = to_axis(g.axis[X].scale, xs[i]);
    s.y[i] = to_axis(g.axis[Y].scale, y_lo[i]);
    s.y2[i] = to_axis(g.axis[Y].scale, y_hi[i]);
  }
  check_sorted(s);
}

void PlotMarkers(const char* label, const double* xs, const double* ys, int n,
                 const LineStyle& style) {
  Series& s = add_series(label, Kind::Markers, style);
  s.x.resize(n);
  s.y.resize(n);
  for (int i = 0; i < n; ++i) {
    s.x[i] = to_axis(g.axis[X].scale, xs[i]);
    s.y[i] = ys[i] == INFINITY ? INFINITY : to_axis(g.axis[Y].scale, ys[i]);
  }
  check_sorted(s);
}

void PlotVLine(const char* label, double x, const LineStyle& style) {
  Series& s = add_series(label, Kind::VLine, style);
  s.x.push_back(to_axis(g.axis[X].scale, x));
}

void PlotHLine(const char* label, double y, const LineStyle& style) {
  Series& s = add_series(label, Kind::HLine, style);
  s.y.push_back(to_axis(g.axis[Y].scale, y));
}

namespace {

// ------------------------------------------------------------------------------------------------
// EndPlot's steps, in the order they run: layout, axes, series (bands, lines, markers and
// reference lines), hover, legend, tooltip.
// ------------------------------------------------------------------------------------------------

struct LegendEntry {
  int series;
  float width;
  ImVec2 pos;
};

// Where everything goes, from the plot's rectangle, its labels and its series.
struct Layout {
  ImVec2 p0, p1;  // the whole widget
  ImVec2 a0, a1;  // the plot area, where series are drawn
  float w = 1, h = 1;
  std::vector<Tick> xt, yt;
  bool ylabel_rotated = false;  // beside the axis; else on a line of its own above the plot
  float ylabel_y = 0;
  std::vector<LegendEntry> legend;

  // axis space to screen
  float sx(double v) const {
    const AxisState& a = g.axis[X];
    return static_cast<float>(a0.x + std::clamp((v - a.min) / (a.max - a.min), -1e3, 1e3) * w);
  }
  float sy(double v) const {
    const AxisState& a = g.axis[Y];
    return static_cast<float>(a1.y - std::clamp((v - a.min) / (a.max - a.min), -1e3, 1e3) * h);
  }
};

float font_size() { return ImGui::GetFontSize(); }
float legend_row() { return font_size() + 2; }
float legend_swatch() { return font_size() * 1.2f; }

// Title on top, rotated y label and tick labels left, x labels below. The legend is flowed in
// rows between the title and the plot area: never over the data.
Layout layout_plot() {
  const float font = font_size(), row = legend_row();
  const AxisState& ax = g.axis[X];
  const AxisState& ay = g.axis[Y];
  Layout l;
  l.p0 = g.pos;
  l.p1 = ImVec2(g.pos.x + g.size.x, g.pos.y + g.size.y);
  float title_h = g.title.empty() ? kPad : font + kPad;
  const float bottom = kPad + font + (ax.label.empty() ? 0 : font + 2) + kTickLength;

  for (int si = 0; si < g.used; ++si) {
    const Series& s = g.series[si];
    const char* end = visible_end(s.label.c_str());
    if (end == s.label.c_str() || !s.style.legend) continue;  // "##name": not in the legend
    l.legend.push_back(
        {si, legend_swatch() + 14 + ImGui::CalcTextSize(s.label.c_str(), end).x, ImVec2()});
  }
  if (!l.legend.empty()) {
    float x = l.p0.x + kPad, y = l.p0.y + title_h;
    for (LegendEntry& e : l.legend) {
      if (x + e.width > l.p1.x - kPad && x > l.p0.x + kPad) x = l.p0.x + kPad, y += row;
      e.pos = ImVec2(x, y);
      x += e.width + 10;
    }
    title_h = y + row + 4 - l.p0.y;
  }

  // The y label reads bottom to top beside the axis, or, when longer than the plot is high,
  // horizontally on a line of its own above the plot area.
  const float ylabel_len = ay.label.empty() ? 0 : ImGui::CalcTextSize(ay.label.c_str()).x;
  l.ylabel_rotated = ylabel_len > 0 && ylabel_len <= g.size.y - title_h - bottom;
  l.ylabel_y = l.p0.y + title_h;
  if (ylabel_len > 0 && !l.ylabel_rotated) title_h += row + font * 0.5f;  // room for "10^k"

  const float plot_h = std::max(10.0f, g.size.y - title_h - bottom);
  make_ticks(ay, plot_h, font * 3.0f, l.yt);
  float ylabel_w = 0;
  for (const Tick& t : l.yt) {
    if (t.major) ylabel_w = std::max(ylabel_w, label_width(t));
  }
  const float left = kPad + (l.ylabel_rotated ? font + 4 : 0) + ylabel_w + kTickLength + 2;
  l.a0 = ImVec2(l.p0.x + left, l.p0.y + title_h);
  l.a1 = ImVec2(l.p1.x - kPad - 4, l.p1.y - bottom);
  l.w = std::max(1.0f, l.a1.x - l.a0.x);
  l.h = std::max(1.0f, l.a1.y - l.a0.y);
  if (g.equal) {  // widen the axis with fewer units per pixel about its middle (ImPlot's Equal)
    AxisState& mx = g.axis[X];
    AxisState& my = g.axis[Y];
    const double ux = (mx.max - mx.min) / l.w, uy = (my.max - my.min) / l.h;
    AxisState& wider = ux < uy ? mx : my;
    const double middle = 0.5 * (wider.min + wider.max);
    const double half = 0.5 * std::max(ux, uy) * (ux < uy ? l.w : l.h);
    wider.min = middle - half, wider.max = middle + half;
    if (ux >= uy) make_ticks(my, l.h, font * 3.0f, l.yt);
  }
  make_ticks(ax, l.w, font * 5.0f, l.xt);
  return l;
}

// Frame, title, grid, ticks and their labels, axis labels.
void draw_axes(ImDrawList* dl, const Layout& l) {
  const float font = font_size();
  const ImU32 text_col = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 dim_col = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const AxisState& ax = g.axis[X];
  const AxisState& ay = g.axis[Y];
  dl->AddRectFilled(l.a0, l.a1, IM_COL32(255, 255, 255, 10));
  if (!g.title.empty()) {
    // Centred over the plot area if it fits there, else over the whole frame; a title wider than
    // the frame ends in "..." rather than running into the next plot.
    const char* title = g.title.c_str();
    const float tw = ImGui::CalcTextSize(title).x;
    const float frame_w = g.size.x;
    if (tw <= l.w) {
      dl->AddText(ImVec2(l.a0.x + (l.w - tw) / 2, l.p0.y + 2), text_col, title);
    } else if (tw <= frame_w) {
      dl->AddText(ImVec2(l.p0.x + (frame_w - tw) / 2, l.p0.y + 2), text_col, title);
    } else {
      const ImVec2 lo(l.p0.x, l.p0.y + 2), hi(l.p0.x + frame_w, l.p0.y + 2 + ImGui::GetFontSize());
      ImGui::PushStyleColor(ImGuiCol_Text, text_col);
      ImGui::RenderTextEllipsis(dl, lo, hi, hi.x, hi.x, title, nullptr, nullptr);
      ImGui::PopStyleColor();
    }
  }
  for (const Tick& t : l.yt) {
    const float y = l.sy(t.pos);
    if (y < l.a0.y - 0.5f || y > l.a1.y + 0.5f) continue;
    dl->AddLine(ImVec2(l.a0.x, y), ImVec2(l.a1.x, y), IM_COL32(255, 255, 255, t.major ? 34 : 12));
    dl->AddLine(ImVec2(l.a0.x - (t.major ? kTickLength : 3), y), ImVec2(l.a0.x, y), dim_col);
    if (t.major) {
      draw_label(dl, t, ImVec2(l.a0.x - kTickLength - 3 - label_width(t), y - font / 2), dim_col);
    }
  }
  float last_label_end = -INFINITY;
  for (const Tick& t : l.xt) {
    const float x = l.sx(t.pos);
    if (x < l.a0.x - 0.5f || x > l.a1.x + 0.5f) continue;
    dl->AddLine(ImVec2(x, l.a0.y), ImVec2(x, l.a1.y), IM_COL32(255, 255, 255, t.major ? 34 : 12));
    dl->AddLine(ImVec2(x, l.a1.y), ImVec2(x, l.a1.y + (t.major ? kTickLength : 3)), dim_col);
    if (t.major) {
      const float lw = label_width(t);
      const float lx = std::clamp(x - lw / 2, l.p0.x, l.p1.x - lw);
      if (lx > last_label_end + 4) {  // never overlap two labels
        draw_label(dl, t, ImVec2(lx, l.a1.y + kTickLength + 1), dim_col);
        last_label_end = lx + lw;
      }
    }
  }
  dl->AddRect(l.a0, l.a1, IM_COL32(255, 255, 255, 60));
  if (!ax.label.empty()) {
    const float lw = ImGui::CalcTextSize(ax.label.c_str()).x;
    dl->AddText(ImVec2(l.a0.x + std::max(0.0f, (l.w - lw) / 2), l.a1.y + kTickLength + font + 2),
                text_col, ax.label.c_str());
  }
  if (!ay.label.empty() && !l.ylabel_rotated) {
    dl->AddText(ImVec2(l.p0.x + kPad, l.ylabel_y), text_col, ay.label.c_str());
  } else if (l.ylabel_rotated) {
    draw_vertical_text(dl, ImVec2(l.p0.x + kPad + font / 2, (l.a0.y + l.a1.y) / 2), l.a0, text_col,
                       ay.label.c_str());
  }
}

// A band's quads. Adjacent quads are filled without anti-aliasing: anti-aliased edges would
// overlap into visible stripes.
void draw_band(ImDrawList* dl, const Layout& l, const Series& s) {
  const ImU32 fill = (s.style.color & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 60);
  const ImDrawListFlags saved_flags = dl->Flags;
  dl->Flags &= ~ImDrawListFlags_AntiAliasedFill;
  for (size_t i = 0; i + 1 < s.x.size(); ++i) {
    if (!finite(s.x[i]) || !finite(s.x[i + 1]) || !finite(s.y[i]) || !finite(s.y2[i]) ||
        !finite(s.y[i + 1]) || !finite(s.y2[i + 1]))
      continue;
    dl->AddQuadFilled(
        ImVec2(l.sx(s.x[i]), l.sy(s.y[i])), ImVec2(l.sx(s.x[i + 1]), l.sy(s.y[i + 1])),
        ImVec2(l.sx(s.x[i + 1]), l.sy(s.y2[i + 1])), ImVec2(l.sx(s.x[i]), l.sy(s.y2[i])), fill);
  }
  dl->Flags = saved_flags;
}

// Turns a line's points into polylines. With many more points than pixel columns
// (`decimate`), it keeps each column's lowest and highest point only: the drawn picture is the
// same, the vertex count small. A non-finite point breaks the line.
class PolylineBuilder {
 public:
  PolylineBuilder(ImDrawList* dl, const LineStyle& style, bool decimate)
      : dl_(dl), style_(style), decimate_(decimate) {}

  void add(ImVec2 p) {
    if (!decimate_) {
      points_.push_back(p);
      return;
    }
    const int c = static_cast<int>(std::floor(p.x));
    if (c == column_) {
      lo_ = std::min(lo_, p.y), hi_ = std::max(hi_, p.y);
      return;
    }
    close_column();
    column_ = c, lo_ = hi_ = p.y;
  }

  void break_line() {
    close_column();
    if (points_.size() >= 2) {
      if (style_.dashed) {
        for (size_t i = 0; i + 1 < points_.size(); ++i)
          dashed_line(dl_, points_[i], points_[i + 1], style_.color, style_.weight);
      } else {
        dl_->AddPolyline(points_.data(), static_cast<int>(points_.size()), style_.color,
                         ImDrawFlags_None, style_.weight);
      }
    } else if (points_.size() == 1) {
      dl_->AddCircleFilled(points_[0], style_.weight, style_.color);
    }
    points_.clear();
  }

 private:
  void close_column() {
    if (column_ == INT32_MIN) return;
    points_.push_back(ImVec2(static_cast<float>(column_), lo_));
    if (hi_ != lo_) points_.push_back(ImVec2(static_cast<float>(column_), hi_));
    column_ = INT32_MIN;
  }

  ImDrawList* dl_;
  const LineStyle& style_;
  bool decimate_;
  std::vector<ImVec2> points_;
  int column_ = INT32_MIN;  // the pixel column being gathered, when decimating
  float lo_ = 0, hi_ = 0;
};

void draw_line(ImDrawList* dl, const Layout& l, const Series& s) {
  PolylineBuilder line(dl, s.style, s.sorted && s.x.size() > static_cast<size_t>(2 * l.w));
  for (size_t i = 0; i < s.x.size(); ++i) {
    if (finite(s.x[i]) && finite(s.y[i])) {
      line.add(ImVec2(l.sx(s.x[i]), l.sy(s.y[i])));
    } else {
      line.break_line();
    }
  }
  line.break_line();
}

// Dots, or for a y of +inf (beyond range) a triangle pointing up at the top edge.
void draw_markers(ImDrawList* dl, const Layout& l, const Series& s) {
  const ImU32 col = s.style.color;
  const float r = 1.5f * s.style.weight + 1;
  for (size_t i = 0; i < s.x.size(); ++i) {
    if (!finite(s.x[i]) || std::isnan(s.y[i])) continue;
    const float x = l.sx(s.x[i]);
    if (s.y[i] == INFINITY) {
      dl->AddTriangleFilled(ImVec2(x, l.a0.y + 1), ImVec2(x - r - 2, l.a0.y + 2 * r + 3),
                            ImVec2(x + r + 2, l.a0.y + 2 * r + 3), col);
    } else if (s.style.hollow) {
      dl->AddCircle(ImVec2(x, l.sy(s.y[i])), r, col, 0, 1.5f);
    } else {
      dl->AddCircleFilled(ImVec2(x, l.sy(s.y[i])), r, col);
      dl->AddCircle(ImVec2(x, l.sy(s.y[i])), r + 0.5f, IM_COL32(0, 0, 0, 160));
    }
  }
}

void draw_reference_line(ImDrawList* dl, const Layout& l, const Series& s) {
  const bool vertical = s.kind == Kind::VLine;
  const double v = vertical ? s.x[0] : s.y[0];
  if (!finite(v)) return;
  const ImVec2 a = vertical ? ImVec2(l.sx(v), l.a0.y) : ImVec2(l.a0.x, l.sy(v));
  const ImVec2 b = vertical ? ImVec2(l.sx(v), l.a1.y) : ImVec2(l.a1.x, l.sy(v));
  if (s.style.dashed) {
    dashed_line(dl, a, b, s.style.color, s.style.weight);
  } else {
    dl->AddLine(a, b, s.style.color, s.style.weight);
  }
}

// Bands under lines, markers and reference lines on top.
void draw_series(ImDrawList* dl, const Layout& l) {
  for (int si = 0; si < g.used; ++si) {
    if (!g.series[si].hidden && g.series[si].kind == Kind::Band) draw_band(dl, l, g.series[si]);
  }
  for (int si = 0; si < g.used; ++si) {
    if (!g.series[si].hidden && g.series[si].kind == Kind::Line) draw_line(dl, l, g.series[si]);
  }
  for (int si = 0; si < g.used; ++si) {
    const Series& s = g.series[si];
    if (s.hidden) continue;
    if (s.kind == Kind::Markers) draw_markers(dl, l, s);
    if (s.kind == Kind::VLine || s.kind == Kind::HLine) draw_reference_line(dl, l, s);
  }
}

struct Readout {
  int series, index;
};

// Under the mouse: a crosshair, and markers on the nearest points of each series; returns
// those points for the tooltip.
std::vector<Readout> hover(ImDrawList* dl, const Layout& l) {
  std::vector<Readout> readouts;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (!g.hovered || mouse.x < l.a0.x || mouse.x > l.a1.x || mouse.y < l.a0.y || mouse.y > l.a1.y)
    return readouts;
  const AxisState& ax = g.axis[X];
  const double xm = ax.min + (mouse.x - l.a0.x) / l.w * (ax.max - ax.min);
  dl->AddLine(ImVec2(mouse.x, l.a0.y), ImVec2(mouse.x, l.a1.y), IM_COL32(255, 255, 255, 70));
  for (int si = 0; si < g.used; ++si) {
    const Series& s = g.series[si];
    if (s.hidden || s.kind == Kind::VLine || s.kind == Kind::HLine) continue;
    const int i = nearest(s, xm);
    if (i < 0 || std::isnan(s.y[i]) || (s.kind != Kind::Markers && !finite(s.y[i]))) continue;
    // a marker is read out only when the mouse is over its column
    if (s.kind == Kind::Markers && std::fabs(l.sx(s.x[i]) - mouse.x) > 6) continue;
    readouts.push_back({si, i});
    if (s.kind == Kind::Line) {
      const ImVec2 p(l.sx(s.x[i]), l.sy(s.y[i]));
      dl->AddCircleFilled(p, 4.0f, s.style.color);
      dl->AddCircle(p, 4.5f, IM_COL32(0, 0, 0, 200));
    }
  }
  return readouts;
}

// Swatches and labels; a click on an entry hides or shows its series.
void draw_legend(ImDrawList* dl, Layout& l) {
  if (l.legend.empty()) return;
  const float font = font_size(), row = legend_row(), swatch = legend_swatch();
  const ImU32 text_col = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 dim_col = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  for (const LegendEntry& e : l.legend) {
    Series& s = g.series[e.series];
    const ImVec2 r0(e.pos.x, e.pos.y - 1), r1(e.pos.x + e.width, e.pos.y + row - 1);
    if (g.hovered && ImGui::IsMouseHoveringRect(r0, r1)) {
      dl->AddRectFilled(r0, r1, IM_COL32(255, 255, 255, 25), 3.0f);
      if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
        s.hidden = !s.hidden;
        ImGui::GetStateStorage()->SetBool(ImGui::GetID(s.label.c_str()), s.hidden);
      }
    }
    const ImU32 col = s.hidden ? IM_COL32(120, 120, 120, 160) : s.style.color;
    const float x0 = e.pos.x + 4, cy = e.pos.y + font / 2;
    if (s.kind == Kind::Band) {
      dl->AddRectFilled(ImVec2(x0, cy - 4), ImVec2(x0 + swatch, cy + 4),
                        (col & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 110));
    } else if (s.kind == Kind::Markers) {  // a marker as the series draws it
      const ImVec2 c(x0 + swatch / 2, cy);
      if (s.style.hollow)
        dl->AddCircle(c, 4.5f, col, 0, 1.5f);
      else
        dl->AddCircleFilled(c, 4.0f, col);
    } else if (s.style.dashed) {  // as wide as the line, so a thin line's sample is thin
      dashed_line(dl, ImVec2(x0, cy), ImVec2(x0 + swatch, cy), col, std::max(1.0f, s.style.weight));
    } else {
      const float sample = s.style.weight < 2 ? s.style.weight : 3.0f;  // thin stays thin
      dl->AddLine(ImVec2(x0, cy), ImVec2(x0 + swatch, cy), col, sample);
    }
    dl->AddText(ImVec2(x0 + swatch + 6, e.pos.y), s.hidden ? dim_col : text_col, s.label.c_str(),
                visible_end(s.label.c_str()));
  }
}

// Exact values of the points under the mouse, in data units.
void draw_tooltip(const std::vector<Readout>& readouts) {
  if (readouts.empty()) return;
  const AxisState& ax = g.axis[X];
  const AxisState& ay = g.axis[Y];
  const float font = font_size();
  // A Log10 axis holds log10 of the data: read out the data themselves.
  auto format = [](const AxisState& a, double v, char* out, int size) {
    if (a.scale == Scale::Log10) {
      FormatValue(Scale::Linear, std::pow(10.0, v), out, size);
    } else {
      FormatValue(a.scale, v, out, size);
    }
  };
  char xs[48], ys[48], y2s[48];
  format(ax, g.series[readouts[0].series].x[readouts[0].index], xs, sizeof xs);
  ImGui::BeginTooltip();
  ImGui::Text("%s = %s", ax.label.empty() ? "x" : ax.label.c_str(), xs);
  for (const Readout& r : readouts) {
    const Series& s = g.series[r.series];
    format(ay, s.y[r.index], ys, sizeof ys);
    ImDrawList* tl = ImGui::GetWindowDrawList();
    const ImVec2 c = ImGui::GetCursorScreenPos();
    tl->AddRectFilled(ImVec2(c.x, c.y + font * 0.3f), ImVec2(c.x + font * 0.4f, c.y + font * 0.7f),
                      s.style.color);
    ImGui::Dummy(ImVec2(font * 0.5f, font));
    ImGui::SameLine();
    const int len = static_cast<int>(visible_end(s.label.c_str()) - s.label.c_str());
    if (s.kind == Kind::Band) {
      format(ay, s.y2[r.index], y2s, sizeof y2s);
      ImGui::Text("%.*s: %s .. %s", len, s.label.c_str(), ys, y2s);
    } else if (ay.scale == Scale::Log10Exp && finite(s.y[r.index])) {
      ImGui::Text("%.*s: %s  (log10 %.3f)", len, s.label.c_str(), ys, s.y[r.index]);
    } else {
      ImGui::Text("%.*s: %s", len, s.label.c_str(), ys);
    }
  }
  ImGui::EndTooltip();
}

}  // namespace

void EndPlot() {
  IM_ASSERT(g.open && "EndPlot without a BeginPlot that returned true");
  ImDrawList* dl = ImGui::GetWindowDrawList();
  fit(X);
  fit(Y);
  Layout layout = layout_plot();
  draw_axes(dl, layout);
  dl->PushClipRect(layout.a0, layout.a1, true);
  draw_series(dl, layout);
  const std::vector<Readout> readouts = hover(dl, layout);
  dl->PopClipRect();
  draw_legend(dl, layout);
  draw_tooltip(readouts);
  g.open = false;
  ImGui::PopID();
}

}  // namespace plot
