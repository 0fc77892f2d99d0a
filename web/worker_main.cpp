// The compute worker's WebAssembly module (compute.js + compute.wasm, loaded by web/worker.js):
// the one Compute of the page, the functions worker.js calls, and the message of what changed.
#include <emscripten.h>

#include <vector>

#include "compute.h"
#include "protocol.h"

namespace {

Compute g_compute;
Outbox g_outbox;
std::vector<uint8_t> g_update;  // the last message, read by worker.js
WorkerStatus g_status;          // page messages handled, memory: in every update

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
  cliff_command(g_compute, w, b);
  ++g_status.commands_done;
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
