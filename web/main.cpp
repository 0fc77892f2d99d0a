// gradscope in the browser: SDL2 + Dear ImGui + WebGL2 over core/.
//
// main() is a sequence of commented blocks as in Dear ImGui's examples: platform, Dear ImGui,
// application state, main loop. In a browser the loop is frame(), called once per animation
// frame by Emscripten; main() returns into the page and nothing is ever torn down.
#include <GLES3/gl3.h>
#include <SDL.h>
#include <emscripten.h>
#include <emscripten/html5.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "app.h"
#include "bridge.h"
#include "embedded.h"
#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "imgui_impl_sdl.h"
#include "ui.h"
#include "views.h"

namespace {

constexpr float kFontSize = 16.0f;  // CSS pixels
constexpr double kFirstPictureWaitMs = 600;  // see frame()
constexpr double kReceiveAloneMs = 8;      // a message that took longer: its frame draws nothing (frame())

// The font atlas, rasterized at the device pixel ratio and drawn at 1/dpr: one texel per
// physical pixel, so text stays sharp on HiDPI screens (ImGui works in CSS pixels, the
// backend scales to the drawing buffer). Rebuilt when the ratio changes (zoom, other screen).
void build_fonts(App& app, float dpr) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig config;
  config.FontDataOwnedByAtlas = false;  // the bytes are embedded in the binary
  config.OversampleH = 2;
  std::snprintf(config.Name, sizeof config.Name, "UI font, %.0f px", kFontSize * dpr);
  io.Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(embedded::ui_font),
                                 static_cast<int>(sizeof embedded::ui_font), kFontSize * dpr,
                                 &config);
  io.FontGlobalScale = 1.0f / dpr;
  if (app.backend_ready) {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  app.font_dpr = dpr;
  app.redraw = true;  // the atlas may be new under the same texture name
}

void set_style() {
  ImGui::StyleColorsDark();
  ImGuiStyle& s = ImGui::GetStyle();
  s.WindowRounding = 0;
  s.WindowBorderSize = 1;
  s.FrameRounding = 4;
  s.WindowPadding = ImVec2(10, 8);
  s.ItemSpacing = ImVec2(8, 6);
  s.Colors[ImGuiCol_WindowBg] = ImVec4(0.09f, 0.10f, 0.12f, 1.0f);
  s.Colors[ImGuiCol_TitleBg] = s.Colors[ImGuiCol_TitleBgActive] = ImVec4(0.13f, 0.15f, 0.19f, 1);
  s.Colors[ImGuiCol_Border] = ImVec4(1, 1, 1, 0.10f);
}

// The WebGL context can be lost (a GPU reset, the browser reclaiming contexts) and given back
// empty. Asking for it back (returning true: preventDefault) and rebuilding every GL object on
// restore keeps the page, its results and training in progress; nothing is drawn meanwhile.
EM_BOOL on_context_lost(int, const void*, void* user) {
  static_cast<App*>(user)->context_lost = true;
  return EM_TRUE;
}

EM_BOOL on_context_restored(int, const void*, void* user) {
  App& app = *static_cast<App*>(user);
  ImGui_ImplOpenGL3_DestroyDeviceObjects();  // the lost context's names, forgotten
  ImGui_ImplOpenGL3_CreateDeviceObjects();   // shaders, buffers and the font atlas, anew
  app.colormap = ColormapProgram();
  colormap_init(app.colormap);
  for (CellHeatmap& h : app.heatmaps) heatmap_destroy(h.map);  // rebuilt from their values
  for (Heatmap& map : app.trainability_maps) heatmap_destroy(map);
  heatmap_destroy(app.colorbar);
  app.context_lost = false;
  app.redraw = true;  // the new context's canvas is empty
  ++app.context_restores;
  return EM_TRUE;
}

// What a frame draws, byte for byte: the display's size and scale, and each draw list's vertices,
// indices and commands (clip rectangles, textures, offsets, counts). A frame whose picture equals
// the last one drawn draws nothing: WebGL keeps showing the last picture and the browser
// composites nothing new. Under a software renderer (SwiftShader here) each presented frame costs
// the GPU process about 100 ms at 1280x800, so a page that redrew an unchanged picture on every
// animation frame kept a core busy and delayed the frame that brought new results.
void picture_of(const ImDrawData& d, std::string& out) {
  out.clear();
  const auto add = [&out](const void* bytes, size_t n) {
    out.append(static_cast<const char*>(bytes), n);
  };
  add(&d.DisplaySize, sizeof d.DisplaySize);
  add(&d.FramebufferScale, sizeof d.FramebufferScale);
  for (int i = 0; i < d.CmdListsCount; ++i) {
    const ImDrawList& list = *d.CmdLists[i];
    add(list.VtxBuffer.Data, list.VtxBuffer.size_in_bytes());
    add(list.IdxBuffer.Data, list.IdxBuffer.size_in_bytes());
    for (const ImDrawCmd& cmd : list.CmdBuffer) {
      add(&cmd.ClipRect, sizeof cmd.ClipRect);
      add(&cmd.TextureId, sizeof cmd.TextureId);
      add(&cmd.VtxOffset, sizeof cmd.VtxOffset);
      add(&cmd.IdxOffset, sizeof cmd.IdxOffset);
      add(&cmd.ElemCount, sizeof cmd.ElemCount);
      add(&cmd.UserCallback, sizeof cmd.UserCallback);
    }
  }
}

// One animation frame: events, GPU work for the views, the UI, rendering.
void frame(void* arg) {
  App& app = *static_cast<App*>(arg);
  if (app.context_lost) return;  // until the browser gives the context back
  const double start = emscripten_get_now();
  // The first picture waits, up to kFirstPictureWaitMs after main() began, for the curves of the
  // first screen (the loading overlay stays meanwhile): under a software renderer each composited
  // frame costs 100-250 ms, and a first picture of empty plots delays the one with curves by that.
  if (app.frame == 0 && !curves_done(app) && start - app.started_ms < kFirstPictureWaitMs) return;
  // A frame that took in a large message (a 100,000-step curve: megabytes) ends there, and the UI
  // that draws it runs in the next one, so that no frame does both (make bench-page: each stays
  // under 50 ms). Events wait in SDL's queue meanwhile. The frame and its work are counted.
  if (app.frame > 0 && app.receive_ms > kReceiveAloneMs) {
    app.work_ms = app.receive_ms;
    app.work_ms_max = std::max(app.work_ms_max, app.work_ms);
    app.receive_ms = 0;
    app.frame_ms = emscripten_get_now() - start;
    ++app.frame;
    return;
  }

  // --- events ---
  // Dear ImGui 1.86 counts an item as hovered only if it was hovered the frame before, so a tap
  // (pointer moves and presses in one frame) would land on the item under the old position. A
  // press that follows a move in the same frame is held back to the next frame, as ImGui 1.87's
  // input queue does.
  std::vector<SDL_Event> events;
  events.swap(app.held_events);
  SDL_Event event;
  while (SDL_PollEvent(&event)) events.push_back(event);
  // Likewise ImGui 1.86 reads keys as held or not at each frame: a key pressed and released
  // within one frame (a quick Enter) would never be seen, so its release waits a frame too.
  bool moved = false, holding = false;
  std::vector<SDL_Keycode> pressed;
  for (SDL_Event& e : events) {
    if (!holding && e.type == SDL_MOUSEBUTTONDOWN && moved) holding = true;
    if (!holding && e.type == SDL_KEYUP &&
        std::find(pressed.begin(), pressed.end(), e.key.keysym.sym) != pressed.end())
      holding = true;
    if (holding) {
      app.held_events.push_back(e);
      continue;
    }
    moved |= e.type == SDL_MOUSEMOTION;
    if (e.type == SDL_KEYDOWN) pressed.push_back(e.key.keysym.sym);
    ImGui_ImplSDL2_ProcessEvent(&e);
  }

  // --- device pixel ratio changed (zoom, window dragged to another screen): new font atlas ---
  const float dpr = static_cast<float>(emscripten_get_device_pixel_ratio());
  if (dpr != app.font_dpr) build_fonts(app, dpr);

  // --- the URL hash follows slider drags, at most every 300 ms (browsers throttle it) ---
  if (app.config_text != app.hash_written && start >= app.hash_due_ms) {
    bridge_write_hash(app.config_text);
    app.hash_written = app.config_text;
    app.hash_due_ms = start + 300;
  }

  // --- GPU work the views show: heatmaps through the colormap shader ---
  const bool textures_drawn = heatmaps_update(app);
  memory_curves_update(app);

  // --- UI ---
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  if (holding && !app.held_events.empty() && app.held_events[0].type == SDL_MOUSEBUTTONDOWN) {
    // SDL's button state already says "down": not before the held press
    ImGuiIO& io = ImGui::GetIO();
    io.MouseDown[0] = io.MouseDown[1] = io.MouseDown[2] = false;
  }
  ImGui::NewFrame();
  app.phone = ImGui::GetIO().DisplaySize.x < 760;  // one view at a time, under tabs
  Changes changes;  // what the reader asked for: the views only read the App
  draw_ui(app, app.widgets, changes);
  ImGui::Render();
  for (const auto& change : changes) change(app);
  const double ui_end = emscripten_get_now();

  // --- rendering, only of a picture that changed (under a software renderer the GL calls wait
  // for rasterization here) ---
  picture_of(*ImGui::GetDrawData(), app.picture);
  if (app.picture != app.picture_drawn || textures_drawn || app.redraw || app.save_png_requested) {
    int w = 0, h = 0;
    SDL_GL_GetDrawableSize(app.window, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(0.07f, 0.08f, 0.10f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (app.save_png_requested) save_png_now(app);  // the buffer still holds this frame
    SDL_GL_SwapWindow(app.window);
    app.picture_drawn.swap(app.picture);
    app.redraw = false;
    ++app.frames_drawn;
  }

  // --- bookkeeping: frame times, and the page shell told once the first frame is up ---
  // The worker's messages were taken in between frames (bridge.js): count that work here too.
  app.work_ms = ui_end - start + app.receive_ms;
  app.receive_ms = 0;
  app.frame_ms = emscripten_get_now() - start;
  if (app.frame > 0) app.work_ms_max = std::max(app.work_ms_max, app.work_ms);
  if (app.frame++ == 0) bridge_signal_ready();
  if (!app.first_screen_marked && curves_done(app)) {  // this frame drew them all
    bridge_mark("gradscope:first-screen");
    bridge_send_first_screen_drawn();
    app.first_screen_marked = true;
  }
}

}  // namespace

int main(int, char**) {
  App* app = new App();  // lives as long as the page
  app->started_ms = emscripten_get_now();
  // The configuration goes to the compute worker first (window.gradscope, the hash, the first
  // visit's tour), so that the first curves are computed while WebGL, the fonts and the shaders
  // are set up here; nothing in it draws.
  bridge_install(*app);

  // --- platform: SDL2 video and a WebGL2 context on the page's #canvas ---
  // Keyboard events only from the canvas, so other inputs on the page keep working.
  SDL_SetHint(SDL_HINT_EMSCRIPTEN_KEYBOARD_ELEMENT, "#canvas");
  if (SDL_Init(SDL_INIT_VIDEO) != 0) {
    bridge_fail(SDL_GetError());
    return 1;
  }
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);  // OpenGL ES 3.0 = WebGL2
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
  SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
  SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
  SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0);
  // The canvas is sized by the page's CSS; RESIZABLE makes SDL follow it, ALLOW_HIGHDPI makes the
  // drawing buffer devicePixelRatio times larger.
  app->window =
      SDL_CreateWindow("gradscope", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 1280, 800,
                       SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
  app->gl = app->window ? SDL_GL_CreateContext(app->window) : nullptr;
  if (!app->gl) {
    bridge_fail("WebGL2 is not available: the graphics context could not be created.");
    return 1;
  }
  const char* version = reinterpret_cast<const char*>(glGetString(GL_VERSION));
  app->gl_version = version ? version : "";
  app->webgl2 = app->gl_version.find("WebGL 2") != std::string::npos;

  // --- Dear ImGui: context, style, fonts, SDL2 + OpenGL ES 3 backends ---
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // no file system; the layout is fixed anyway
  set_style();
  build_fonts(*app, static_cast<float>(emscripten_get_device_pixel_ratio()));
  ImGui_ImplSDL2_InitForOpenGL(app->window, app->gl);
  ImGui_ImplOpenGL3_Init("#version 300 es");
  app->backend_ready = true;

  // --- application state: shaders, views, configuration from the URL hash ---
  emscripten_set_webglcontextlost_callback("#canvas", app, true, on_context_lost);
  emscripten_set_webglcontextrestored_callback("#canvas", app, true, on_context_restored);
  colormap_init(app->colormap);
  heatmaps_update(
      *app);  // the colour bar's first draw: shader compilation happens here, not mid-run

  // --- main loop: frame() once per animation frame; main() returns into the page ---
  emscripten_set_main_loop_arg(frame, app, 0, true);
  return 0;
}
