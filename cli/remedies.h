// The commands of "what fixes it" (issue 9): critical (with --shard and --merge), cliff and
// truncation. Each writes its CSV to stdout after the provenance line, which main prints (merge
// prints the shards' own); errors are returned as one line for main to report with exit code 2.
#pragma once
#include <string>
#include <vector>

#include "analyses/cliff.h"
#include "model/config.h"
#include "model/model.h"

namespace gs {

// "i/n", 1 <= i <= n <= 100000. Returns "" or the error.
std::string parse_shard(const std::string& text, int& shard, int& shards);

// Runs the experiment (shards = 0) or shard `shard` of `shards` and prints its rows as they
// finish, then (whole experiment) the critical length of every cell; a shard prints
// "# config=<text> shard=i/n" before its header and no summary.
void print_critical(const Config& config, int shard, int shards);

// Reads shard files and prints the whole table and the summary exactly as the unsharded run
// would. Returns "" or why the files are not one complete set of shards of one configuration.
std::string merge_critical(const std::vector<std::string>& paths);

// The flags of `cliff` that are not keys of the vocabulary: --w, --b (LO:HI:N), --steps, --x0,
// --target. Returns "" or the error.
std::string parse_cliff_flag(const std::string& key, const std::string& value,
                             CliffProblem& problem, CliffAxis& w, CliffAxis& b);
// w,b,loss,grad_w,grad_b for every grid point, w in the outer loop, numbers exact (the shortest
// text that reads back as the same double).
std::string cliff_error(const CliffAxis& w, const CliffAxis& b, const CliffProblem& problem);
void print_cliff(const CliffProblem& problem, const CliffAxis& w, const CliffAxis& b);

// k,cosine for k = 1..T: the truncated gradient's cosine with the full one, on one minibatch,
// from the drawn model or from `start` (--weights) if not null.
void print_truncation(const Config& config, const Model* start = nullptr);

}  // namespace gs
