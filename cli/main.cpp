// gradscope: the command-line front end over core/.
//
//   gradscope <command> [--key value ...]   (gradscope --help lists the commands)
//
// Flags are the configuration vocabulary of core/model/config.h (`--hidden 64` is `hidden=64`); output
// is CSV on stdout, after one '#' line saying what made it; bad input, or output that cannot be
// written, gives one line on stderr and exit code 2.
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "training/bench.h"
#include "command_flags.h"
#include "commands.h"
#include "training/critical.h"
#include "output.h"
#include "own_model_cli.h"
#include "remedies.h"

namespace {

using namespace gs;

// The keys a command uses, which its --help lists: every key whose row (core/model/config.h) affects
// one of `affects`, and the keys in `also`, but not those in `except` (names, space-separated).
struct KeysUsed {
  unsigned affects;
  const char* also;
  const char* except;
};

struct Command {
  const char* name;
  const char* brief;    // one line for `gradscope --help`
  const char* summary;  // the paragraph of `gradscope <command> --help`
  const char* defaults;  // overrides of Config's defaults for this command, in key=value form
  KeysUsed keys;
  const char* extra_flags;
  bool trains;  // runs minibatch passes: validate_for_training's limit applies (and --help says so)
  // What the command refuses of a valid configuration: "" or the error (nullptr: nothing).
  std::string (*check)(const Command& command, const Config& config);
  // Prints the command's output (after every check has passed), writing its export if any.
  void (*run)(const Config& config, CommandFlags& flags, std::FILE* export_file);
  // A form of the command whose arguments are not flags (critical --merge A.csv B.csv): its
  // exit code, or -1 when argv is not that form.
  int (*other_form)(int argc, char** argv) = nullptr;
  bool writes_export_itself = false;  // as it runs (train); else main opens --export first
};

// The radius as the canonical text writes it.
std::string radius_text(const Config& config) {
  for (const auto& [key, value] : config_pairs(config))
    if (key == "radius") return value;
  return "";
}

// The checks the commands' rows name: each says what the command cannot do with a config that is
// valid in itself.
std::string one_cell_error(const Command& command, const Config& config) {
  if (config.cells.size() == 1) return "";
  return "cell=" + cells_text(config.cells) + " is invalid for " + command.name +
         ": expected exactly one cell";
}
std::string one_seed_error(const Command& command, const Config& config) {
  if (config.seeds == 1) return "";
  return "seeds=" + std::to_string(config.seeds) + " is invalid for " + command.name +
         ": it measures one seed (use sweep to average over seeds)";
}
std::string check_training(const Command&, const Config& config) {
  return validate_for_training(config);
}
std::string check_one_probe(const Command& command, const Config& config) {
  if (std::string e = one_cell_error(command, config); !e.empty()) return e;
  return one_seed_error(command, config);
}
std::string check_critical(const Command&, const Config& config) {
  return validate_critical(config);  // every length, one cell at a time
}
std::string check_truncation(const Command& command, const Config& config) {
  if (std::string e = one_cell_error(command, config); !e.empty()) return e;
  return validate_for_training(config);
}
std::string check_trainability(const Command& command, const Config& config) {
  if (config.radius > 0)
    return "radius=" + radius_text(config) +
           " is invalid for trainability: it rescales W_hh to that spectral radius after the "
           "scale, so the map's scale axis would change nothing (use radius=0)";
  for (CellKind cell : config.cells)
    if (!scale_applies(cell))
      return "cell=" + cells_text(config.cells) + " is invalid for trainability: " +
             cell_info(cell).label + " has no W_hh for the map's scale to multiply";
  return one_seed_error(command, config);
}

// The commands whose output is not one of commands.h's run functions: a provenance line first.
void run_bench(const Config& config, CommandFlags&, std::FILE*) {
  print_provenance(config);
  print_bench(config, stdout);
}

void run_critical(const Config& config, CommandFlags& flags, std::FILE*) {
  print_provenance(config);
  print_critical(config, flags.shard, flags.shards);
}

void run_cliff(const Config& config, CommandFlags& flags, std::FILE*) {
  print_provenance(config);
  print_cliff(flags.cliff, flags.cliff_w, flags.cliff_b);
}

void run_memory(const Config& config, CommandFlags& flags, std::FILE*) {
  print_provenance(config);
  print_memory(config, flags.memory_lambda);
}

void run_memory_descent(const Config& config, CommandFlags&, std::FILE*) {
  print_provenance(config);
  print_memory_descent(config);
}

// critical --merge A.csv B.csv ...: the shards' files are the only arguments.
int merge_shards(int argc, char** argv) {
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
  return -1;
}

void run_truncation(const Config& config, CommandFlags& flags, std::FILE*) {
  print_provenance(config);
  print_truncation(config, flags.own.loaded ? &flags.own.train_model : nullptr);
}


const Command kCommands[] = {
    {"decay", "the gradient's decay back through time, step by step",
     "log10 ||dL/dh_t|| for every step t of one sequence of one cell (--cell takes one name\n"
     "here, --seeds must be 1), loss at the last step only.\n"
     "Prints CSV t,lag,log10_grad_norm (lag = T - t; empty where the gradient is exactly 0).",
     "cell=rnn-tanh", {kAffectsModel | kAffectsDecay, "", "seeds"},  // one seed: check_one_probe
     "  --export FILE.json   also write the full record (weights, inputs, h0, ...)\n", false,
     check_one_probe, run_decay},
    {"sweep", "how much gradient reaches step 1 as the sequence grows",
     "For each cell and length, log10(||dL/dh_1|| / ||dL/dh_T||): how much of the gradient of\n"
     "a loss at step T reaches step 1, mean over seeds with spread.\n"
     "Prints CSV cell,length,mean_log10_ratio,stddev,min,max,seeds.",
     "", {kAffectsModel | kAffectsSweep, "", ""}, "", false, nullptr,
     [](const Config& c, CommandFlags& f, std::FILE*) { run_sweep_command(c, f); }},
    {"train", "trains cells on a task: loss, gradient norm, accuracy",
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
     true, check_training,
     [](const Config& c, CommandFlags& f, std::FILE*) { run_train(c, f); }, nullptr, true},
    {"bench", "times forward + full BPTT of one minibatch per cell",
     "Times forward + full BPTT of one minibatch per cell (hidden, length, batch) and prints\n"
     "a table: milliseconds per pass, time steps per second, and GFLOP/s of its matrix\n"
     "products (elementwise work not counted); then, for scale, the GFLOP/s of Eigen's\n"
     "product alone at an LSTM step's size and at 1024 x 1024 on this machine.",
     kBenchDefaults, {kAffectsModel, "length batch", ""}, "", true, check_training,
     run_bench},
    {"critical", "the longest sequence each cell learns at one training budget",
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
     true, check_critical,
     run_critical, merge_shards},
    {"cliff", "the exploding gradient's cliff of a one-unit RNN (Pascanu 2013)",
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
     false, nullptr,
     run_cliff},
    {"memory", "the curse of memory: a long memory makes learning it sharp (Zucchet & Orvieto)",
     "The curse of memory (Zucchet & Orvieto 2024) on the linear recurrence\n"
     "h_t = lambda h_{t-1} + x_t, stationary, inputs of unit variance with autocorrelation\n"
     "rho^|s-s'|: for each lambda the loss E[(h_t(lambda) - h_t(teacher))^2] and the\n"
     "sensitivity E[(dh_t/dtheta)^2] of three parameterizations: theta = lambda (plain); the\n"
     "input scaled by gamma = sqrt(1 - lambda^2), gamma held fixed (normalized, as the LRU);\n"
     "and lambda = exp(-exp(nu)), theta = nu, normalized (expexp, the LRU's). Closed forms.\n"
     "Prints CSV lambda,loss,sensitivity_plain,sensitivity_normalized,sensitivity_expexp.",
     "", {kAffectsNothing, "teacher rho", ""},
     "  --lambda LO:HI:N     N values of lambda from LO to HI, both included, each in\n"
     "                       (0, 0.9999] (default 0.5:0.999:100; at most 10000 points)\n",
     false, nullptr, run_memory},
    {"memory-descent", "the curse of memory: a student's lambda learning the teacher's",
     "The curse of memory's lesson for training: gradient descent of a student's lambda\n"
     "towards the teacher's, from the same start with the same learning rate, once per\n"
     "parameterization: plain (theta = lambda, on the loss E[(h_t(lambda) - h_t(teacher))^2]),\n"
     "normalized (theta = lambda, on the loss of the outputs gamma h_t, gamma = sqrt(1 - lambda^2))\n"
     "and expexp (lambda = exp(-exp(nu)), theta = nu, on the normalized loss: the LRU's). A\n"
     "run whose step takes lambda out of (0, 1) ends there (a '#' line says where).\n"
     "Prints CSV iteration,lambda_plain,loss_plain,lambda_normalized,loss_normalized,\n"
     "lambda_expexp,loss_expexp.",
     "", {kAffectsMemory, "", ""}, "", false, nullptr, run_memory_descent},
    {"truncation", "truncated BPTT's gradient against the full one, for each k",
     "Truncated BPTT: on the first minibatch training would draw, the cosine similarity\n"
     "between the gradient truncated to k steps (each loss's gradient flows back at most k\n"
     "steps) and the full one, over the recurrent layer's parameters, for k = 1..T (T: the\n"
     "task's steps; copy: length + 20). --cell takes one name here.\n"
     "Prints CSV k,cosine (empty where a gradient is exactly zero).",
     "cell=rnn-tanh", {kAffectsModel, "length batch", ""}, "", true, check_truncation,
     run_truncation},
    {"spectrum", "why: the step Jacobians' singular values, Lyapunov exponents",
     "Why it vanishes, part 1: the singular values of each step Jacobian J_t = ds_t/ds_{t-1}\n"
     "(s_t = h_t; LSTM: (h_t, c_t), size 2 H) of one sequence of one cell, and the Lyapunov\n"
     "exponents of J_T ... J_1 (QR iteration over every step, nats per step; a diagonal J_t,\n"
     "minGRU, minLSTM, LRU: each unit's average log |d_j|, exactly). Every value for a\n"
     "state size <= 128, else the 8 largest. Singular values at every step, or at most\n"
     "--sv-steps steps evenly spaced (fewer where a step's spectrum is costly; a '#' line says\n"
     "which, the last step always included).\n"
     "Prints CSV t,sv1,sv2,... (largest first), then '# lyapunov_exponents=l1,l2,...' and a\n"
     "'#' line setting the largest exponent in log10 per step (l1 / ln 10) beside the measured\n"
     "decay slope (decay's log10 per step) and the bound theory gives (RNNs: Pascanu et al.'s\n"
     "gamma sigma_max(W_hh); LSTM/GRU: the forget/update gate path's log10 per step).",
     "cell=rnn-tanh", {kAffectsModel, "length", ""},
     "  --export FILE.json   also write decay --export's record plus lyapunov_exponents,\n"
     "                       step_singular_values, singular_value_steps and (state size\n"
     "                       <= 128, or a diagonal J_t) step_eigenvalues, [re, im] per\n"
     "                       eigenvalue per step\n"
     "                       (tests/reference/check_spectrum.py recomputes them in PyTorch)\n"
     "  --sv-steps N         steps with singular values, at most (default 2000; 0: none)\n",
     false, check_one_probe,
     [](const Config& c, CommandFlags& f, std::FILE* e) { run_spectrum(c, f, e); }},
    {"saturation", "why: per step, each unit's activation derivative and gates",
     "Why it vanishes, part 2: per step, over the hidden units, the mean and quartiles of what\n"
     "each backward step multiplies the gradient by, unit by unit: act' for the RNNs (dtanh,\n"
     "dsigmoid, drelu, didentity; ReLU also dead_share, the units exactly off); LSTM gates i, f,\n"
     "o, the candidate's dtanh_g and dtanh_c = tanh'(c_t); GRU gates r, z and dtanh_n; minGRU z\n"
     "and 1-z, minLSTM f' and i'; LRU |lambda| (the same at every step). The gated cells and the\n"
     "LRU add the mean log10 of their keep factor and its path from t to T,\n"
     "mean over units of log10 prod_{s=t+1..T} f_s (z_s, ...).\n"
     "Prints CSV t,<name>_mean,<name>_q25,<name>_median,<name>_q75,... (quartiles interpolated\n"
     "as numpy.percentile's default).",
     "cell=rnn-tanh", {kAffectsModel, "length", ""}, "", false, check_one_probe,
     [](const Config& c, CommandFlags& f, std::FILE*) { run_saturation(c, f); }},
    {"lagsplit", "why: the recurrent weights' gradient split by lag",
     "Why it vanishes, part 3: the recurrent weight gradient of a loss at the last step,\n"
     "dL/dW_hh = sum_t dgates_t h_{t-1}^T, split by lag k = T - t (Pascanu et al. 2013, eq. 4;\n"
     "minGRU and minLSTM, which have no W_hh: dL/dW_ih = sum_t dgates_t x_t^T; the LRU:\n"
     "dL/dB = sum_t gamma dL/dh_t x_t^T):\n"
     "each step's term's Frobenius norm and its share of the sum of all terms' norms (exact in\n"
     "log10 at any depth). LSTM/GRU: every gate block of W_hh.\n"
     "Prints CSV t,lag,log10_term_norm,share,log10_share, then '# share_above_lag_L=...'.",
     "cell=rnn-tanh", {kAffectsModel, "length", ""},
     "  --above L            the lag above which the share is summed (default 10)\n", false,
     check_one_probe, [](const Config& c, CommandFlags& f, std::FILE*) { run_lagsplit(c, f); }},
    {"trainability", "why: decay and the edge of chaos over weight scale x length",
     "Why it vanishes, part 4: a map over recurrent scale (W_hh times it; the LRU's memory\n"
     "times it, |lambda|^(1/scale)) x sequence length, per cell: log10(||dL/dh_1|| / ||dL/dh_T||)\n"
     "(sweep's quantity, each point its own probe) and the largest Lyapunov exponent of the\n"
     "same forward pass; where it crosses 0 is the edge of chaos. One seed.\n"
     "Prints CSV cell,scale,length,log10_ratio,lyapunov_max,lyapunov_max_log10_per_step\n"
     "(lyapunov_max in nats per step), then per cell a '# edge_of_chaos' line: the scale where\n"
     "the exponent at the longest length crosses 0 (linear interpolation), or none.",
     "lengths=10,20,30,50,75,100,150,200,300,500,750,1000",
     {kAffectsModel, "lengths", "scale radius"},  // scale: --scales; radius: check_trainability
     "  --scales LO:HI:N     N scales evenly spaced from LO to HI (N 1..64); LO:HI:N:log at a\n"
     "                       constant ratio (default 0.25:16:12:log: the edges of the default\n"
     "                       cells lie near 2 for the tanh RNN, 4 the LSTM, 10 the GRU)\n",
     false, check_trainability,
     [](const Config& c, CommandFlags& f, std::FILE*) { run_trainability_command(c, f); }},
};

// Flags that are not keys of the vocabulary, by command (values checked by command_flags).
const std::pair<const char*, const char*> kCommandFlags[] = {
    {"decay", "export"},      {"train", "export"},    {"spectrum", "export"},
    {"spectrum", "sv-steps"}, {"lagsplit", "above"},  {"trainability", "scales"},
    {"critical", "shard"},    {"cliff", "w"},         {"cliff", "b"},
    {"cliff", "steps"},       {"cliff", "x0"},        {"cliff", "target"},
    {"memory", "lambda"},
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
    {"truncation", "weights"}, {"truncation", "readout"}, {"truncation", "prefix"},
    {"truncation", "layer"},
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
    for (const Command& c : kCommands) std::printf("  %-13s %s\n", c.name, c.brief);
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

// What the config cannot be for this command, checked with everything else before any output.
std::string command_error(const Command& command, const Config& config) {
  return command.check ? command.check(command, config) : "";
}

// --export records one probe: refused where a command would compute many.
std::string export_error(const Config& config) {
  if (config.sequences != 1)
    return "--export with sequences=" + std::to_string(config.sequences) +
           " is invalid: an export records one sequence (use sequences=1)";
  return "";
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

  if (command->other_form)
    if (const int code = command->other_form(argc, argv); code >= 0) return code;

  // Flags -> one key=value text, parsed and validated in one place (core/model/config.cpp).
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
  const std::string& export_path = flags.export_path;
  if (!export_path.empty())
    if (const std::string error = export_error(config); !error.empty()) fail(error);
  // decay's and spectrum's exports are opened here, train's by its exporter (as it trains)
  std::FILE* export_file =
      !command->writes_export_itself && !export_path.empty() ? open_export(export_path) : nullptr;
  if (const std::string error = open_save(flags.own); !error.empty()) fail(error);

  command->run(config, flags, export_file);
  finish_output();
  return 0;
}
