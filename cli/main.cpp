// gradscope: the command-line front end over core/.
//
//   gradscope <command> [--key value ...]   (gradscope --help lists the commands)
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
#include <sstream>
#include <string>
#include <vector>

#include "analysis.h"
#include "bench.h"
#include "critical.h"
#include "bounds.h"
#include "decay.h"
#include "lag_split.h"
#include "saturation.h"
#include "spectrum.h"
#include "trainability.h"
#include "number_format.h"
#include "quantiles.h"
#include "export_json.h"
#include "gradscope_version.h"
#include "export_train.h"
#include "own_model_cli.h"
#include "remedies.h"
#include "sweep.h"
#include "train.h"

namespace {

using namespace gs;

// The keys a command uses, which its --help lists: every key whose row (core/config.h) affects
// one of `affects`, and the keys in `also`, but not those in `except` (names, space-separated).
struct KeysUsed {
  unsigned affects;
  const char* also;
  const char* except;
};

struct Command {
  const char* name;
  const char* summary;
  const char* defaults;  // overrides of Config's defaults for this command, in key=value form
  KeysUsed keys;
  const char* extra_flags;
  bool trains;  // runs minibatch passes: validate_for_training's limit applies
};


const Command kCommands[] = {
    {"decay",
     "log10 ||dL/dh_t|| for every step t of one sequence of one cell (--cell takes one name\n"
     "here, --seeds must be 1), loss at the last step only.\n"
     "Prints CSV t,lag,log10_grad_norm (lag = T - t; empty where the gradient is exactly 0).",
     "cell=rnn-tanh", {kAffectsModel | kAffectsDecay, "", "seeds"},  // one seed: command_error
     "  --export FILE.json   also write the full record (weights, inputs, h0, ...)\n", false},
    {"sweep",
     "For each cell and length, log10(||dL/dh_1|| / ||dL/dh_T||): how much of the gradient of\n"
     "a loss at step T reaches step 1, mean over seeds with spread.\n"
     "Prints CSV cell,length,mean_log10_ratio,stddev,min,max,seeds.",
     "", {kAffectsModel | kAffectsSweep, "", ""}, "", false},
    {"train",
     "Trains each cell on the task with fresh minibatches.\n"
     "Prints CSV cell,iteration,loss,chance_loss,grad_norm,accuracy for iteration 1 and every\n"
     "iters/20-th iteration of each cell, then a '#' summary line per cell: mean loss over the\n"
     "last 10% of iterations. accuracy: the share of outputs right (classification: the arg max;\n"
     "adding: within 0.04 of the sum).",
     "", {kAffectsModel | kAffectsTraining, "iters", ""},
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
     kBenchDefaults, {kAffectsModel, "length batch", ""}, "", true},
    {"critical",
     "Trains each cell at each of lengths with seeds seeds (seed, seed+1, ...) and one budget,\n"
     "and calls a run solved when its final loss (mean over the last 10% of iterations) is\n"
     "below solve_threshold x chance; a run that diverged is not solved.\n"
     "Prints CSV cell,length,seed,final_loss,chance_loss,solved (cell, then length, then seed),\n"
     "then '# <cell> critical_length=N' per cell: the longest length at least half of the\n"
     "seeds solve, 0 if none. Exit code 0 whatever it finds.",
     kCriticalDefaults, {kAffectsModel | kAffectsCritical | kAffectsCriticalScore, "", ""},
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
     "", {kAffectsNothing, "", ""},
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
     "cell=rnn-tanh", {kAffectsModel, "length batch", ""}, "", true},
    {"spectrum",
     "Why it vanishes, part 1: the singular values of each step Jacobian J_t = ds_t/ds_{t-1}\n"
     "(s_t = h_t; LSTM: (h_t, c_t), size 2 H) of one sequence of one cell, and the Lyapunov\n"
     "exponents of J_T ... J_1 (QR iteration over every step, nats per step). Every value for a\n"
     "state size <= 128, else the 8 largest. Singular values at every step, or at most\n"
     "--sv-steps steps evenly spaced (fewer where a step's spectrum is costly; a '#' line says\n"
     "which, the last step always included).\n"
     "Prints CSV t,sv1,sv2,... (largest first), then '# lyapunov_exponents=l1,l2,...' and a\n"
     "'#' line setting the largest exponent in log10 per step (l1 / ln 10) beside the measured\n"
     "decay slope (decay's log10 per step) and the bound theory gives (RNNs: Pascanu et al.'s\n"
     "gamma sigma_max(W_hh); LSTM/GRU: the forget/update gate path's log10 per step).",
     "cell=rnn-tanh", {kAffectsModel, "length", ""},
     "  --export FILE.json   also write decay --export's record plus lyapunov_exponents,\n"
     "                       step_singular_values and singular_value_steps\n"
     "                       (tests/reference/check_spectrum.py recomputes them in PyTorch)\n"
     "  --sv-steps N         steps with singular values, at most (default 2000; 0: none)\n",
     false},
    {"saturation",
     "Why it vanishes, part 2: per step, over the hidden units, the mean and quartiles of what\n"
     "each backward step multiplies the gradient by, unit by unit: act' for the RNNs (dtanh,\n"
     "dsigmoid, drelu, didentity; ReLU also dead_share, the units exactly off); LSTM gates i, f,\n"
     "o, the candidate's dtanh_g and dtanh_c = tanh'(c_t); GRU gates r, z and dtanh_n. LSTM and\n"
     "GRU add the mean log10 of the forget (update) gate and its path from t to T,\n"
     "mean over units of log10 prod_{s=t+1..T} f_s (z_s).\n"
     "Prints CSV t,<name>_mean,<name>_q25,<name>_median,<name>_q75,... (quartiles interpolated\n"
     "as numpy.percentile's default).",
     "cell=rnn-tanh", {kAffectsModel, "length", ""}, "", false},
    {"lagsplit",
     "Why it vanishes, part 3: the recurrent weight gradient of a loss at the last step,\n"
     "dL/dW_hh = sum_t dgates_t h_{t-1}^T, split by lag k = T - t (Pascanu et al. 2013, eq. 4):\n"
     "each step's term's Frobenius norm and its share of the sum of all terms' norms (exact in\n"
     "log10 at any depth). LSTM/GRU: every gate block of W_hh.\n"
     "Prints CSV t,lag,log10_term_norm,share,log10_share, then '# share_above_lag_L=...'.",
     "cell=rnn-tanh", {kAffectsModel, "length", ""},
     "  --above L            the lag above which the share is summed (default 10)\n", false},
    {"trainability",
     "Why it vanishes, part 4: a map over recurrent scale (W_hh times it) x sequence length, per\n"
     "cell: log10(||dL/dh_1|| / ||dL/dh_T||) (sweep's quantity, each point its own probe) and\n"
     "the largest Lyapunov exponent of the same forward pass; where it crosses 0 is the edge of\n"
     "chaos. One seed.\n"
     "Prints CSV cell,scale,length,log10_ratio,lyapunov_max,lyapunov_max_log10_per_step\n"
     "(lyapunov_max in nats per step), then per cell a '# edge_of_chaos' line: the scale where\n"
     "the exponent at the longest length crosses 0 (linear interpolation), or none.",
     "lengths=10,20,30,50,75,100,150,200,300,500,750,1000",
     {kAffectsModel, "lengths", "scale radius"},  // scale: --scales; radius: command_error
     "  --scales LO:HI:N     N scales evenly spaced from LO to HI (N 1..64); LO:HI:N:log at a\n"
     "                       constant ratio (default 0.25:16:12:log: the edges of the default\n"
     "                       cells lie near 2 for the tanh RNN, 4 the LSTM, 10 the GRU)\n",
     false},
};

// Flags that are not keys of the vocabulary, by command (values checked by command_flags).
const std::pair<const char*, const char*> kCommandFlags[] = {
    {"decay", "export"},      {"train", "export"},    {"spectrum", "export"},
    {"spectrum", "sv-steps"}, {"lagsplit", "above"},  {"trainability", "scales"},
    {"critical", "shard"},    {"cliff", "w"},         {"cliff", "b"},
    {"cliff", "steps"},       {"cliff", "x0"},        {"cliff", "target"},
    // your own model (own_model_cli.h): --weights FILE, the flags that pick from it, --save
    {"decay", "weights"},     {"decay", "inputs"},    {"decay", "readout"},
    {"decay", "prefix"},      {"decay", "layer"},     {"decay", "save"},
    {"sweep", "weights"},     {"sweep", "inputs"},    {"sweep", "readout"},
    {"sweep", "prefix"},      {"sweep", "layer"},     {"spectrum", "weights"},
    {"spectrum", "inputs"},   {"spectrum", "readout"}, {"spectrum", "prefix"},
    {"spectrum", "layer"},    {"saturation", "weights"}, {"saturation", "inputs"},
    {"saturation", "readout"}, {"saturation", "prefix"}, {"saturation", "layer"},
    {"lagsplit", "weights"},  {"lagsplit", "inputs"}, {"lagsplit", "readout"},
    {"lagsplit", "prefix"},   {"lagsplit", "layer"},  {"trainability", "weights"},
    {"trainability", "inputs"}, {"trainability", "readout"}, {"trainability", "prefix"},
    {"trainability", "layer"}, {"train", "weights"},  {"train", "readout"},
    {"train", "prefix"},      {"train", "layer"},     {"train", "save"},
};

bool is_command_flag(const Command& command, const std::string& key) {
  for (const auto& [name, flag] : kCommandFlags)
    if (name == std::string(command.name) && key == flag) return true;
  return false;
}

// The commands that take `flag` (a kCommandFlags flag), for messages: "decay and train".
std::string commands_taking(const std::string& flag) {
  std::vector<std::string> names;
  for (const auto& [name, f] : kCommandFlags)
    if (flag == f) names.push_back(name);
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i ? (i + 1 == names.size() ? " and " : ", ") : "") + names[i];
  return out;
}

// The command names, for messages: "decay, sweep, ...".
std::string command_names() {
  std::string names;
  for (const Command& c : kCommands) names += (names.empty() ? "" : ", ") + std::string(c.name);
  return names;
}

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "gradscope: error: " << message << "\n";
  std::exit(2);
}

// Whether `name` is one of the space-separated `words`.
bool listed(const char* words, const std::string& name) {
  return (" " + std::string(words) + " ").find(" " + name + " ") != std::string::npos;
}

bool uses(const KeysUsed& keys, const gs::ConfigKey& key) {
  return ((key.affects & keys.affects) != 0 || listed(keys.also, key.name)) &&
         !listed(keys.except, key.name);
}

void print_help(const Command* command) {
  if (!command) {
    std::cout << "usage: gradscope <command> [--key value ...]\n\ncommands:\n";
    for (const Command& c : kCommands) std::cout << "  " << c.name << "\n";
    std::cout << "\n`gradscope <command> --help` lists the flags.\n";
    return;
  }
  for (const char* words : {command->keys.also, command->keys.except}) {
    std::istringstream names(words);
    for (std::string name; names >> name;)
      if (!gs::find_config_key(name)) fail("internal: kCommands names no key '" + name + "'");
  }
  std::cout << "usage: gradscope " << command->name << " [--key value ...]\n\n"
            << command->summary
            << "\n\nflags (the configuration vocabulary; --key value, --key=value or key=value):\n";
  gs::Config defaults;
  if (*command->defaults) gs::parse_config(defaults, command->defaults);
  bool any = false;
  for (const gs::ConfigKey& key : gs::config_keys()) {
    if (!uses(command->keys, key)) continue;
    any = true;
    std::printf("  --%-12s %s (default %s)\n", key.name, key.help,
                gs::config_value_text(key, defaults).c_str());
  }
  std::cout << command->extra_flags;
  if (is_command_flag(*command, "weights"))
    std::cout << own_model_help_text(is_command_flag(*command, "inputs"),
                                     is_command_flag(*command, "save"), command->trains);
  std::cout << "  --help               this text\n"
            << "\nThe other keys of the vocabulary are accepted too (so a page's URL hash can be\n"
            << "passed as flags) and do not change this command's numbers.\n";
  if (!any) return;  // cliff: no model, no memory limit
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

// The radius as the canonical text writes it.
std::string radius_text(const Config& config) {
  for (const auto& [key, value] : config_pairs(config))
    if (key == "radius") return value;
  return "";
}

// What the config cannot be for this command, checked with everything else before any output.
std::string command_error(const Command& command, const Config& config) {
  const std::string name = command.name;
  if (name == "critical") return validate_critical(config);  // every length, one cell at a time
  if (name == "truncation" && config.cells.size() != 1)
    return "cell=" + cells_text(config.cells) +
           " is invalid for truncation: expected exactly one cell";
  if (command.trains) return validate_for_training(config);
  const bool one_probe =
      name == "decay" || name == "spectrum" || name == "saturation" || name == "lagsplit";
  if (!one_probe && name != "trainability") return "";
  if (name == "trainability" && config.radius > 0)
    return "radius=" + radius_text(config) +
           " is invalid for trainability: it rescales W_hh to that spectral radius after the "
           "scale, so the map's scale axis would change nothing (use radius=0)";
  if (one_probe && config.cells.size() != 1)
    return "cell=" + cells_text(config.cells) + " is invalid for " + name +
           ": expected exactly one cell";
  if (config.seeds != 1)
    return "seeds=" + std::to_string(config.seeds) + " is invalid for " + name +
           ": it measures one seed (use sweep to average over seeds)";
  return "";
}

const int kMaxSampledStepsFlag = 100000;

// The values of the command's own flags (kCommandFlags), checked before anything is computed.
struct CommandFlags {
  std::string export_path;
  int sv_steps = 2000;  // spectrum
  int above = 10;       // lagsplit
  std::vector<double> scales = scale_grid(0.25, 16, 12, true);  // trainability
  int shard = 1, shards = 0;  // critical; shards 0: the whole experiment, not a shard
  CliffProblem cliff;         // cliff: its own flags, and the grid
  CliffAxis cliff_w, cliff_b;
  OwnModelFlags own;          // --weights and the flags that go with it, --save
  CommandFlags() {
    parse_cliff_axis("w", kCliffDefaultW, cliff_w);
    parse_cliff_axis("b", kCliffDefaultB, cliff_b);
  }
};

// A whole non-negative decimal integer in [lo, hi], or false.
bool parse_flag_int(const std::string& text, long long lo, long long hi, int& out) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  const long long value = std::stoll(text);
  if (value < lo || value > hi) return false;
  out = static_cast<int>(value);
  return true;
}

std::string flag_error(const std::string& flag, const std::string& value,
                       const std::string& expected) {
  return "--" + flag + " " + excerpt(value) + " is invalid: expected " + expected;
}

std::string command_flags(const std::string& command,
                          const std::vector<std::pair<std::string, std::string>>& given,
                          CommandFlags& flags) {
  for (const auto& [flag, value] : given) {
    if (value.empty() && flag != "export") return "--" + flag + " needs a value";
    if (is_own_model_flag(flag)) {
      if (const std::string error = parse_own_model_flag(flag, value, flags.own); !error.empty())
        return error;
    } else if (command == "cliff") {
      if (const std::string error =
              parse_cliff_flag(flag, value, flags.cliff, flags.cliff_w, flags.cliff_b);
          !error.empty())
        return error;
    } else if (flag == "shard") {
      if (const std::string error = parse_shard(value, flags.shard, flags.shards); !error.empty())
        return error;
    } else if (flag == "export") {
      if (value.empty()) return "--export needs a file name";
      flags.export_path = value;
    } else if (flag == "sv-steps") {
      if (!parse_flag_int(value, 0, kMaxSampledStepsFlag, flags.sv_steps))
        return flag_error(flag, value, "an integer in [0, " + std::to_string(kMaxSampledStepsFlag) + "]");
    } else if (flag == "above") {
      if (!parse_flag_int(value, 0, 100000, flags.above))
        return flag_error(flag, value, "an integer in [0, 100000]");
    } else if (flag == "scales") {
      // LO:HI:N[:log]; LO and HI as the vocabulary reads a scale (plain decimals in [0, 100]).
      const std::string expected =
          "LO:HI:N or LO:HI:N:log with LO < HI numbers in [0, 100] (log: LO > 0) and N an "
          "integer in [1, 64] (e.g. 0.5:3:11 or 0.25:16:12:log)";
      std::vector<std::string> parts(1);
      for (char ch : value) {
        if (ch == ':') parts.emplace_back();
        else parts.back().push_back(ch);
      }
      const bool geometric = parts.size() == 4 && parts[3] == "log";
      Config lo, hi;
      int n = 0;
      if ((parts.size() != 3 && !geometric) || !set_config_value(lo, "scale", parts[0]).empty() ||
          !set_config_value(hi, "scale", parts[1]).empty() ||
          !parse_flag_int(parts[2], 1, 64, n) || (n > 1 && !(lo.scale < hi.scale)) ||
          (geometric && !(lo.scale > 0)))
        return flag_error(flag, value, expected);
      flags.scales = scale_grid(lo.scale, hi.scale, n, geometric);
    }
  }
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
  std::cout << "# gradscope " << GRADSCOPE_VERSION << " config=" << to_text(config) << "\n"
            << own_model_lines();
}

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
  const Sweep sweep = run_sweep(config, flags.own.given);
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
  for (CellKind cell : config.cells) {
    Trainer trainer =
        flags.own.loaded ? make_trainer(flags.own.train_model, config) : make_trainer(cell, config);
    const auto start = std::chrono::steady_clock::now();
    if (export_path.empty()) {
      train_iterations(trainer, config.iters);
    } else {
      train_exporting(trainer, config.iters, exporter);
      if (!exporter.error().empty()) fail(exporter.error());
    }
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

// A forward pass that overflowed: said as decay says it, in the CSV and on stderr (exit 0).
void report_overflow(const Probe& probe, const Config& config, const char* what) {
  const std::string overflow = overflow_explanation(probe.curve, config.precision);
  std::cout << "# " << overflow << ": " << what << "\n";
  std::cerr << "gradscope: warning: " << overflow << "\n";
}

void run_spectrum(const Config& config, const CommandFlags& flags, std::FILE* export_file) {
  const Probe probe = command_probe(config, flags);
  SpectrumOptions options;
  options.max_sampled_steps = flags.sv_steps;
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
      s.overflow_step ? sampled_steps(T, sampled_step_count(s.cell, config.hidden, T, options))
                      : s.sv_steps;
  std::cout << "# state size " << n << (has_cell_state(s.cell) ? " (h_t then c_t)" : " (h_t)")
            << ": " << (s.complete ? "every singular value" : "the " + std::to_string(count) +
                                                               " largest singular values")
            << " of J_t = ds_t/ds_{t-1}";
  if (!s.complete)
    std::cout << " (subspace iteration, worst last relative change " << s.sv_iteration_change
              << ")";
  if (steps.size() == static_cast<size_t>(T))
    std::cout << ", at every step (" << T << ")";
  else
    std::cout << ", at " << steps.size() << " of " << T
              << " steps evenly spaced, t = 1 + floor(i (T - 1) / (m - 1)), the last included";
  std::cout << "; Lyapunov exponents: " << (s.complete ? "all " : "the largest ") << count
            << ", QR over all " << T << " steps, nats per step\n";
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
  if (s.cell == CellKind::Lstm || s.cell == CellKind::Gru)
    std::cout << (s.cell == CellKind::Lstm ? " forget_path" : " update_path")
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
  const char* gate = cell == CellKind::Lstm ? "f" : "z";
  const char* path = cell == CellKind::Lstm ? "forget_path" : "update_path";
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

// 10^log10_value as text, also below double's range (a share of 10^-2000 is a number).
std::string format_power_of_ten(double log10_value) {
  if (log10_kind(log10_value) != NumberKind::Number) return format_log10(log10_value);
  if (log10_value > -300) return format_value(std::pow(10.0, log10_value));
  const double exponent = std::floor(log10_value);
  char text[48];
  std::snprintf(text, sizeof text, "%.10ge%.0f", std::pow(10.0, log10_value - exponent), exponent);
  return text;
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
  const TrainabilityMap map = run_trainability(config, flags.scales, flags.own.given);
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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) fail("no command given (commands: " + command_names() + "; --help for more)");
  if (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    print_help(nullptr);
    return 0;
  }
  const Command* command = nullptr;
  for (const Command& c : kCommands)
    if (argv[1] == std::string(c.name)) command = &c;
  if (!command)
    fail("unknown command '" + excerpt(argv[1]) + "' (commands: " + command_names() + ")");
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
  std::string text = command->defaults;
  std::vector<std::pair<std::string, std::string>> own_flags;  // kCommandFlags, in order
  std::vector<std::string> explicit_keys;  // the keys given (not the command's defaults)
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
    if (is_command_flag(*command, key)) {  // a path, a grid or a shard, not a config value
      own_flags.emplace_back(key, value);
      continue;
    }
    if (is_own_model_flag(key))  // not a key of the vocabulary either: say who takes it
      fail(name + " does not take --" + key + " (" + commands_taking(key) + " do)");
    text += "&" + flag_pair(key, value);
    explicit_keys.push_back(key);
  }
  Config config;
  if (const std::string error = parse_config(config, text); !error.empty()) fail(error);
  if (const std::string error = command_error(*command, config); !error.empty()) fail(error);
  CommandFlags flags;
  if (const std::string error = command_flags(name, own_flags, flags); !error.empty()) fail(error);
  // --weights: the file's model replaces the drawn one, and its sizes the config's
  if (const std::string error = load_own_model(name, flags.own, explicit_keys, config);
      !error.empty())
    fail(error);
  if (flags.own.loaded)
    if (const std::string error = command_error(*command, config); !error.empty()) fail(error);
  if (name == "cliff")
    if (const std::string error = cliff_error(flags.cliff_w, flags.cliff_b, flags.cliff);
        !error.empty())
      fail(error);
  const std::string& export_path = flags.export_path;
  if (!export_path.empty())
    if (const std::string error = export_error(config); !error.empty()) fail(error);
  // decay's and spectrum's exports are opened here, train's by its exporter (as it trains)
  std::FILE* export_file =
      name != "train" && !export_path.empty() ? open_export(export_path) : nullptr;
  if (const std::string error = open_save(flags.own); !error.empty()) fail(error);

  if (name == "decay") run_decay(config, flags, export_file);
  if (name == "sweep") run_sweep_command(config, flags);
  if (name == "train") run_train(config, flags);
  if (name == "bench") {
    print_provenance(config);
    print_bench(config, stdout);
  }
  if (name == "critical" || name == "cliff" || name == "truncation") print_provenance(config);
  if (name == "critical") print_critical(config, flags.shard, flags.shards);
  if (name == "cliff") print_cliff(flags.cliff, flags.cliff_w, flags.cliff_b);
  if (name == "truncation") print_truncation(config);
  if (name == "spectrum") run_spectrum(config, flags, export_file);
  if (name == "saturation") run_saturation(config, flags);
  if (name == "lagsplit") run_lagsplit(config, flags);
  if (name == "trainability") run_trainability_command(config, flags);
  finish_output();
  return 0;
}
