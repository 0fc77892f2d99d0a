// gradscope: the command-line front end over core/.
//
//   gradscope decay|sweep|train|bench|critical|cliff|truncation [--key value ...]
//
// Flags are the configuration vocabulary of core/config.h (`--hidden 64` is `hidden=64`); output
// is CSV on stdout, after one '#' line saying what made it; bad input, or output that cannot be
// written, gives one line on stderr and exit code 2.
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "bench.h"
#include "critical.h"
#include "decay.h"
#include "number_format.h"
#include "quantiles.h"
#include "export_json.h"
#include "gradscope_version.h"
#include "export_train.h"
#include "remedies.h"
#include "sweep.h"
#include "train.h"

namespace {

using namespace gs;

struct Command {
  const char* name;
  const char* summary;
  const char* defaults;  // overrides of Config's defaults for this command, in key=value form
  const char* keys;      // the keys this command uses, listed by --help
  const char* extra_flags;
  bool trains;  // runs minibatch passes: validate_for_training's limit applies
};

// Keys that define the model and its data, used by every command.
#define MODEL_KEYS "cell hidden seed init scale radius forget_bias chrono task "


const Command kCommands[] = {
    {"decay",
     "log10 ||dL/dh_t|| for every step t of one sequence of one cell (--cell takes one name\n"
     "here, --seeds must be 1), loss at the last step only.\n"
     "Prints CSV t,lag,log10_grad_norm (lag = T - t; empty where the gradient is exactly 0).",
     "cell=rnn-tanh", MODEL_KEYS "length",
     "  --export FILE.json   also write the full record (weights, inputs, h0, ...)\n", false},
    {"sweep",
     "For each cell and length, log10(||dL/dh_1|| / ||dL/dh_T||): how much of the gradient of\n"
     "a loss at step T reaches step 1, mean over seeds with spread.\n"
     "Prints CSV cell,length,mean_log10_ratio,stddev,min,max,seeds.",
     "", MODEL_KEYS "seeds lengths", "", false},
    {"train",
     "Trains each cell on the task with fresh minibatches.\n"
     "Prints CSV cell,iteration,loss,chance_loss,grad_norm,accuracy for iteration 1 and every\n"
     "iters/20-th iteration of each cell, then a '#' summary line per cell: mean loss over the\n"
     "last 10% of iterations. accuracy: the share of outputs right (classification: the arg max;\n"
     "adding: within 0.04 of the sum).",
     "", MODEL_KEYS "length batch optimizer lr momentum clip truncate iters",
     "  --export FILE.json   also write, per cell, the initial and final weights, every\n"
     "                       minibatch and per iteration the loss, gradient norm and whether\n"
     "                       it was clipped or skipped (tests/reference/replay_training.py\n"
     "                       replays it in PyTorch; use --precision f64 for that). Written as\n"
     "                       it trains: about 23 MB per cell at the defaults (70 MB for the\n"
     "                       three default cells), in proportion to iters x batch x length.\n",
     true},
    {"bench",
     "Times forward + full BPTT of one minibatch per cell (hidden, length, batch) and prints\n"
     "a table: milliseconds per pass, time steps per second, and GFLOP/s of its matrix\n"
     "products (elementwise work not counted); then, for scale, the GFLOP/s of Eigen's\n"
     "product alone at an LSTM step's size and at 1024 x 1024 on this machine.",
     kBenchDefaults, MODEL_KEYS "length batch precision", "", true},
    {"critical",
     "Trains each cell at each of lengths with seeds seeds (seed, seed+1, ...) and one budget,\n"
     "and calls a run solved when its final loss (mean over the last 10% of iterations) is\n"
     "below solve_threshold x chance; a run that diverged is not solved.\n"
     "Prints CSV cell,length,seed,final_loss,chance_loss,solved (cell, then length, then seed),\n"
     "then '# <cell> critical_length=N' per cell: the longest length at least half of the\n"
     "seeds solve, 0 if none. Exit code 0 whatever it finds.",
     kCriticalDefaults,
     MODEL_KEYS "lengths seeds batch optimizer lr momentum clip truncate iters solve_threshold",
     "  --shard i/n          run only share i of n (1-based) of the (cell, length, seed) runs:\n"
     "                       prints '# config=<text> shard=i/n' and its rows, no summary\n"
     "  --merge A.csv B.csv ...   (instead of any other flag) join the shards of one config\n"
     "                       and print the whole table and the summary exactly as one run\n",
     true},
    {"cliff",
     "The cliff of Pascanu, Mikolov & Bengio (2013, Fig. 6): the one-unit RNN\n"
     "x_t = w sigmoid(x_{t-1}) + b from x_0, loss E = (sigmoid(x_steps) - target)^2, and its\n"
     "exact gradient (BPTT, float64) over a grid of (w, b).\n"
     "Prints CSV w,b,loss,grad_w,grad_b, one row per grid point, w in the outer loop; every\n"
     "number the shortest text that reads back as the same double ('overflow' beyond range).",
     "", "",
     "  --w LO:HI:N          N values of w from LO to HI, both included (default 0:8:81)\n"
     "  --b LO:HI:N          N values of b (default -6:2:81)\n"
     "  --steps N            steps of the RNN, 1..10000 (default 50)\n"
     "  --x0 X               the initial state (default 0.5)\n"
     "  --target Y           the target of sigmoid(x_steps) (default 0.7)\n"
     "  (at most 1000000 grid points, and grid points x steps <= 1000000000)\n",
     false},
    {"truncation",
     "Truncated BPTT: on the first minibatch training would draw, the cosine similarity\n"
     "between the gradient truncated to k steps (each loss's gradient flows back at most k\n"
     "steps) and the full one, over the recurrent layer's parameters, for k = 1..T (T: the\n"
     "task's steps; copy: length + 20). --cell takes one name here.\n"
     "Prints CSV k,cosine (empty where a gradient is exactly zero).",
     "cell=rnn-tanh", MODEL_KEYS "length batch", "", true},
};

// Flags of a command that are not keys of the vocabulary: a path, a grid, a shard.
bool own_flag(const std::string& command, const std::string& key) {
  if (key == "export") return command == "decay" || command == "train";
  if (key == "shard") return command == "critical";
  if (command == "cliff")
    return key == "w" || key == "b" || key == "steps" || key == "x0" || key == "target";
  return false;
}

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "gradscope: error: " << message << "\n";
  std::exit(2);
}

void print_help(const Command* command) {
  if (!command) {
    std::cout << "usage: gradscope <command> [--key value ...]\n\ncommands:\n";
    for (const Command& c : kCommands) std::cout << "  " << c.name << "\n";
    std::cout << "\n`gradscope <command> --help` lists the flags.\n";
    return;
  }
  std::cout << "usage: gradscope " << command->name << " [--key value ...]\n\n"
            << command->summary
            << "\n\nflags (the configuration vocabulary; --key value, --key=value or key=value):\n";
  gs::Config defaults;
  if (*command->defaults) gs::parse_config(defaults, command->defaults);
  const auto pairs = gs::config_pairs(defaults);  // in config_keys() order
  const std::string used = std::string(" ") + command->keys + " ";
  for (size_t i = 0; i < pairs.size(); ++i) {
    const gs::ConfigKey& key = gs::config_keys()[i];
    if (used.find(std::string(" ") + key.name + " ") == std::string::npos) continue;
    std::printf("  --%-12s %s (default %s)\n", key.name, key.help, pairs[i].second.c_str());
  }
  std::cout << command->extra_flags << "  --help               this text\n"
            << "\nThe other keys of the vocabulary are accepted too (so a page's URL hash can be\n"
            << "passed as flags) and do not change this command's numbers.\n";
  if (!*command->keys) return;  // cliff: no model, no memory limit
  std::cout << "\nlimits, checked before anything is computed (memory: the largest configuration\n"
            << "allowed fits in a browser tab; see the README):\n"
            << gs::limits_help(command->trains);
}

// One flag as a pair of the configuration text. A separator of that text inside it would start
// another pair (`--length $'5\rhidden=2'` would set two keys): refused, for every flag that is a
// key of the vocabulary.
std::string flag_pair(const std::string& key, const std::string& value) {
  const std::string pair = key + "=" + value;
  if (const size_t at = pair.find_first_of(kConfigSeparators); at != std::string::npos)
    fail("--" + excerpt(key) + " '" + excerpt(value) + "' is invalid: a flag cannot contain '" +
         excerpt(pair.substr(at, 1)) +
         "' ('&', ';', spaces, tabs and line breaks separate key=value pairs)");
  return pair;
}

// What the config cannot be for this command, checked with everything else before any output.
std::string command_error(const Command& command, const Config& config) {
  const std::string name = command.name;
  if (name == "critical") return validate_critical(config);  // every length, one cell at a time
  if (name == "truncation" && config.cells.size() != 1)
    return "cell=" + cells_text(config.cells) +
           " is invalid for truncation: expected exactly one cell";
  if (command.trains) return validate_for_training(config);
  if (name != "decay") return "";
  if (config.cells.size() != 1)
    return "cell=" + cells_text(config.cells) + " is invalid for decay: expected exactly one cell";
  if (config.seeds != 1)
    return "seeds=" + std::to_string(config.seeds) +
           " is invalid for decay: it measures one seed (use sweep to average over seeds)";
  return "";
}

// --export records one probe: refused where a command would compute many.
std::string export_error(const Config& config) {
  if (config.sequences != 1)
    return "--export with sequences=" + std::to_string(config.sequences) +
           " is invalid: an export records one sequence (use sequences=1)";
  return "";
}

// --- output: provenance first, every write checked ---

// The first line of every output: what made it.
void print_provenance(const Config& config) {
  std::cout << "# gradscope " << GRADSCOPE_VERSION << " config=" << to_text(config) << "\n";
}

// Opens an --export file before anything is computed, so that a path that cannot be written
// fails at once instead of after the work.
std::FILE* open_export(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (!file)
    fail("--export " + excerpt(path) + ": cannot open the file for writing (" +
         std::strerror(errno) + ")");
  return file;
}

// Writes and closes an --export file; any failed write, flush or close is an error.
void write_export(std::FILE* file, const std::string& path, const nlohmann::json& record) {
  const std::string text = record.dump() + "\n";
  int error = 0;
  errno = 0;
  if (std::fwrite(text.data(), 1, text.size(), file) != text.size()) error = errno ? errno : EIO;
  if (std::fflush(file) != 0 && !error) error = errno ? errno : EIO;
  if (std::fclose(file) != 0 && !error) error = errno ? errno : EIO;
  if (error)
    fail("--export " + excerpt(path) + ": cannot write the file (" + std::strerror(error) + ")");
}

// Standard output that could not be written (a full disk, a closed pipe) is an error too.
void finish_output() {
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout)
    fail(std::string("cannot write the output (") + std::strerror(errno ? errno : EIO) + ")");
}

// --- commands ---

// One curve, or with sequences > 1 the median and the 10% and 90% quantiles over the sequences.
void run_decay(const Config& config, std::FILE* export_file, const std::string& export_path) {
  std::vector<Probe> probes;
  for (int q = 0; q < config.sequences; ++q)
    probes.push_back(run_probe(config.cells[0], config, config.seed, q));
  if (export_file) write_export(export_file, export_path, probe_to_json(config, probes[0]));
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

void run_sweep_command(const Config& config) {
  const Sweep sweep = run_sweep(config);
  print_provenance(config);
  std::cout << "cell,length,mean_log10_ratio,stddev,min,max,seeds,sequences\n";
  for (const SweepPoint& p : sweep.points)
    std::cout << cell_name(p.cell) << "," << p.length << "," << format_log10(p.mean) << ","
              << format_log10(p.stddev) << "," << format_log10(p.min) << "," << format_log10(p.max)
              << "," << config.seeds << "," << config.sequences << "\n";
}

void run_train(const Config& config, const std::string& export_path) {
  TrainExport exporter;  // opened before any training: a bad path fails at once
  if (!export_path.empty())
    if (const std::string open_error = exporter.open(export_path, config); !open_error.empty())
      fail(open_error);
  print_provenance(config);
  std::cout << "cell,iteration,loss,chance_loss,grad_norm,accuracy,skipped,clipped\n";
  const int every = std::max(1, config.iters / 20);
  for (CellKind cell : config.cells) {
    Trainer trainer = make_trainer(cell, config);
    const auto start = std::chrono::steady_clock::now();
    if (export_path.empty()) {
      train_iterations(trainer, config.iters);
    } else {
      train_exporting(trainer, config.iters, exporter);
      if (!exporter.error().empty()) fail(exporter.error());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
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
}

}  // namespace

int main(int argc, char** argv) {
  const std::string commands = "commands: decay, sweep, train, bench, critical, cliff, truncation";
  if (argc < 2) fail("no command given (" + commands + "; --help for more)");
  if (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    print_help(nullptr);
    return 0;
  }
  const Command* command = nullptr;
  for (const Command& c : kCommands)
    if (argv[1] == std::string(c.name)) command = &c;
  if (!command)
    fail("unknown command '" + excerpt(argv[1]) + "' (" + commands + ")");
  const std::string name = command->name;

  // critical --merge A.csv B.csv ...: the shards' files are the only arguments
  if (name == "critical")
    for (int i = 2; i < argc; ++i)
      if (std::string(argv[i]) == "--merge") {
        std::vector<std::string> paths;
        for (int j = 2; j < argc; ++j) {
          const std::string arg = argv[j];
          if (j == i) continue;
          if (arg.rfind("--", 0) == 0 || arg.find('=') != std::string::npos)
            fail("--merge takes only shard files (the config comes from them), not '" +
                 excerpt(arg) + "'");
          paths.push_back(arg);
        }
        if (const std::string error = merge_critical(paths); !error.empty()) fail(error);
        finish_output();
        return 0;
      }

  // Flags -> one key=value text, parsed and validated in one place (core/config.cpp).
  std::string text = command->defaults, export_path;
  int shard = 1, shards = 0;  // shards 0: the whole experiment, not a shard
  CliffProblem cliff;
  CliffAxis cliff_w, cliff_b;
  parse_cliff_axis("w", kCliffDefaultW, cliff_w);
  parse_cliff_axis("b", kCliffDefaultB, cliff_b);
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      print_help(command);
      return 0;
    }
    if (arg.rfind("--", 0) == 0) {
      arg = arg.substr(2);
    } else if (arg.find('=') == std::string::npos) {
      fail("unexpected argument '" + excerpt(arg) + "': flags are --key value or key=value");
    }
    std::string key = arg, value;
    if (const size_t equals = arg.find('='); equals != std::string::npos) {
      key = arg.substr(0, equals);
      value = arg.substr(equals + 1);
    } else if (i + 1 < argc && std::string(argv[i]).rfind("--", 0) == 0) {
      value = argv[++i];
    } else {
      fail("--" + excerpt(key) + " needs a value");
    }
    if (own_flag(name, key)) {  // a path, a grid or a shard, not a config value
      if (value.empty())
        fail("--" + key + (key == "export" ? " needs a file name" : " needs a value"));
      if (key == "export") export_path = value;
      if (key == "shard")
        if (const std::string error = parse_shard(value, shard, shards); !error.empty())
          fail(error);
      if (name == "cliff")
        if (const std::string error = parse_cliff_flag(key, value, cliff, cliff_w, cliff_b);
            !error.empty())
          fail(error);
      continue;
    }
    text += "&" + flag_pair(key, value);
  }
  Config config;
  if (const std::string error = parse_config(config, text); !error.empty()) fail(error);
  if (const std::string error = command_error(*command, config); !error.empty()) fail(error);
  if (!export_path.empty())
    if (const std::string error = export_error(config); !error.empty()) fail(error);
  if (name == "cliff")
    if (const std::string error = cliff_error(cliff_w, cliff_b, cliff); !error.empty())
      fail(error);
  // decay's export is opened here, train's by its exporter (written as it trains)
  std::FILE* export_file =
      name == "decay" && !export_path.empty() ? open_export(export_path) : nullptr;

  if (name == "decay") run_decay(config, export_file, export_path);
  if (name == "sweep") run_sweep_command(config);
  if (name == "train") run_train(config, export_path);
  if (name == "bench") {
    print_provenance(config);
    print_bench(config, stdout);
  }
  if (name == "critical" || name == "cliff" || name == "truncation") print_provenance(config);
  if (name == "critical") print_critical(config, shard, shards);
  if (name == "cliff") print_cliff(cliff, cliff_w, cliff_b);
  if (name == "truncation") print_truncation(config);
  finish_output();
  return 0;
}
