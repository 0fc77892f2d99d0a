#version 300 es
// Log-scale colormap of gradient magnitudes. The input is a float texture holding
// log10 |g| per cell (time step x hidden unit); the output is an RGBA colour through viridis,
// which is perceptually uniform, colour-blind safe and readable in greyscale. Because the data
// are already exponents, a 10^-300 gradient and a 10^-3000 one (beyond float range) both map
// correctly: only the window [lo, hi] in log10 units decides the colour.
precision highp float;
precision highp sampler2D;

uniform sampler2D u_values;  // R32F, log10 |g|; -inf where g is exactly 0
uniform vec2 u_range;        // (lo, hi): log10 values mapped to the two ends of the map

in vec2 v_uv;
out vec4 o_color;

// viridis sampled at 8 evenly spaced points (matplotlib's values), linear in between.
const vec3 kViridis[8] = vec3[8](
    vec3(0.267, 0.005, 0.329), vec3(0.275, 0.200, 0.494), vec3(0.212, 0.359, 0.552),
    vec3(0.153, 0.498, 0.558), vec3(0.122, 0.632, 0.530), vec3(0.290, 0.758, 0.428),
    vec3(0.624, 0.855, 0.227), vec3(0.993, 0.906, 0.144));

void main() {
  // Nearest texel: each cell of the heatmap is one number, never blended with its neighbours.
  ivec2 size = textureSize(u_values, 0);
  ivec2 texel = clamp(ivec2(v_uv * vec2(size)), ivec2(0), size - 1);
  float v = texelFetch(u_values, texel, 0).r;
  if (isnan(v) || isinf(v)) {  // exactly zero (log10 = -inf) or undefined: neutral grey
    o_color = vec4(0.16, 0.16, 0.18, 1.0);
    return;
  }
  float t = clamp((v - u_range.x) / max(u_range.y - u_range.x, 1e-6), 0.0, 1.0);
  float s = t * 7.0;
  int i = min(int(s), 6);
  o_color = vec4(mix(kViridis[i], kViridis[i + 1], s - float(i)), 1.0);
}
