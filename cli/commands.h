// The commands of "what vanishes" and "why it vanishes" (the others: remedies.h, bench.h). Each
// runs with a configuration and flags main has already checked, and prints the provenance line
// then its CSV (main's kCommands holds each one's --help text, which says what the columns are).
#pragma once
#include <cstdio>

#include "command_flags.h"
#include "model/config.h"

namespace gs {

// decay: one curve, or with sequences > 1 the median and the 10% and 90% quantiles over the
// sequences; export_file (or nullptr) gets the full record, --save the model.
void run_decay(const Config& config, CommandFlags& flags, std::FILE* export_file);
void run_sweep_command(const Config& config, const CommandFlags& flags);
// train: every cell in turn, with --export written as it trains and --save at the end.
void run_train(const Config& config, CommandFlags& flags);
void run_spectrum(const Config& config, const CommandFlags& flags, std::FILE* export_file);
void run_saturation(const Config& config, const CommandFlags& flags);
void run_lagsplit(const Config& config, const CommandFlags& flags);
void run_trainability_command(const Config& config, const CommandFlags& flags);

}  // namespace gs
