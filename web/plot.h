// A small plot module drawn with ImDrawList, with the shape of ImPlot's API (ImPlot itself is
// not packaged here): BeginPlot / SetupAxis / PlotLine ... / EndPlot, taking plain arrays and
// knowing nothing about where the numbers came from.
//
//   if (plot::BeginPlot("Gradient through time")) {
//     plot::SetupAxis(plot::X, "steps back from the loss");
//     plot::SetupAxis(plot::Y, "||dL/dh||", plot::Scale::Log10Exp);  // ys are log10 values
//     plot::PlotLine("tanh RNN", ks, log10_norms, n);
//     plot::EndPlot();
//   }
//
// Series are copied when added and drawn in EndPlot, once every axis limit is known; so the
// arrays only need to live until the call returns. Axes fit the data unless SetupAxisLimits is
// called. Log axes get ticks at decades (and 2..9 between them when there is room) labelled
// 10^k; the legend toggles series on click; hovering shows the exact values under the mouse.
#pragma once
#include "imgui.h"

namespace plot {

enum Axis { X = 0, Y = 1 };

enum class Scale {
  Linear,   // data linear, axis linear
  Log10,    // data are positive values; the axis is logarithmic (non-positive values skipped)
  Log10Exp  // data are already log10 of the quantity; the axis is drawn and labelled as Log10.
            // For magnitudes beyond double range, e.g. a gradient of 10^-1500 passed as -1500.
};

// The Okabe-Ito palette (colour-blind safe); series take these in order unless given a colour.
ImU32 PaletteColor(int index);

struct LineStyle {
  ImU32 color = 0;      // 0: the next palette colour
  float weight = 2.0f;  // line width in CSS pixels
  bool dashed = false;  // dashed reference lines (baselines, thresholds)
  bool legend = true;   // false: named in the hover read-out, but not in the legend
  bool hollow = false;  // markers: rings instead of dots
};

// Starts a plot filling `size` (x <= 0: available width; y <= 0: a height from the width).
// Returns false when it is clipped away; then call nothing else, EndPlot included.
bool BeginPlot(const char* title, const ImVec2& size = ImVec2(-1, 0));
void SetupAxis(Axis axis, const char* label, Scale scale = Scale::Linear);
// Fixed limits, in data units (for Log10Exp: log10 units). Without it the axis fits the data.
void SetupAxisLimits(Axis axis, double min, double max);
// The same length for one unit on both linear axes (a circle stays round): the axis that would
// be shorter per unit is widened about its middle.
void SetupEqualAspect();

// Series. n points; non-finite values (and non-positive ones on a Log10 axis) break the line.
void PlotLine(const char* label, const double* xs, const double* ys, int n,
              const LineStyle& style = LineStyle());
void PlotLine(const char* label, const float* xs, const float* ys, int n,
              const LineStyle& style = LineStyle());
// A band between y_lo and y_hi (e.g. the spread over seeds), drawn translucent under the lines.
void PlotShaded(const char* label, const double* xs, const double* y_lo, const double* y_hi, int n,
                const LineStyle& style = LineStyle());
// Points drawn as dots on top of the lines (iterations where clipping acted, where a run
// diverged). A y of +inf is a point beyond the representable range: drawn as a triangle at the
// top edge, and read out as "overflow"; NaN points are not drawn.
void PlotMarkers(const char* label, const double* xs, const double* ys, int n,
                 const LineStyle& style = LineStyle());
// Reference lines across the whole plot: a vertical one at x (the current length), a
// horizontal one at y (a chance baseline, a clipping threshold).
void PlotVLine(const char* label, double x, const LineStyle& style = LineStyle());
void PlotHLine(const char* label, double y, const LineStyle& style = LineStyle());

// Draws axes, grid, series, legend and the hover read-out; closes the plot.
void EndPlot();

// Formats a value as the axis would show it in a read-out ("0.35", "3.16e-1500"; "0" for a
// log10 of -inf, "overflow" for +inf or NaN).
void FormatValue(Scale scale, double value, char* buffer, int size);

// 10^exponent with `digits` significant digits, at any depth: "0.38", "2.9e-9", "4.1e-1500"
// (plain where printf's %g would be plain; the exponent never padded as in C's "e-09").
void FormatPowerOfTen(double exponent, int digits, char* buffer, int size);

// "10" with the exponent raised, as the log axes label their decades (and the heatmap's colour
// bar its own); returns its width. With a null draw list it only measures.
float DrawPowerLabel(ImDrawList* draw_list, ImVec2 pos, ImU32 color, double exponent);

}  // namespace plot
