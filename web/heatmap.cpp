#include "heatmap.h"

#include <algorithm>
#include <cmath>

#include "embedded.h"

namespace {

GLuint compile(GLenum type, const char* source, std::string& log) {
  GLuint shader = glCreateShader(type);
  glShaderSource(shader, 1, &source, nullptr);
  glCompileShader(shader);
  GLint ok = 0;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char text[1024] = {0};
    glGetShaderInfoLog(shader, sizeof text, nullptr, text);
    log += (type == GL_VERTEX_SHADER ? "fullscreen.vert: " : "colormap.frag: ");
    log += text;
    glDeleteShader(shader);
    return 0;
  }
  return shader;
}

// An immutable-storage 2D texture, clamped at the edges, magnified without filtering.
GLuint make_texture(GLenum format, int width, int height, GLint min_filter) {
  GLuint texture = 0;
  glGenTextures(1, &texture);
  glBindTexture(GL_TEXTURE_2D, texture);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, min_filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glTexStorage2D(GL_TEXTURE_2D, 1, format, width, height);
  return texture;
}

}  // namespace

bool colormap_init(ColormapProgram& p) {
  GLuint vs = compile(GL_VERTEX_SHADER, embedded::fullscreen_vert, p.log);
  GLuint fs = compile(GL_FRAGMENT_SHADER, embedded::colormap_frag, p.log);
  if (!vs || !fs) return false;
  p.program = glCreateProgram();
  glAttachShader(p.program, vs);
  glAttachShader(p.program, fs);
  glLinkProgram(p.program);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = 0;
  glGetProgramiv(p.program, GL_LINK_STATUS, &ok);
  if (!ok) {
    char text[1024] = {0};
    glGetProgramInfoLog(p.program, sizeof text, nullptr, text);
    p.log += "colormap program: ";
    p.log += text;
    return false;
  }
  p.u_values = glGetUniformLocation(p.program, "u_values");
  p.u_range = glGetUniformLocation(p.program, "u_range");
  glGenVertexArrays(1, &p.vao);
  return true;
}

void heatmap_set(Heatmap& map, const float* log10_values, int width, int height) {
  map.values.assign(log10_values, log10_values + static_cast<size_t>(width) * height);
  if (width != map.width || height != map.height) heatmap_destroy(map);
  map.width = width;
  map.height = height;
  map.dirty = true;
}

void heatmap_set_range(Heatmap& map, float lo, float hi) {
  if (lo == map.lo && hi == map.hi) return;
  map.lo = lo;
  map.hi = hi;
  map.dirty = true;
}

bool heatmap_render(const ColormapProgram& p, Heatmap& map) {
  if (!map.dirty || !p.program || map.width <= 0 || map.height <= 0) return false;
  // Texture sizes: one texel per cell, up to what the GPU allows (WebGL2 guarantees 2048).
  GLint max_size = 2048;
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_size);
  if (map.width > max_size || map.height > max_size) return false;
  const int out_w = map.width, out_h = map.height;

  GLint last_texture = 0, last_fbo = 0, last_vao = 0, last_program = 0, viewport[4];
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &last_texture);
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &last_fbo);
  glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &last_vao);
  glGetIntegerv(GL_CURRENT_PROGRAM, &last_program);
  glGetIntegerv(GL_VIEWPORT, viewport);

  glActiveTexture(GL_TEXTURE0);
  if (!map.values_tex) {
    // R32F is not filterable in WebGL2 without an extension; the shader uses texelFetch anyway.
    map.values_tex = make_texture(GL_R32F, map.width, map.height, GL_NEAREST);
    // Linear when minified, nearest when magnified: every cell stays a crisp block of one colour.
    map.image_tex = make_texture(GL_RGBA8, out_w, out_h, GL_LINEAR);

    glGenFramebuffers(1, &map.fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, map.fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, map.image_tex, 0);
  }
  glBindTexture(GL_TEXTURE_2D, map.values_tex);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, map.width, map.height, GL_RED, GL_FLOAT,
                  map.values.data());

  glBindFramebuffer(GL_FRAMEBUFFER, map.fbo);
  glViewport(0, 0, out_w, out_h);
  glDisable(GL_BLEND);
  glDisable(GL_SCISSOR_TEST);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_CULL_FACE);
  glUseProgram(p.program);
  glUniform1i(p.u_values, 0);
  glUniform2f(p.u_range, map.lo, map.hi);
  glBindVertexArray(p.vao);
  glDrawArrays(GL_TRIANGLES, 0, 3);

  glBindVertexArray(last_vao);
  glUseProgram(last_program);
  glBindFramebuffer(GL_FRAMEBUFFER, last_fbo);
  glBindTexture(GL_TEXTURE_2D, last_texture);
  glViewport(viewport[0], viewport[1], viewport[2], viewport[3]);
  map.dirty = false;
  return true;
}

float heatmap_value(const Heatmap& map, int column, int row) {
  if (column < 0 || row < 0 || column >= map.width || row >= map.height) return NAN;
  return map.values[static_cast<size_t>(row) * map.width + column];
}

void heatmap_destroy(Heatmap& map) {
  if (map.fbo) glDeleteFramebuffers(1, &map.fbo);
  if (map.image_tex) glDeleteTextures(1, &map.image_tex);
  if (map.values_tex) glDeleteTextures(1, &map.values_tex);
  map.fbo = map.image_tex = map.values_tex = 0;
  map.dirty = true;
}
