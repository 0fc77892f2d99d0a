// The compute worker's messages to the page: after each slice of work the worker sends what
// changed since its last message (new curves, sweep points, training records, progress), in a
// small binary format, and the page applies it to its own Results. Both ends are this C++ code,
// compiled into the two WebAssembly modules; the unit tests run it natively.
//
// Restarts are generations: a message whose decay (sweep, training) generation differs from the
// page's replaces that part of Results instead of adding to it, so that the page never mixes the
// results of two configurations.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "worker/results.h"

struct Compute;  // worker/compute.h: the worker side

// The worker's record of what the page has been sent.
struct Outbox {
  long decay_generation = -1;
  std::vector<char> decay_sent;  // per cell: its finished result has been sent
  long sweep_generation = -1;
  size_t sweep_sent = 0;  // points
  long train_generation = -1;
  std::vector<size_t> train_sent;  // per cell: records
  long why_generation = -1;
  std::vector<char> why_sent;  // per cell: its finished result has been sent
  long trainability_generation = -1;
  bool trainability_sent = false;
  long critical_generation = -1, critical_scoring = -1;
  std::vector<char> critical_sent;  // per run: finished and sent
  bool cliff_sent = false;   // the surface
  long cliff_paths_sent = 0;
  long truncation_generation = -1;
  std::vector<char> truncation_sent;  // per cell
};

// The worker itself, reported in every message.
struct WorkerStatus {
  long commands_done = 0;    // page messages it has handled
  int64_t memory_bytes = 0;  // the size of its WebAssembly memory
};

// Writes into `message` everything that changed since the last call, plus the current progress
// and status.
void encode_update(const Compute& compute, const WorkerStatus& status, Outbox& outbox,
                   std::vector<uint8_t>& message);

// Applies one message to the page's results. Returns "" or what was wrong with the message (then
// the results may be partly updated; a later message of a new generation repairs them).
std::string apply_update(Results& results, const uint8_t* data, size_t size);
