// The commands of "what vanishes" and "why it vanishes": decay, sweep, train, spectrum,
// saturation, lagsplit and trainability.
#include "commands.h"

#include <chrono>
#include <cmath>
#include <iostream>

#include "analyses/probe_summary.h"
#include "analyses/bounds.h"
#include "bptt/decay.h"
#include "export_json.h"
#include "export_train.h"
#include "gradscope_version.h"
#include "bptt/lag_split.h"
#include "io/number_format.h"
#include "output.h"
#include "progress.h"
#include "analyses/quantiles.h"
#include "bptt/saturation.h"
#include "bptt/spectrum.h"
#include "analyses/sweep.h"
#include "training/train.h"

namespace gs {

namespace {

// One probe of the command: of the model from --weights if one was loaded, else drawn.
Probe command_probe(const Config& config, const CommandFlags& flags, int sequence = 0) {
  if (flags.own.given) return run_probe(*flags.own.given, config, config.seed, sequence);
  return run_probe(config.cells[0], config, config.seed, sequence);
}

// --save: the models in the precision they were computed in, and the version that wrote them
// (not the config: a model saved, read back and saved again is the same file).
void save_models(CommandFlags& flags, const std::vector<NamedModel>& models,
                 const Config& config) {
  const std::string bytes = models_to_safetensors(models, config.precision,
                                                  {{"gradscope_version", GRADSCOPE_VERSION}});
  if (const std::string error = write_save(flags.own, bytes); !error.empty()) fail(error);
}

// A forward pass that overflowed: said as decay says it, in the CSV and on stderr (exit 0).
void report_overflow(const Probe& probe, const Config& config, const char* what) {
  const std::string overflow = overflow_explanation(probe.curve, config.precision);
  std::cout << "# " << overflow << ": " << what << "\n";
  std::cerr << "gradscope: warning: " << overflow << "\n";
}

// 10^log10_value as text, also below double's range (a share of 10^-2000 is a number).
std::string format_power_of_ten(double log10_value) {
  if (log10_kind(log10_value) != NumberKind::Number) return format_log10(log10_value);
  if (log10_value > -300) return format_value(std::pow(10.0, log10_value));
  const double exponent = std::floor(log10_value);
  char text[48];
  std::snprintf(text, sizeof text, "%.10ge%.0f", std::pow(10.0, log10_value - exponent), exponent);
  return text;
}

}  // namespace

// One curve, or with sequences > 1 the median and the 10% and 90% quantiles over the sequences.
void run_decay(const Config& config, CommandFlags& flags, std::FILE* export_file) {
  std::vector<Probe> probes;
  for (int q = 0; q < config.sequences; ++q) probes.push_back(command_probe(config, flags, q));
  if (export_file) write_export(export_file, flags.export_path, probe_to_json(config, probes[0]));
  if (flags.own.save_ready)  // a loaded model with its readout, whether the loss used it or not
    save_models(flags, {{"", flags.own.given ? flags.own.saved_model : probes[0].model}}, config);
  print_provenance(config);
  const int T = probes[0].sample.length();
  const bool one = probes.size() == 1;
  std::cout << (one ? "t,lag,log10_grad_norm\n" : "t,lag,median_log10_grad_norm,p10,p90\n");
  std::vector<double> at_t(probes.size());
  for (int t = 1; t <= T; ++t) {
    for (size_t q = 0; q < probes.size(); ++q) at_t[q] = probes[q].curve.log10_grad_h[t - 1];
    double median_p10_p90[3];
    quantiles(at_t, {0.5, 0.1, 0.9}, median_p10_p90);
    std::cout << t << "," << T - t << "," << format_log10(median_p10_p90[0]);
    if (!one)
      std::cout << "," << format_log10(median_p10_p90[1]) << ","
                << format_log10(median_p10_p90[2]);
    std::cout << "\n";
  }
  for (const Probe& probe : probes) {
    const std::string overflow = overflow_explanation(probe.curve, config.precision);
    if (overflow.empty()) continue;
    // a finding, not an error: said in the CSV and on stderr, exit 0
    std::cout << "# " << overflow << ": every gradient is beyond range too\n";
    std::cerr << "gradscope: warning: " << overflow << "\n";
    break;
  }
}

void run_sweep_command(const Config& config, const CommandFlags& flags) {
  Sweep sweep = begin_sweep(config, flags.own.given);
  {
    ProgressLine progress("sweep");
    while (!advance_sweep(sweep, kStepsBetweenProgress))
      progress.show(sweep.steps_done, sweep.steps_total);
  }
  print_provenance(config);
  std::cout << "cell,length,mean_log10_ratio,stddev,min,max,seeds,sequences\n";
  for (const SweepPoint& p : sweep.points)
    std::cout << cell_name(p.cell) << "," << p.length << "," << format_log10(p.mean) << ","
              << format_log10(p.stddev) << "," << format_log10(p.min) << "," << format_log10(p.max)
              << "," << config.seeds << "," << config.sequences << "\n";
}

void run_train(const Config& config, CommandFlags& flags) {
  const std::string& export_path = flags.export_path;
  std::vector<NamedModel> trained;
  TrainExport exporter;  // opened before any training: a bad path fails at once
  if (!export_path.empty())
    if (const std::string open_error = exporter.open(export_path, config); !open_error.empty())
      fail(open_error);
  print_provenance(config);
  std::cout << "cell,iteration,loss,chance_loss,grad_norm,accuracy,skipped,clipped\n";
  const int every = std::max(1, config.iters / 20);
  const int64_t all_iterations = static_cast<int64_t>(config.cells.size()) * config.iters;
  int64_t iterations_before = 0;  // of the cells already trained
  for (CellKind cell : config.cells) {
    Trainer trainer =
        flags.own.loaded ? make_trainer(flags.own.train_model, config) : make_trainer(cell, config);
    const auto start = std::chrono::steady_clock::now();
    {
      ProgressLine progress(std::string("train ") + cell_name(cell));
      if (!export_path.empty()) exporter.begin_cell(trainer);
      while (static_cast<int>(trainer.history.size()) < config.iters && !trainer.diverged_at) {
        // an iteration ends a call: each one is exported as it completes
        if (advance_training(trainer, kStepsBetweenProgress) && !export_path.empty()) {
          exporter.iteration(trainer);
          if (!exporter.error().empty()) fail(exporter.error());
        }
        progress.show(iterations_before + static_cast<int64_t>(trainer.history.size()),
                      all_iterations);
      }
      if (!export_path.empty()) exporter.end_cell(trainer);
    }
    iterations_before += config.iters;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (flags.own.save_ready)
      trained.push_back({config.cells.size() == 1 ? "" : std::string(cell_name(cell)) + ".",
                         trained_model(trainer)});
    for (const TrainRecord& r : trainer.history)
      if (r.iteration % every == 0 || r.iteration == 1 || r.iteration == trainer.diverged_at)
        std::printf("%s,%d,%s,%.10g,%s,%.6g,%d,%d\n", cell_name(cell), r.iteration,
                    format_value(r.loss).c_str(), trainer.shape.chance_loss,
                    format_value(r.grad_norm).c_str(), r.accuracy, r.skipped, r.clipped);
    if (trainer.diverged_at) {  // a finding, not an error: exit code 0
      std::printf("# %s %s T=%d: diverged at iteration %d: %s (%.1f s)\n", cell_name(cell),
                  task_name(config.task), config.length, trainer.diverged_at,
                  trainer.divergence.c_str(), seconds);
      continue;
    }
    const int tail = std::max(1, config.iters / 10);
    double loss = 0, accuracy = 0;
    for (int i = config.iters - tail; i < config.iters; ++i) {
      loss += trainer.history[i].loss / tail;
      accuracy += trainer.history[i].accuracy / tail;
    }
    std::printf(
        "# %s %s T=%d: mean loss over the last %d iterations %.6g = %.3g%% of chance "
        "%.6g, accuracy %.3f (%.1f s)\n",
        cell_name(cell), task_name(config.task), config.length, tail, loss,
        100 * loss / trainer.shape.chance_loss, trainer.shape.chance_loss, accuracy, seconds);
  }
  if (!export_path.empty())
    if (const std::string close_error = exporter.close(); !close_error.empty()) fail(close_error);
  if (flags.own.save_ready) save_models(flags, trained, config);
}

void run_spectrum(const Config& config, const CommandFlags& flags, std::FILE* export_file) {
  const Probe probe = command_probe(config, flags);
  SpectrumOptions options;
  options.max_sampled_steps = flags.sv_steps;
  options.eigenvalues = export_file != nullptr;
  const Spectrum s = probe_spectrum(probe, options);
  const Bounds bounds = probe_bounds(probe);
  if (export_file) {
    nlohmann::json record = probe_to_json(config, probe);
    add_spectrum_json(record, s, options);
    write_export(export_file, flags.export_path, record);
  }
  print_provenance(config);
  const int T = s.steps, n = s.state_size;
  const int count = s.complete ? n : std::min(options.top, n);
  // Which values, at which steps: the overflowed pass has none, but says which it would have.
  const std::vector<int> steps =
      s.overflow_step ? sampled_steps(T, sampled_step_count(s.cell, h_rows(s.cell, config.hidden), T, options))
                      : s.sv_steps;
  std::cout << "# state size " << n << (has_cell_state(s.cell)      ? " (h_t then c_t)"
                                     : has_complex_state(s.cell) ? " (Re h_t then Im h_t)"
                                                                 : " (h_t)")
            << ": " << (s.complete ? "every singular value" : "the " + std::to_string(count) +
                                                               " largest singular values")
            << " of J_t = ds_t/ds_{t-1}";
  if (!has_recurrent_weights(s.cell))
    std::cout << (has_complex_state(s.cell) ? " (read off J_t's 2 x 2 blocks: exact)"
                                            : " (read off J_t's diagonal: exact)");
  else if (!s.complete)
    std::cout << " (subspace iteration, worst last relative change " << s.sv_iteration_change
              << ")";
  if (steps.size() == static_cast<size_t>(T))
    std::cout << ", at every step (" << T << ")";
  else
    std::cout << ", at " << steps.size() << " of " << T
              << " steps evenly spaced, t = 1 + floor(i (T - 1) / (m - 1)), the last included";
  std::cout << "; Lyapunov exponents: " << (s.complete ? "all " : "the largest ") << count
            << (has_recurrent_weights(s.cell) ? ", QR over all " : ", each unit's average log |d_j| over all ")
            << T << " steps, nats per step\n";
  std::cout << "t";
  for (int i = 1; i <= count && !steps.empty(); ++i) std::cout << ",sv" << i;
  std::cout << "\n";
  for (size_t row = 0; row < steps.size(); ++row) {
    std::cout << steps[row];
    for (int i = 0; i < count; ++i)
      std::cout << "," << (s.overflow_step ? "overflow" : format_value(s.step_sv[row][i]));
    std::cout << "\n";
  }
  std::cout << "# lyapunov_exponents=";
  for (int i = 0; i < count; ++i)
    std::cout << (i ? "," : "") << (s.overflow_step ? "overflow" : format_log10(s.lyapunov[i]));
  std::cout << "\n";
  if (s.overflow_step) {
    report_overflow(probe, config, "no Jacobian, no spectrum");
    return;
  }
  const ProbeAnalysis analysis = analyze_probe(probe);
  std::cout << "# lyapunov_max_log10_per_step=" << format_log10(s.lyapunov[0] / std::log(10.0))
            << " decay_log10_per_step=" << format_value(analysis.log10_per_step);
  if (cell_info(s.cell).keep_path)
    std::cout << " " << cell_info(s.cell).keep_path
              << "_log10_per_step=" << format_log10(bounds.keep_path_log10_per_step);
  else
    std::cout << " sigma_max_whh=" << format_value(bounds.sigma_max_whh)
              << " gamma=" << bounds.gamma << " pascanu_bound=" << format_value(bounds.pascanu_bound)
              << " log10_pascanu_bound=" << format_log10(std::log10(bounds.pascanu_bound));
  std::cout << "\n";
}

void run_saturation(const Config& config, const CommandFlags& flags) {
  const Probe probe = command_probe(config, flags);
  const Saturation sat = probe_saturation(probe);
  const Bounds bounds = probe_bounds(probe);
  const CellKind cell = config.cells[0];
  // what the keep path multiplies by (f, z, 1-z, f'); null for an RNN: no gate columns
  const char* gate = cell_info(cell).keep_factor_name;
  const char* path = cell_info(cell).keep_path;
  print_provenance(config);
  std::cout << "t";
  for (const SaturationSeries& series : sat.series)
    for (const char* stat : {"mean", "q25", "median", "q75"})
      std::cout << "," << series.name << "_" << stat;
  if (!sat.dead_share.empty()) std::cout << ",dead_share";
  if (!bounds.log10_keep_gate.empty())
    std::cout << ",log10_" << gate << "_mean," << path << "_log10";
  std::cout << "\n";
  const int T = probe.sample.length();
  for (int t = 1; t <= T; ++t) {
    std::cout << t;
    for (const SaturationSeries& series : sat.series)
      for (const auto* v : {&series.mean, &series.q25, &series.median, &series.q75})
        std::cout << "," << format_value((*v)[t - 1]);
    if (!sat.dead_share.empty()) std::cout << "," << format_value(sat.dead_share[t - 1]);
    if (!bounds.log10_keep_gate.empty())
      std::cout << "," << format_log10(bounds.log10_keep_gate[t - 1]) << ","
                << format_log10(bounds.log10_keep_path[t - 1]);
    std::cout << "\n";
  }
  if (sat.overflow_step)
    report_overflow(probe, config, "no derivatives from this step on");
}

void run_lagsplit(const Config& config, const CommandFlags& flags) {
  const Probe probe = command_probe(config, flags);
  const LagSplit split = probe_lag_split(probe);
  print_provenance(config);
  std::cout << "t,lag,log10_term_norm,share,log10_share\n";
  const int T = split.steps();
  for (int t = 1; t <= T; ++t) {
    const double share = split.log10_share(t);
    std::cout << t << "," << T - t << "," << format_log10(split.log10_term[t - 1]) << ","
              << format_power_of_ten(share) << "," << format_log10(share) << "\n";
  }
  const double above = split.log10_share_above(flags.above);
  std::cout << "# share_above_lag_" << flags.above << "=" << format_power_of_ten(above)
            << " log10_share_above_lag_" << flags.above << "=" << format_log10(above) << "\n";
  if (split.overflow_step)
    report_overflow(probe, config, "every term is beyond range too");
}

void run_trainability_command(const Config& config, const CommandFlags& flags) {
  TrainabilityMap map = begin_trainability(config, flags.scales, flags.own.given);
  {
    ProgressLine progress("trainability");
    while (!advance_trainability(map, kStepsBetweenProgress))
      progress.show(map.steps_done, map.steps_total);
  }
  print_provenance(config);
  std::cout << "cell,scale,length,log10_ratio,lyapunov_max,lyapunov_max_log10_per_step\n";
  for (const TrainabilityPoint& p : map.points)
    std::cout << cell_name(p.cell) << "," << format_value(p.scale) << "," << p.length << ","
              << format_log10(p.log10_ratio) << "," << format_log10(p.lyapunov_max) << ","
              << format_log10(p.lyapunov_max / std::log(10.0)) << "\n";
  const int longest = config.lengths.back();
  for (CellKind cell : config.cells) {
    const double edge = edge_of_chaos(map, cell, longest);
    std::cout << "# edge_of_chaos cell=" << cell_name(cell) << " length=" << longest << " scale="
              << (std::isnan(edge) ? "none" : format_value(edge)) << "\n";
  }
}

}  // namespace gs
