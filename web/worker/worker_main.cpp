// The compute worker's WebAssembly module (compute.js + compute.wasm, loaded by web/worker/worker.js):
// the one Compute of the page, the functions worker.js calls, and the message of what changed.
#include <emscripten.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "training/critical.h"
#include "worker/compute.h"
#include "worker/protocol.h"

namespace {

Compute g_compute;
Outbox g_outbox;
std::vector<uint8_t> g_update;  // the last message, read by worker.js
WorkerStatus g_status;          // page messages handled, memory: in every update
std::string g_model_file;       // the last "Download model" file, read by worker.js
int g_helper_diverged_at = 0;   // a helper's last run (helper_run)

}  // namespace

extern "C" {

// The page's whole configuration, canonical text: restarts the jobs whose inputs changed. The
// page has parsed it already; text that does not parse (never expected) changes nothing.
EMSCRIPTEN_KEEPALIVE void worker_config(const char* text) {
  gs::Config config;
  if (gs::parse_config(config, text).empty()) compute_sync(g_compute, config);
  ++g_status.commands_done;
}

EMSCRIPTEN_KEEPALIVE void worker_train(int action) {
  if (action >= 0 && action <= static_cast<int>(TrainAction::Reset))
    training_do(g_compute, static_cast<TrainAction>(action));
  ++g_status.commands_done;
}

EMSCRIPTEN_KEEPALIVE void worker_critical(int action) {
  if (action >= 0 && action <= static_cast<int>(CriticalAction::Stop))
    critical_command(g_compute, static_cast<CriticalAction>(action));
  ++g_status.commands_done;
}

// A start point on the cliff: its two descent paths are computed at once (400 short steps).
EMSCRIPTEN_KEEPALIVE void worker_cliff(double w, double b) {
  if (std::isfinite(w) && std::isfinite(b)) cliff_command(g_compute, w, b);  // the page checks
  ++g_status.commands_done;
}

// Your own model: a file's bytes (size 0: back to drawn models), then the page sends its
// config. The page has checked the file already; one that fails here (never expected) is
// printed and changes nothing.
EMSCRIPTEN_KEEPALIVE void worker_load_model(const uint8_t* bytes, int size, int layer_choice) {
  const std::string error =
      compute_load_model(g_compute, bytes, static_cast<size_t>(size), layer_choice);
  if (!error.empty()) std::fprintf(stderr, "worker_load_model: %s\n", error.c_str());
  ++g_status.commands_done;
}

// The current model as a safetensors file (compute_model_file): its bytes and their count.
EMSCRIPTEN_KEEPALIVE const char* worker_model_file() {
  g_model_file = compute_model_file(g_compute);
  return g_model_file.data();
}
EMSCRIPTEN_KEEPALIVE int worker_model_file_size() { return static_cast<int>(g_model_file.size()); }

// --- the pool (remedy_jobs.h: CriticalJob): worker.js hands runs of the critical experiment to
// helper workers, each this same module, and brings back what they found ---

// For an idle helper: the next free run's index, now taken (-1: none, or not running).
EMSCRIPTEN_KEEPALIVE int worker_critical_take() { return critical_helper_take(g_compute.critical); }
EMSCRIPTEN_KEEPALIVE int worker_critical_running() { return g_compute.critical.result.running; }
// The experiment's generation (a helper's result names it) and configuration (canonical text).
EMSCRIPTEN_KEEPALIVE double worker_critical_generation() {
  return static_cast<double>(g_compute.critical.generation);
}
EMSCRIPTEN_KEEPALIVE const char* worker_critical_config() {
  static std::string text;
  text = gs::to_text(g_compute.critical.config);
  return text.c_str();
}
// A helper's run: its final loss (NaN if it diverged) and the iteration it diverged at.
EMSCRIPTEN_KEEPALIVE void worker_critical_result(double generation, int index, double final_loss,
                                                 int diverged_at) {
  const CriticalJob& job = g_compute.critical;
  if (index < 0 || index >= static_cast<int>(job.runs.size())) return;
  gs::CriticalRun run = job.runs[index];
  run.final_loss = final_loss;
  run.diverged_at = diverged_at;
  critical_helper_result(g_compute.critical, static_cast<long>(generation), run,
                         emscripten_get_now());
}

// A helper that failed: its run goes back to the pool.
EMSCRIPTEN_KEEPALIVE void worker_critical_release(int index) {
  critical_helper_release(g_compute.critical, index);
}

// In a helper: trains run `index` of the experiment `config_text` (canonical) to its end, and
// returns its final loss (NaN: it diverged, at helper_diverged_at()).
EMSCRIPTEN_KEEPALIVE double helper_run(const char* config_text, int index) {
  gs::Config config;
  g_helper_diverged_at = 0;
  if (!gs::parse_config(config, config_text).empty()) return NAN;
  gs::CriticalExperiment one = gs::begin_critical_run(config, index);
  if (one.runs.empty()) return NAN;
  while (!gs::advance_critical(one, 1 << 30)) {
  }
  g_helper_diverged_at = one.runs[0].diverged_at;
  return one.runs[0].final_loss;
}
EMSCRIPTEN_KEEPALIVE int helper_diverged_at() { return g_helper_diverged_at; }

// 1 as the worker starts; 0 once the page drew its first screen, or the worker stopped waiting.
EMSCRIPTEN_KEEPALIVE void worker_hold_for_first_screen(int hold) {
  g_compute.hold_for_first_screen = hold != 0;
}

// Computes for about `budget_ms`; returns 1 while work is left.
EMSCRIPTEN_KEEPALIVE int worker_advance(double budget_ms) {
  return compute_advance(g_compute, budget_ms, emscripten_get_now) ? 1 : 0;
}

// What changed since the last update (protocol.h): its bytes and their count.
EMSCRIPTEN_KEEPALIVE const uint8_t* worker_update() {
  g_status.memory_bytes = int64_t{65536} * static_cast<int64_t>(__builtin_wasm_memory_size(0));
  encode_update(g_compute, g_status, g_outbox, g_update);
  return g_update.data();
}
EMSCRIPTEN_KEEPALIVE int worker_update_size() { return static_cast<int>(g_update.size()); }

}  // extern "C"
