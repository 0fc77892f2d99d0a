// The flags of a command that are not keys of the configuration vocabulary (--export, --sv-steps,
// --above, --scales, --shard, cliff's grid, your own model's files), checked before anything is
// computed. main.cpp's kCommandFlags says which command takes which.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "analyses/cliff.h"
#include "memory.h"
#include "own_model_cli.h"
#include "analyses/trainability.h"

namespace gs {

// The values of the command's own flags (kCommandFlags), checked before anything is computed.
struct CommandFlags {
  std::string export_path;
  int sv_steps = 2000;  // spectrum
  int above = 10;       // lagsplit
  std::vector<double> scales = scale_grid(0.25, 16, 12, true);  // trainability
  int shard = 1, shards = 0;  // critical; shards 0: the whole experiment, not a shard
  CliffProblem cliff;         // cliff: its own flags, and the grid
  CliffAxis cliff_w, cliff_b;
  CliffAxis memory_lambda;    // memory: the grid of lambda
  OwnModelFlags own;          // --weights and the flags that go with it, --save
  CommandFlags() {
    parse_cliff_axis("w", kCliffDefaultW, cliff_w);
    parse_cliff_axis("b", kCliffDefaultB, cliff_b);
    parse_cliff_axis("lambda", kMemoryDefaultLambda, memory_lambda);
  }
};

// Reads the (flag, value) pairs given to `command` into `flags`, and checks them together (the
// cliff's grid). Returns "" or the error.
std::string command_flags(const std::string& command,
                          const std::vector<std::pair<std::string, std::string>>& given,
                          CommandFlags& flags);

}  // namespace gs
