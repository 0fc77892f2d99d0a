// Gradient heatmaps on the GPU. A float texture holds log10 |g| per cell (columns = time steps,
// rows = hidden units); shaders/colormap.frag maps it through viridis into an RGBA texture that
// ImGui draws as an image. The same program draws the colour bar, so the bar is the map itself.
#pragma once
#include <GLES3/gl3.h>

#include <string>
#include <vector>

// The compiled colormap program (shaders/fullscreen.vert + shaders/colormap.frag).
struct ColormapProgram {
  GLuint program = 0;
  GLuint vao = 0;       // empty: the vertex shader makes its triangle from gl_VertexID
  GLint u_values = -1;  // sampler2D, texture unit 0
  GLint u_range = -1;   // vec2 (lo, hi) in log10 units
  std::string log;      // compile/link errors, shown in the UI when not empty
};

struct Heatmap {
  int width = 0, height = 0;  // cells: width = time steps, height = units
  std::vector<float> values;  // (height, width) row-major, log10 |g|; kept for hover read-outs
  float lo = -8, hi = 0;      // log10 window mapped to the ends of the colormap
  GLuint values_tex = 0;      // R32F, width x height
  GLuint image_tex = 0;       // RGBA8, what ImGui shows
  GLuint fbo = 0;
  bool dirty = false;  // values or window changed: render again before drawing
};

// Compiles and links the program from the embedded shaders/ sources; false (and `log`) on error.
bool colormap_init(ColormapProgram& program);

// Replaces the values (row-major, height rows of width log10 magnitudes) and marks it dirty.
// Width and height are at most GL_MAX_TEXTURE_SIZE (WebGL2 guarantees 2048): longer sequences
// are to be reduced (e.g. max over windows of steps) before; larger maps are not drawn.
void heatmap_set(Heatmap& map, const float* log10_values, int width, int height);
void heatmap_set_range(Heatmap& map, float lo, float hi);

// Renders a dirty heatmap into its image texture; true if it did. Call outside ImGui's rendering
// (before it).
bool heatmap_render(const ColormapProgram& program, Heatmap& map);

// The value under a cell, or NaN outside.
float heatmap_value(const Heatmap& map, int column, int row);

void heatmap_destroy(Heatmap& map);
