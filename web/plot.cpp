// The plot module (see plot.h). Everything is kept in "axis space": the data for a Linear axis,
// log10 of the data for Log10, the data themselves for Log10Exp. Ticks, fitting, decimation and
// hover all work there; only labels and read-outs go back to data units.
#include "plot.h"

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
  std::vector<Series> series;
  int used = 0;  // series[0, used) are this frame's
  int next_color = 0;
};
Builder g;

struct Tick {
  double pos;  // axis space
  bool major;
  char text[32];  // label (majors only); for powers of ten the base "10"
  char sup[16];   // superscript exponent, empty when the label is plain
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
  t.sup[0] = 0;
}

void label_power(Tick& t, double exponent) {
  if (exponent == 0) exponent = 0;  // -0 (from ceil of a small negative) would print as "-0"
  std::snprintf(t.text, sizeof t.text, "10");
  if (exponent == std::floor(exponent)) {
    std::snprintf(t.sup, sizeof t.sup, "%.0f", exponent);
  } else {
    std::snprintf(t.sup, sizeof t.sup, "%.2g", exponent);
  }
}

// Ticks over [lo, hi] (axis space) for an axis `pixels` long wanting one label per `spacing`.
void make_ticks(const AxisState& a, float pixels, float spacing, std::vector<Tick>& out) {
  out.clear();
  const double lo = a.min, hi = a.max, span = hi - lo;
  if (!(span > 0) || !finite(span)) return;
  const double target = std::max(2.0, static_cast<double>(pixels / spacing));
  auto add = [&](double pos, bool major) -> Tick& {
    out.push_back(Tick{pos, major, {0}, {0}});
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

// Width and drawing of a tick label, "10" with a raised exponent for powers of ten.
float label_width(const Tick& t, float font, float small) {
  ImFont* f = ImGui::GetFont();
  float w = f->CalcTextSizeA(font, FLT_MAX, 0, t.text).x;
  if (t.sup[0]) w += 1 + f->CalcTextSizeA(small, FLT_MAX, 0, t.sup).x;
  return w;
}

void draw_label(ImDrawList* dl, const Tick& t, ImVec2 p, ImU32 col, float font, float small) {
  ImFont* f = ImGui::GetFont();
  dl->AddText(f, font, p, col, t.text);
  if (t.sup[0]) {
    const float w = f->CalcTextSizeA(font, FLT_MAX, 0, t.text).x;
    dl->AddText(f, small, ImVec2(p.x + w + 1, p.y - font * 0.28f), col, t.sup);
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
    return;
  }
  if (scale != Scale::Log10Exp || std::fabs(value) < 300) {
    const double v = scale == Scale::Log10Exp ? std::pow(10.0, value) : value;
    std::snprintf(buffer, size, "%.4g", v);
    return;
  }
  // 10^value beyond double range: mantissa and exponent from the integer and fractional parts.
  double e = std::floor(value);
  double m = std::pow(10.0, value - e);
  if (m >= 9.9995) m /= 10, e += 1;
  std::snprintf(buffer, size, "%.3fe%+.0f", m, e);
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

void PlotLine(const char* label, const double* xs, const double* ys, int n,
              const LineStyle& style) {
  Series& s = add_series(label, Kind::Line, style);
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

void EndPlot() {
  IM_ASSERT(g.open && "EndPlot without a BeginPlot that returned true");
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize(), small = font * 0.72f;
  const ImU32 text_col = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 dim_col = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const ImVec2 p0 = g.pos, p1 = ImVec2(g.pos.x + g.size.x, g.pos.y + g.size.y);
  AxisState& ax = g.axis[X];
  AxisState& ay = g.axis[Y];

  // --- layout: title on top, rotated y label and tick labels left, x labels below ---
  fit(X);
  fit(Y);
  float title_h = g.title.empty() ? kPad : font + kPad;
  const float bottom = kPad + font + (ax.label.empty() ? 0 : font + 2) + kTickLength;

  // Legend entries: a swatch and the label. Inside the plot as a box when it fits comfortably,
  // else flowed in rows between the title and the plot area (small plots, phones).
  struct Entry {
    int series;
    float width;
    ImVec2 pos;
  };
  std::vector<Entry> legend;
  const float row = font + 2, swatch = font * 1.2f;
  float entry_w = 0;
  for (int si = 0; si < g.used; ++si) {
    const Series& s = g.series[si];
    const char* end = visible_end(s.label.c_str());
    if (end == s.label.c_str() || !s.style.legend) continue;  // "##name": not in the legend
    legend.push_back({si, swatch + 14 + ImGui::CalcTextSize(s.label.c_str(), end).x, ImVec2()});
    entry_w = std::max(entry_w, legend.back().width);
  }
  const ImVec2 box(entry_w + 8, legend.size() * row + 12);
  const bool legend_inside =
      box.x <= 0.45f * g.size.x && box.y <= 0.55f * (g.size.y - title_h - bottom);
  if (!legend.empty() && !legend_inside) {
    float x = p0.x + kPad, y = p0.y + title_h;
    for (Entry& e : legend) {
      if (x + e.width > p1.x - kPad && x > p0.x + kPad) x = p0.x + kPad, y += row;
      e.pos = ImVec2(x, y);
      x += e.width + 10;
    }
    title_h = y + row + 4 - p0.y;
  }

  // The y label reads bottom to top beside the axis, or, when longer than the plot is high,
  // horizontally on a line of its own above the plot area.
  const float ylabel_len = ay.label.empty() ? 0 : ImGui::CalcTextSize(ay.label.c_str()).x;
  const bool ylabel_rotated = ylabel_len > 0 && ylabel_len <= g.size.y - title_h - bottom;
  const float ylabel_y = p0.y + title_h;
  if (ylabel_len > 0 && !ylabel_rotated) title_h += row + font * 0.5f;  // room for "10^k"

  std::vector<Tick> xt, yt;
  const float plot_h = std::max(10.0f, g.size.y - title_h - bottom);
  make_ticks(ay, plot_h, font * 3.0f, yt);
  float ylabel_w = 0;
  for (const Tick& t : yt) {
    if (t.major) ylabel_w = std::max(ylabel_w, label_width(t, font, small));
  }
  const float left = kPad + (ylabel_rotated ? font + 4 : 0) + ylabel_w + kTickLength + 2;
  const ImVec2 a0(p0.x + left, p0.y + title_h);
  const ImVec2 a1(p1.x - kPad - 4, p1.y - bottom);
  const float w = std::max(1.0f, a1.x - a0.x), h = std::max(1.0f, a1.y - a0.y);
  make_ticks(ax, w, font * 5.0f, xt);

  auto sx = [&](double v) {
    const double t = (v - ax.min) / (ax.max - ax.min);
    return static_cast<float>(a0.x + std::clamp(t, -1e3, 1e3) * w);
  };
  auto sy = [&](double v) {
    const double t = (v - ay.min) / (ay.max - ay.min);
    return static_cast<float>(a1.y - std::clamp(t, -1e3, 1e3) * h);
  };

  // --- frame, title, grid, ticks, axis labels ---
  dl->AddRectFilled(a0, a1, IM_COL32(255, 255, 255, 10));
  if (!g.title.empty()) {
    const float tw = ImGui::CalcTextSize(g.title.c_str()).x;
    dl->AddText(ImVec2(a0.x + std::max(0.0f, (w - tw) / 2), p0.y + 2), text_col, g.title.c_str());
  }
  for (const Tick& t : yt) {
    const float y = sy(t.pos);
    if (y < a0.y - 0.5f || y > a1.y + 0.5f) continue;
    dl->AddLine(ImVec2(a0.x, y), ImVec2(a1.x, y), IM_COL32(255, 255, 255, t.major ? 34 : 12));
    dl->AddLine(ImVec2(a0.x - (t.major ? kTickLength : 3), y), ImVec2(a0.x, y), dim_col);
    if (t.major) {
      const float lw = label_width(t, font, small);
      draw_label(dl, t, ImVec2(a0.x - kTickLength - 3 - lw, y - font / 2), dim_col, font, small);
    }
  }
  float last_label_end = -INFINITY;
  for (const Tick& t : xt) {
    const float x = sx(t.pos);
    if (x < a0.x - 0.5f || x > a1.x + 0.5f) continue;
    dl->AddLine(ImVec2(x, a0.y), ImVec2(x, a1.y), IM_COL32(255, 255, 255, t.major ? 34 : 12));
    dl->AddLine(ImVec2(x, a1.y), ImVec2(x, a1.y + (t.major ? kTickLength : 3)), dim_col);
    if (t.major) {
      const float lw = label_width(t, font, small);
      const float lx = std::clamp(x - lw / 2, p0.x, p1.x - lw);
      if (lx > last_label_end + 4) {  // never overlap two labels
        draw_label(dl, t, ImVec2(lx, a1.y + kTickLength + 1), dim_col, font, small);
        last_label_end = lx + lw;
      }
    }
  }
  dl->AddRect(a0, a1, IM_COL32(255, 255, 255, 60));
  if (!ax.label.empty()) {
    const float lw = ImGui::CalcTextSize(ax.label.c_str()).x;
    dl->AddText(ImVec2(a0.x + std::max(0.0f, (w - lw) / 2), a1.y + kTickLength + font + 2),
                text_col, ax.label.c_str());
  }
  if (ylabel_len > 0 && !ylabel_rotated) {
    dl->AddText(ImVec2(p0.x + kPad, ylabel_y), text_col, ay.label.c_str());
  } else if (ylabel_rotated) {
    draw_vertical_text(dl, ImVec2(p0.x + kPad + font / 2, (a0.y + a1.y) / 2), a0, text_col,
                       ay.label.c_str());
  }

  // --- series, clipped to the plot area: bands, then lines, then reference lines ---
  dl->PushClipRect(a0, a1, true);
  std::vector<ImVec2> pts;
  for (int pass = 0; pass < 3; ++pass) {
    for (int si = 0; si < g.used; ++si) {
      const Series& s = g.series[si];
      if (s.hidden) continue;
      const ImU32 col = s.style.color;
      const float lw = s.style.weight;
      if (pass == 0 && s.kind == Kind::Band) {
        const ImU32 fill = (col & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 60);
        // Adjacent quads: anti-aliased edges would overlap into visible stripes.
        const ImDrawListFlags saved_flags = dl->Flags;
        dl->Flags &= ~ImDrawListFlags_AntiAliasedFill;
        for (size_t i = 0; i + 1 < s.x.size(); ++i) {
          if (!finite(s.x[i]) || !finite(s.x[i + 1]) || !finite(s.y[i]) || !finite(s.y2[i]) ||
              !finite(s.y[i + 1]) || !finite(s.y2[i + 1]))
            continue;
          dl->AddQuadFilled(ImVec2(sx(s.x[i]), sy(s.y[i])), ImVec2(sx(s.x[i + 1]), sy(s.y[i + 1])),
                            ImVec2(sx(s.x[i + 1]), sy(s.y2[i + 1])),
                            ImVec2(sx(s.x[i]), sy(s.y2[i])), fill);
        }
        dl->Flags = saved_flags;
      } else if (pass == 1 && s.kind == Kind::Line) {
        // Points to pixels. With many more points than pixel columns, keep each column's
        // lowest and highest point only: the drawn picture is the same, the vertex count small.
        const bool decimate = s.sorted && s.x.size() > static_cast<size_t>(2 * w);
        pts.clear();
        auto flush = [&]() {
          if (pts.size() >= 2) {
            if (s.style.dashed) {
              for (size_t i = 0; i + 1 < pts.size(); ++i)
                dashed_line(dl, pts[i], pts[i + 1], col, lw);
            } else {
              dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), col, ImDrawFlags_None, lw);
            }
          } else if (pts.size() == 1) {
            dl->AddCircleFilled(pts[0], lw, col);
          }
          pts.clear();
        };
        int column = INT32_MIN;
        float lo = 0, hi = 0;
        for (size_t i = 0; i < s.x.size(); ++i) {
          if (!finite(s.x[i]) || !finite(s.y[i])) {
            if (decimate && column != INT32_MIN) {
              pts.push_back(ImVec2(static_cast<float>(column), lo));
              if (hi != lo) pts.push_back(ImVec2(static_cast<float>(column), hi));
              column = INT32_MIN;
            }
            flush();
            continue;
          }
          const ImVec2 p(sx(s.x[i]), sy(s.y[i]));
          if (!decimate) {
            pts.push_back(p);
            continue;
          }
          const int c = static_cast<int>(std::floor(p.x));
          if (c != column) {
            if (column != INT32_MIN) {
              pts.push_back(ImVec2(static_cast<float>(column), lo));
              if (hi != lo) pts.push_back(ImVec2(static_cast<float>(column), hi));
            }
            column = c, lo = hi = p.y;
          } else {
            lo = std::min(lo, p.y), hi = std::max(hi, p.y);
          }
        }
        if (decimate && column != INT32_MIN) {
          pts.push_back(ImVec2(static_cast<float>(column), lo));
          if (hi != lo) pts.push_back(ImVec2(static_cast<float>(column), hi));
        }
        flush();
      } else if (pass == 2 && s.kind == Kind::Markers) {
        for (size_t i = 0; i < s.x.size(); ++i) {
          if (!finite(s.x[i]) || std::isnan(s.y[i])) continue;
          const float x = sx(s.x[i]), r = 1.5f * lw + 1;
          if (s.y[i] == INFINITY) {  // beyond range: a triangle pointing up at the top edge
            dl->AddTriangleFilled(ImVec2(x, a0.y + 1), ImVec2(x - r - 2, a0.y + 2 * r + 3),
                                  ImVec2(x + r + 2, a0.y + 2 * r + 3), col);
          } else {
            dl->AddCircleFilled(ImVec2(x, sy(s.y[i])), r, col);
            dl->AddCircle(ImVec2(x, sy(s.y[i])), r + 0.5f, IM_COL32(0, 0, 0, 160));
          }
        }
      } else if (pass == 2 && (s.kind == Kind::VLine || s.kind == Kind::HLine)) {
        const double v = s.kind == Kind::VLine ? s.x[0] : s.y[0];
        if (!finite(v)) continue;
        const ImVec2 a = s.kind == Kind::VLine ? ImVec2(sx(v), a0.y) : ImVec2(a0.x, sy(v));
        const ImVec2 b = s.kind == Kind::VLine ? ImVec2(sx(v), a1.y) : ImVec2(a1.x, sy(v));
        if (s.style.dashed) {
          dashed_line(dl, a, b, col, lw);
        } else {
          dl->AddLine(a, b, col, lw);
        }
      }
    }
  }

  // --- hover read-out: crosshair, markers on the nearest points, exact values in a tooltip ---
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool in_area =
      g.hovered && mouse.x >= a0.x && mouse.x <= a1.x && mouse.y >= a0.y && mouse.y <= a1.y;
  struct Readout {
    int series, index;
  };
  std::vector<Readout> readouts;
  if (in_area) {
    const double xm = ax.min + (mouse.x - a0.x) / w * (ax.max - ax.min);
    dl->AddLine(ImVec2(mouse.x, a0.y), ImVec2(mouse.x, a1.y), IM_COL32(255, 255, 255, 70));
    for (int si = 0; si < g.used; ++si) {
      const Series& s = g.series[si];
      if (s.hidden || s.kind == Kind::VLine || s.kind == Kind::HLine) continue;
      const int i = nearest(s, xm);
      if (i < 0 || std::isnan(s.y[i]) || (s.kind != Kind::Markers && !finite(s.y[i]))) continue;
      // a marker is read out only when the mouse is over its column
      if (s.kind == Kind::Markers && std::fabs(sx(s.x[i]) - mouse.x) > 6) continue;
      readouts.push_back({si, i});
      if (s.kind == Kind::Line) {
        const ImVec2 p(sx(s.x[i]), sy(s.y[i]));
        dl->AddCircleFilled(p, 4.0f, s.style.color);
        dl->AddCircle(p, 4.5f, IM_COL32(0, 0, 0, 200));
      }
    }
  }
  dl->PopClipRect();

  // --- legend; a click on an entry hides or shows its series ---
  if (!legend.empty() && legend_inside) {
    // The corner that hides the fewest data points: top right, top left, bottom right, bottom left.
    ImVec2 best(a1.x - 6 - box.x, a0.y + 6);
    int best_count = INT32_MAX;
    for (int corner = 0; corner < 4 && best_count > 0; ++corner) {
      const ImVec2 c((corner & 1) ? a0.x + 6 : a1.x - 6 - box.x,
                     (corner & 2) ? a1.y - 6 - box.y : a0.y + 6);
      int count = 0;
      for (int si = 0; si < g.used; ++si) {
        const Series& s = g.series[si];
        if (s.hidden || s.kind != Kind::Line) continue;
        const size_t stride = std::max<size_t>(1, s.x.size() / 256);
        for (size_t i = 0; i < s.x.size(); i += stride) {
          const float x = sx(s.x[i]), y = sy(s.y[i]);
          count += x >= c.x && x <= c.x + box.x && y >= c.y && y <= c.y + box.y;
        }
      }
      if (count < best_count) best_count = count, best = c;
    }
    dl->AddRectFilled(best, ImVec2(best.x + box.x, best.y + box.y), IM_COL32(20, 22, 28, 215),
                      4.0f);
    for (size_t i = 0; i < legend.size(); ++i) {
      legend[i].pos = ImVec2(best.x + 4, best.y + 6 + i * row);
      legend[i].width = entry_w;
    }
  }
  for (const Entry& e : legend) {
    Series& s = g.series[e.series];
    const char* end = visible_end(s.label.c_str());
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
    } else if (s.style.dashed) {
      dashed_line(dl, ImVec2(x0, cy), ImVec2(x0 + swatch, cy), col, 2.0f);
    } else {
      dl->AddLine(ImVec2(x0, cy), ImVec2(x0 + swatch, cy), col, 3.0f);
    }
    dl->AddText(ImVec2(x0 + swatch + 6, e.pos.y), s.hidden ? dim_col : text_col, s.label.c_str(),
                end);
  }

  if (!readouts.empty()) {
    char xs[48], ys[48], y2s[48];
    const Series& first = g.series[readouts[0].series];
    FormatValue(ax.scale == Scale::Log10 ? Scale::Linear : ax.scale,
                ax.scale == Scale::Log10 ? std::pow(10.0, first.x[readouts[0].index])
                                         : first.x[readouts[0].index],
                xs, sizeof xs);
    ImGui::BeginTooltip();
    ImGui::Text("%s = %s", ax.label.empty() ? "x" : ax.label.c_str(), xs);
    for (const Readout& r : readouts) {
      const Series& s = g.series[r.series];
      auto fmt = [&](double v, char* out, int size) {
        if (ay.scale == Scale::Log10) {
          FormatValue(Scale::Linear, std::pow(10.0, v), out, size);
        } else {
          FormatValue(ay.scale, v, out, size);
        }
      };
      fmt(s.y[r.index], ys, sizeof ys);
      ImDrawList* tl = ImGui::GetWindowDrawList();
      const ImVec2 c = ImGui::GetCursorScreenPos();
      tl->AddRectFilled(ImVec2(c.x, c.y + font * 0.3f),
                        ImVec2(c.x + font * 0.4f, c.y + font * 0.7f), s.style.color);
      ImGui::Dummy(ImVec2(font * 0.5f, font));
      ImGui::SameLine();
      const int len = static_cast<int>(visible_end(s.label.c_str()) - s.label.c_str());
      if (s.kind == Kind::Band) {
        fmt(s.y2[r.index], y2s, sizeof y2s);
        ImGui::Text("%.*s: %s .. %s", len, s.label.c_str(), ys, y2s);
      } else if (ay.scale == Scale::Log10Exp && finite(s.y[r.index])) {
        ImGui::Text("%.*s: %s  (log10 %.3f)", len, s.label.c_str(), ys, s.y[r.index]);
      } else {
        ImGui::Text("%.*s: %s", len, s.label.c_str(), ys);
      }
    }
    ImGui::EndTooltip();
  }

  g.open = false;
  ImGui::PopID();
}

}  // namespace plot
