// The command-line contract (docs/ARCHITECTURE.md): CSV on stdout after one provenance line,
// --export JSON, exit code 2 and one line on stderr for bad input or output that cannot be written.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "cli_run.h"
#include "model/config.h"
#include "config_samples.h"
#include "bptt/decay.h"
#include "gradscope_version.h"

using namespace gs_test;

namespace {

// The vocabulary's keys as the CLI's "unknown key" message lists them.
std::string known_keys() {
  std::string names;
  for (const gs::ConfigKey& key : gs::config_keys())
    names += (names.empty() ? "" : ", ") + std::string(key.name);
  return "(known keys: " + names + ")";
}

}  // namespace

namespace {

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.push_back("");
  return fields;
}

}  // namespace

TEST_CASE("decay prints t,lag,log10_grad_norm for every step") {
  const Run run = run_cli("decay --cell lstm --length 40 --hidden 8");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 41);
  CHECK(lines[0] == "t,lag,log10_grad_norm");
  CHECK(lines[1].rfind("1,39,", 0) == 0);
  CHECK(lines[40].rfind("40,0,", 0) == 0);
}

TEST_CASE("decay --export writes the full record in PyTorch's names") {
  const std::string path = temp_path("gradscope_cli_test.json");
  const Run run = run_cli("decay --cell gru --length 12 --hidden 5 --export " + shell_quoted(path));
  REQUIRE(run.exit_code == 0);
  std::ifstream file(path);
  const nlohmann::json record = nlohmann::json::parse(file);
  CHECK(record["cell"] == "gru");
  CHECK(record["config"]["hidden"] == "5");
  CHECK(record["weights"]["weight_ih_l0"].size() == 15);    // 3H rows
  CHECK(record["weights"]["weight_ih_l0"][0].size() == 2);  // I = 2 (adding)
  CHECK(record["weights"]["bias_hh_l0"].size() == 15);
  CHECK(record["inputs"].size() == 12);
  CHECK(record["h0"].size() == 5);
  CHECK_FALSE(record.contains("c0"));
  CHECK(record["seed_grad_h"].size() == 5);
  REQUIRE(record["log10_grad_norm_h"].size() == 12);
  // The CSV and the export carry the same numbers.
  const auto lines = csv_lines(run.out);
  const double last = std::stod(lines[12].substr(lines[12].rfind(',') + 1));
  CHECK(record["log10_grad_norm_h"][11].get<double>() == doctest::Approx(last).epsilon(1e-9));
}

TEST_CASE("train --export writes every minibatch and iteration, in PyTorch's names") {
  const std::string path = temp_path("gradscope_cli_test_train.json");
  const Run run = run_cli(
      "train --cell rnn-tanh,gru --hidden 4 --length 6 --batch 3 --iters 5 "
      "--clip 0.01 --precision f64 --export " +
      shell_quoted(path));
  REQUIRE(run.exit_code == 0);
  std::ifstream file(path);
  const nlohmann::json record = nlohmann::json::parse(file);
  CHECK(record["precision"] == "f64");
  CHECK(record["config"]["cell"] == "rnn-tanh,gru");
  REQUIRE(record["cells"].size() == 2);
  const nlohmann::json& gru = record["cells"][1];
  CHECK(gru["cell"] == "gru");
  CHECK(gru["loss"] == "mse");
  CHECK(gru["optimizer"]["kind"] == "adam");
  CHECK(gru["optimizer"]["epsilon"] == 1e-8);
  CHECK(gru["initial_weights"]["weight_ih_l0"].size() == 12);    // 3H rows
  CHECK(gru["initial_weights"]["weight_ih_l0"][0].size() == 2);  // I = 2 (adding)
  CHECK(gru["final_weights"]["bias_out"].size() == 1);
  CHECK(gru["final_weights"] != gru["initial_weights"]);
  REQUIRE(gru["iterations"].size() == 5);
  const nlohmann::json& first = gru["iterations"][0];
  CHECK(first["iteration"] == 1);
  CHECK(first["inputs"].size() == 6);        // T
  CHECK(first["inputs"][0].size() == 3);     // B
  CHECK(first["inputs"][0][0].size() == 2);  // I
  CHECK(first["targets"][0].is_null());      // adding: a loss at the last step only
  CHECK(first["targets"][5].size() == 3);
  CHECK(first["clipped"] == true);  // clip 0.01
  CHECK(first["skipped"] == false);
  // The CSV and the export carry the same numbers.
  const auto lines = lines_of(run.out);
  const auto row = std::find_if(lines.begin(), lines.end(),
                                [](const std::string& l) { return l.rfind("gru,1,", 0) == 0; });
  REQUIRE(row != lines.end());
  CHECK(first["loss"].get<double>() == doctest::Approx(std::stod(row->substr(6))).epsilon(1e-9));
}

TEST_CASE("train --export fails before training when the file cannot be written") {
  const Run missing = run_cli("train --iters 3 --export /nonexistent-dir/train.json");
  CHECK(missing.exit_code == 2);
  CHECK(missing.out == "");
  CHECK(missing.err.rfind("gradscope: error: --export /nonexistent-dir/train.json: cannot open "
                          "the file for writing",
                          0) == 0);
  // /dev/full opens but takes no bytes (every Linux has it: without it the test fails, it does
  // not pass on nothing)
  REQUIRE(std::filesystem::exists("/dev/full"));
  const Run full = run_cli("train --iters 3 --export /dev/full");
  CHECK(full.exit_code == 2);
  CHECK(full.out == "");
  CHECK(full.err.rfind("gradscope: error: --export /dev/full: writing failed", 0) == 0);
}

TEST_CASE("bad input: exit code 2 and one line naming what was wrong") {
  struct Case {
    const char* args;
    const char* message;
  };
  const Case cases[] = {
      {"decay --hidden 0",
       "gradscope: error: hidden=0 is invalid: expected an integer in [1, 1024]\n"},
      {"decay --cell lstm,gru",
       "gradscope: error: cell=lstm,gru is invalid for decay: expected exactly one cell\n"},
      {"sweep --lengths 10,x",
       "gradscope: error: lengths=10,x is invalid: expected a comma list "
       "of integers in [1, 100000]\n"},
      {"train --optimizer rmsprop",
       "gradscope: error: optimizer=rmsprop is invalid: expected one of sgd, adam\n"},
      {"decay --hidden", "gradscope: error: --hidden needs a value\n"},
      {"wobble",
       "gradscope: error: unknown command 'wobble' (commands: decay, sweep, train, bench, "
       "critical, cliff, memory, memory-descent, truncation, spectrum, saturation, lagsplit, trainability)\n"},
      {"",
       "gradscope: error: no command given (commands: decay, sweep, train, bench, critical, "
       "cliff, memory, memory-descent, truncation, spectrum, saturation, lagsplit, trainability; --help for more)\n"},
  };
  for (const Case& c : cases) check_stderr(c.args, c.message);
}

TEST_CASE("sweep prints one row per cell and length with its spread over seeds") {
  const Run run = run_cli("sweep --cell rnn-tanh,lstm --lengths 10,100 --seeds 3 --hidden 8 --seed 1");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "cell,length,mean_log10_ratio,stddev,min,max,seeds,sequences");
  CHECK(lines[1].rfind("rnn-tanh,10,", 0) == 0);
  CHECK(lines[4].rfind("lstm,100,", 0) == 0);
  // the spread: each seed's ratio from a run of that seed alone; mean, sample stddev, min, max
  std::vector<std::vector<double>> per_seed;  // [seed][row]
  for (int seed = 1; seed <= 3; ++seed) {
    const Run one = run_cli(
        "sweep --cell rnn-tanh,lstm --lengths 10,100 --seeds 1 --hidden 8 "
        "--seed " +
        std::to_string(seed));
    REQUIRE(one.exit_code == 0);
    std::vector<double> means;
    for (size_t row = 1; row <= 4; ++row)
      means.push_back(std::stod(fields_of(csv_lines(one.out)[row])[2]));
    per_seed.push_back(means);
  }
  for (size_t row = 1; row <= 4; ++row) {
    CAPTURE(row);
    const std::vector<std::string> f = fields_of(lines[row]);
    REQUIRE(f.size() == 8);
    const double a = per_seed[0][row - 1], b = per_seed[1][row - 1], c = per_seed[2][row - 1];
    const double mean = (a + b + c) / 3;
    const double stddev = std::sqrt(
        ((a - mean) * (a - mean) + (b - mean) * (b - mean) + (c - mean) * (c - mean)) / 2);
    CHECK(std::stod(f[2]) == doctest::Approx(mean).epsilon(1e-9));
    CHECK(std::stod(f[3]) == doctest::Approx(stddev).epsilon(1e-6));
    CHECK(stddev > 0);  // three seeds, three models: a spread
    CHECK(std::stod(f[4]) == doctest::Approx(std::min({a, b, c})).epsilon(1e-9));
    CHECK(std::stod(f[5]) == doctest::Approx(std::max({a, b, c})).epsilon(1e-9));
    CHECK(f[6] == "3");
    CHECK(f[7] == "1");
  }
}

TEST_CASE("a gradient that reaches exactly zero prints an empty field, never -inf or nan") {
  // W_hh = 0: dL/dh_1 is exactly zero for every seed, so its log10 ratio is -inf, and so are the
  // mean, spread, min and max over seeds: every one of them must be an empty field.
  const Run run = run_cli("sweep --cell rnn-relu --scale 0 --seeds 3 --lengths 5,10 --hidden 4");
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("inf") == std::string::npos);
  CHECK(run.out.find("nan") == std::string::npos);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "cell,length,mean_log10_ratio,stddev,min,max,seeds,sequences");
  CHECK(lines[1] == "rnn-relu,5,,,,,3,1");
  CHECK(lines[2] == "rnn-relu,10,,,,,3,1");
}

namespace {

// Each command's smallest run: its own flags, sizes that finish in milliseconds, an LSTM trained
// with sgd (so that forget_bias, chrono and momentum act). bench: none, it prints timings.
const std::pair<const char*, const char*> kSmallRuns[] = {
    {"decay", "--cell lstm --hidden 3 --length 6"},
    {"sweep", "--cell lstm --hidden 3 --lengths 4,6 --seeds 2"},
    {"train", "--cell lstm --hidden 3 --length 4 --batch 2 --iters 3 --optimizer sgd"},
    {"bench", nullptr},
    {"critical",
     "--cell lstm --hidden 3 --lengths 4,6 --seeds 1 --iters 3 --batch 2 --optimizer sgd"},
    {"cliff", "--w 0:1:2 --b 0:1:2 --steps 3"},
    {"truncation", "--cell lstm --hidden 3 --length 4 --batch 2"},
    {"spectrum", "--cell lstm --hidden 3 --length 6"},
    {"saturation", "--cell lstm --hidden 3 --length 6"},
    {"lagsplit", "--cell lstm --hidden 3 --length 6"},
    {"trainability", "--cell lstm --hidden 3 --lengths 4,6 --scales 0.5:1:2"},
};

// What a run printed, without what differs between two runs of the same numbers: the provenance
// line (it names the config) and train's seconds.
std::string numbers_of(const std::string& out) {
  const std::regex seconds(R"( \([0-9.]+ s\))");
  std::string numbers;
  for (const std::string& line : lines_of(out))
    if (line.rfind(kProvenance, 0) != 0) numbers += std::regex_replace(line, seconds, "") + "\n";
  return numbers;
}

}  // namespace

TEST_CASE("--help lists every key a command uses, with its help; any other key changes nothing") {
  for (const auto& [command, args] : kSmallRuns) {
    const Run help = run_cli(std::string(command) + " --help");
    REQUIRE(help.exit_code == 0);
    // The config of the small run, from its provenance line.
    Run baseline;
    gs::Config base;
    if (args) {
      baseline = run_cli(std::string(command) + " " + args);
      REQUIRE(baseline.exit_code == 0);
      REQUIRE(baseline.out.rfind(kProvenance, 0) == 0);
      const std::string text = lines_of(baseline.out)[0].substr(kProvenance.size());
      REQUIRE(gs::parse_config(base, text) == "");
    }
    for (const gs::ConfigKey& key : gs::config_keys()) {
      CAPTURE(command);
      CAPTURE(key.name);
      std::string name = key.name;
      name.resize(std::max<size_t>(name.size(), 12), ' ');
      const std::string line = "\n  --" + name + " " + key.help + " (default ";
      if (const size_t at = help.out.find(line); at != std::string::npos) {
        // Listed, with its help and a default that is a value of the key.
        const size_t from = at + line.size(), to = help.out.find(")\n", from);
        gs::Config config;
        CHECK(gs::set_config_value(config, key.name, help.out.substr(from, to - from)) == "");
        continue;
      }
      // Not listed: another value changes none of the numbers, or is refused for this command.
      if (!args) continue;
      const std::string value = gs_samples::other_value(key, base);
      REQUIRE(value != "");
      const Run other = run_cli(std::string(command) + " " + args + " --" + key.name + " " + value);
      if (other.exit_code == 0) {
        CHECK(numbers_of(other.out) == numbers_of(baseline.out));
      } else {
        CHECK(other.err.rfind("gradscope: error: " + std::string(key.name) + "=", 0) == 0);
        CHECK(other.err.find(" is invalid for " + std::string(command)) != std::string::npos);
      }
    }
  }
}

TEST_CASE("an overflowing forward pass prints overflow, says where on stderr, and exits 0") {
  const Run run = run_cli("decay --cell rnn-relu --scale 100 --length 200");
  CHECK(run.exit_code == 0);  // a finding about the configuration, not an error
  const std::vector<std::string> lines = lines_of(run.out);
  REQUIRE(lines.size() == 203);  // provenance, header, 200 rows, the '#' note
  CHECK(lines[2] == "1,199,overflow");
  CHECK(lines[201] == "200,0,overflow");
  CHECK(lines[202].rfind("# the forward pass overflowed at step ", 0) == 0);
  CHECK(run.err.rfind("gradscope: warning: the forward pass overflowed at step ", 0) == 0);

  const Run sweep = run_cli("sweep --cell rnn-relu --scale 100 --lengths 10,100 --seeds 2");
  const std::vector<std::string> rows = lines_of(sweep.out);
  REQUIRE(rows.size() == 4);
  CHECK(rows[3] == "rnn-relu,100,overflow,overflow,overflow,overflow,2,1");
}

TEST_CASE("train prints skipped and clipped at the end, and a diverged run says where and why") {
  const Run run = run_cli("train --cell rnn-relu,lstm --optimizer sgd --lr 10 --clip 0 --iters 40 --seed 1");
  CHECK(run.exit_code == 0);  // divergence is a finding, not an error
  const std::vector<std::string> lines = lines_of(run.out);
  CHECK(lines[1] == "cell,iteration,loss,chance_loss,grad_norm,accuracy,skipped,clipped");
  CHECK(run.out.find("nan") == std::string::npos);
  CHECK(run.out.find("rnn-relu,2,overflow,0.1666666667,overflow,0,1,0\n") != std::string::npos);
  CHECK(run.out.find("# rnn-relu adding T=50: diverged at iteration 2: the loss is not finite: "
                     "the weights exploded; try clip=1") != std::string::npos);
  CHECK(run.out.find("% of chance") == std::string::npos);  // no arithmetic on NaN

  const Run clipped = run_cli("train --cell lstm --iters 20");  // clip=1: early updates clipped
  CHECK(clipped.out.find(",0,1\n") != std::string::npos);
}

TEST_CASE("a flag cannot smuggle in a second key: every separator is refused, named") {
  const std::string why = "('&', ';', spaces, tabs and line breaks separate key=value pairs)";
  check_refused("decay --length '5\rhidden=2'",
                "--length '5\\rhidden=2' is invalid: a flag cannot contain '\\r' " + why);
  check_refused("decay --length '5\nhidden=2'",
                "--length '5\\nhidden=2' is invalid: a flag cannot contain '\\n' " + why);
  check_refused("decay --length '5\thidden=2'",
                "--length '5\\thidden=2' is invalid: a flag cannot contain '\\t' " + why);
  check_refused("decay --length '5 hidden=2'",
                "--length '5 hidden=2' is invalid: a flag cannot contain ' ' " + why);
  check_refused("decay --length '5;hidden=2'",
                "--length '5;hidden=2' is invalid: a flag cannot contain ';' " + why);
  check_refused("decay '--length=5&hidden=2'",
                "--length '5&hidden=2' is invalid: a flag cannot contain '&' " + why);
  check_refused("decay 'length=5&hidden=2'",
                "--length '5&hidden=2' is invalid: a flag cannot contain '&' " + why);
  check_refused("decay '--hid den' 5",
                "--hid den '5' is invalid: a flag cannot contain ' ' " + why);
}

TEST_CASE("--export is a path, not a config value: separators are allowed in it") {
  const std::string path = temp_path("gradscope cli a&b;c\td.json");
  const Run run = run_cli("decay --length 6 --hidden 3 --export " + shell_quoted(path));
  REQUIRE(run.exit_code == 0);
  std::ifstream file(path);
  REQUIRE(file.good());
  CHECK(nlohmann::json::parse(file)["steps"] == 6);
  std::filesystem::remove(path);
}

TEST_CASE("numbers: hex and non-finite refused, subnormals and -0 read back from the output") {
  check_refused("decay --lr 0x1p-1074", "lr=0x1p-1074 is invalid: expected a number in (0, 10]");
  check_refused("decay --scale 1e400", "scale=1e400 is invalid: expected a number in [0, 100]");
  check_refused("decay --scale inf", "scale=inf is invalid: expected a number in [0, 100]");
  check_refused("decay --scale -nan", "scale=-nan is invalid: expected a number in [0, 100]");
  check_refused("decay --seed 99999999999999999999",
                "seed=99999999999999999999 is invalid: expected an integer in [0, "
                "9007199254740992]");
  const Run run = run_cli("decay --lr 5e-324 --scale -0 --length 5 --hidden 3");
  REQUIRE(run.exit_code == 0);
  const std::string config_text = lines_of(run.out)[0].substr(kProvenance.size());
  gs::Config config;
  REQUIRE(gs::parse_config(config, config_text) == "");
  CHECK(config.lr == std::numeric_limits<double>::denorm_min());
  CHECK(config.scale == 0);
  CHECK_FALSE(std::signbit(config.scale));
  CHECK(gs::to_text(config) == config_text);
}

TEST_CASE("bad input is quoted in at most 80 bytes, control characters and invalid UTF-8 escaped") {
  check_refused("decay --hidden " + std::string(100000, 'x'),
                "hidden=" + std::string(80, 'x') +
                    "... (100000 bytes) is invalid: expected an integer in [1, 1024]");
  check_refused("'wob\x1b[2Jble'",
                "unknown command 'wob\\x1b[2Jble' (commands: decay, sweep, train, bench, "
                "critical, cliff, memory, memory-descent, truncation, spectrum, saturation, lagsplit, trainability)");
  check_refused("decay 'junk\a'",
                "unexpected argument 'junk\\x07': flags are --key value or key=value");
  check_refused(
      "decay '--hid\x1b"
      "den' 3",
      "unknown key 'hid\\x1bden' " + known_keys());
  check_refused("decay '--\x1b[31m'", "--\\x1b[31m needs a value");
  check_refused("decay --cell 'lstm\x01'",
                "cell=lstm\\x01 is invalid: expected a comma list of rnn-tanh, rnn-relu, "
                "rnn-sigmoid, rnn-identity, lstm, gru, mingru, minlstm, lru");
  check_refused("decay --init 'h\xc3\xa9llo\x80'",
                "init=h\xc3\xa9llo\\x80 is invalid: expected one of uniform, xavier, "
                "orthogonal, identity");
}

TEST_CASE("memory limits: bench and train refuse what would not fit, and just inside runs") {
  check_refused("bench --batch 4096 --hidden 40 --length 100000",
                "length=100000, hidden=40 and batch=4096 with 3 cells are too large to "
                "train: cells x (length x batch + 2 x hidden) x (hidden + 10) must be <= "
                "4000000 (BPTT keeps every step of every sequence, and the weights 4 "
                "times)");
  check_refused("train --cell rnn-tanh --hidden 30 --length 99941 --batch 1",
                "length=99941, hidden=30 and batch=1 are too large to train one cell: "
                "(length x batch + 2 x hidden) x (hidden + 10) must be <= 4000000 "
                "(BPTT keeps every step of every sequence, and the weights 4 times)");
  check_refused("decay --hidden 41 --length 100000",
                "length=100000 with hidden=41 is too large: length x (hidden + 10) must "
                "be <= 5000000 (BPTT keeps every step)");
  // 1 x (99940 + 2 x 30) x (30 + 10) = 4000000, the limit itself
  const Run train = run_cli("train --cell rnn-tanh --hidden 30 --length 99940 --batch 1 --iters 1");
  CHECK(train.exit_code == 0);
  CHECK(train.err == "");
  const Run bench = run_cli("bench --cell rnn-tanh --hidden 30 --length 99940 --batch 1");
  CHECK(bench.exit_code == 0);
  const auto lines = csv_lines(bench.out);
  REQUIRE(lines.size() >= 2);
  CHECK(lines[1].rfind("rnn-tanh", 0) == 0);
  CHECK(lines[1].find(" 30   99940      1 ") != std::string::npos);
}

TEST_CASE("--export: opened before anything is computed, and a failed write is an error") {
  REQUIRE(std::filesystem::exists("/dev/full"));
  check_refused("decay --length 5 --export /nonexistent-dir/x.json",
                "--export /nonexistent-dir/x.json: cannot open the file for writing (No "
                "such file or directory)");
  check_refused("decay --length 5 --export /dev/full",
                "--export /dev/full: cannot write the file (No space left on device)");
  check_refused("decay --length 5 --export ''", "--export needs a file name");
  check_refused("decay --length 5 >/dev/full", "cannot write the output (No space left on device)");
}

TEST_CASE("outputs start with the version and the canonical config, and the export has both") {
  const std::string version = GRADSCOPE_VERSION;
  CHECK(version.find_first_not_of("0123456789.+gabcdef") == std::string::npos);
  CHECK(version.rfind("0.", 0) == 0);
  const Run decay = run_cli("decay --cell lstm --length 4 --hidden 8");
  CHECK(lines_of(decay.out)[0] ==
        kProvenance +
            "cell=lstm&hidden=8&length=4&seed=2&seeds=1&sequences=1&init=uniform&scale=1&"
            "radius=0&forget_bias=1&chrono=0&task=adding&batch=32&optimizer=adam&lr=0.01&"
            "momentum=0.9&clip=1&truncate=0&iters=600&lengths=10,20,50,100,200&"
            "solve_threshold=0.1&precision=f32&tour=0&r_min=0.9&r_max=0.999&"
            "max_phase=0.3141592653589793&teacher=0.99&rho=0&student=0.5&student_lr=0.1&"
            "student_iters=300");
  const std::pair<const char*, const char*> commands[] = {
      {"sweep --cell gru --lengths 5,9 --hidden 3 --task copy",
       "cell=gru&lengths=5,9&hidden=3&task=copy"},
      {"train --cell lstm --length 5 --hidden 3 --iters 2 --batch 2",
       "cell=lstm&length=5&hidden=3&iters=2&batch=2"},
  };
  for (const auto& [args, flags] : commands) {
    INFO(args);
    const Run run = run_cli(args);
    REQUIRE(run.exit_code == 0);
    gs::Config config;
    REQUIRE(gs::parse_config(config, flags) == "");
    CHECK(lines_of(run.out)[0] == kProvenance + gs::to_text(config));
  }
  const std::string path = temp_path("gradscope_cli_provenance.json");
  REQUIRE(run_cli("decay --length 4 --hidden 2 --export " + shell_quoted(path)).exit_code == 0);
  std::ifstream file(path);
  const nlohmann::json record = nlohmann::json::parse(file);
  CHECK(record["gradscope_version"] == version);
  CHECK(record["schema_version"] == 1);
}

TEST_CASE("--help names the limits that apply to the command") {
  const std::string training = "  cells x (steps x batch + 2 x hidden) x (hidden + 10) <= 4000000";
  for (const char* command : {"train", "bench"})
    CHECK(run_cli(std::string(command) + " --help").out.find(training) != std::string::npos);
  for (const char* command : {"decay", "sweep"}) {
    const Run run = run_cli(std::string(command) + " --help");
    CHECK(run.out.find("  steps x (hidden + 10) <= 5000000") != std::string::npos);
    CHECK(run.out.find(training) == std::string::npos);
  }
}

TEST_CASE("gradscope --help gives every command one line saying what it does") {
  const Run help = run_cli("--help");
  REQUIRE(help.exit_code == 0);
  for (const char* command : {"decay", "sweep", "train", "bench", "critical", "cliff", "truncation",
                              "spectrum", "saturation", "lagsplit", "trainability"}) {
    INFO(command);
    std::string found;
    for (const std::string& line : lines_of(help.out))
      if (line.rfind("  " + std::string(command) + " ", 0) == 0) found = line;
    CHECK(found.size() > 40);   // the name, then a phrase
    CHECK(found.size() <= 80);  // one line of a terminal
  }
}

namespace {

// What a terminal shows of `args`'s stderr, run under script(1), which gives it a terminal;
// stdout goes to /dev/null.
std::string terminal_stderr(const std::string& args) {
  const std::string inner = shell_quoted(GRADSCOPE_CLI) + " " + args + " >/dev/null";
  FILE* pipe = popen(("script -qec " + shell_quoted(inner) + " /dev/null").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  REQUIRE(pclose(pipe) == 0);
  return out;
}

}  // namespace

TEST_CASE("long commands show one progress line on a terminal, erased at the end; piped, nothing") {
  // 1.4 s of training on the fastest machine seen (AMD EPYC, 2026-12; 6 s on older ones): well
  // past the half second before the line first shows
  const std::string args = "critical --cell lstm --hidden 32 --lengths 60 --seeds 2 --iters 1200";
  const std::string shown = terminal_stderr(args);
  INFO(shown);
  CHECK(shown.find("\r\x1b[Kcritical: ") != std::string::npos);
  CHECK(std::regex_search(shown, std::regex("critical: [0-9]+% done, 0:0[0-9] so far, ")));
  CHECK(shown.find("left") != std::string::npos);
  CHECK(shown.size() >= 4);
  CHECK(shown.substr(shown.size() - 4) == "\r\x1b[K");  // erased: the terminal's line is clean
  const Run piped = run_cli("critical --cell lstm --hidden 32 --lengths 60 --seeds 2 --iters 400");
  CHECK(piped.exit_code == 0);
  CHECK(piped.err == "");
}

TEST_CASE("decay with sequences prints the median and the 10 and 90 percent quantiles") {
  const Run run = run_cli("decay --cell lstm --length 30 --sequences 4 --precision f64");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 31);
  CHECK(lines[0] == "t,lag,median_log10_grad_norm,p10,p90");
  // t = 1: the median of four values is the mean of the middle two (numpy's default)
  gs::Config config;
  REQUIRE(gs::parse_config(config, "cell=lstm&length=30&precision=f64") == "");
  std::vector<double> first;
  for (int q = 0; q < 4; ++q)
    first.push_back(gs::run_probe(gs::CellKind::Lstm, config, config.seed, q).curve.log10_grad_h[0]);
  std::sort(first.begin(), first.end());
  std::vector<std::string> fields;
  std::stringstream row(lines[1]);
  for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
  REQUIRE(fields.size() == 5);
  CHECK(std::stod(fields[2]) == doctest::Approx((first[1] + first[2]) / 2).epsilon(1e-9));
  CHECK(std::stod(fields[3]) < std::stod(fields[2]));
  CHECK(std::stod(fields[4]) > std::stod(fields[2]));
  CHECK(run_cli("decay --sequences 2 --export /tmp/x.json").err ==
        "gradscope: error: --export with sequences=2 is invalid: an export records one sequence "
        "(use sequences=1)\n");
}

// --- why it vanishes: spectrum, saturation, lagsplit, trainability ---

TEST_CASE("spectrum prints t,sv1..svn per step, the exponents and the slopes side by side") {
  const Run run = run_cli("spectrum --cell lstm --length 30 --hidden 4");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 34);  // note, header, 30 rows, exponents, slopes
  CHECK(lines[0].rfind("# state size 8 (h_t then c_t): every singular value", 0) == 0);
  CHECK(lines[0].find("at every step (30)") != std::string::npos);
  CHECK(lines[1] == "t,sv1,sv2,sv3,sv4,sv5,sv6,sv7,sv8");
  CHECK(lines[2].rfind("1,", 0) == 0);
  CHECK(lines[31].rfind("30,", 0) == 0);
  CHECK(lines[32].rfind("# lyapunov_exponents=", 0) == 0);
  CHECK(std::count(lines[32].begin(), lines[32].end(), ',') == 7);
  CHECK(lines[33].rfind("# lyapunov_max_log10_per_step=", 0) == 0);
  CHECK(lines[33].find(" decay_log10_per_step=") != std::string::npos);
  CHECK(lines[33].find(" forget_path_log10_per_step=") != std::string::npos);
  CHECK(run_cli("spectrum --length 5 --hidden 3").out.find(" pascanu_bound=") != std::string::npos);
}

TEST_CASE("spectrum subsamples long sequences and says which steps, the last included") {
  const Run run = run_cli("spectrum --cell gru --length 1000 --hidden 3 --sv-steps 4");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 8);
  CHECK(lines[0].find("at 4 of 1000 steps evenly spaced, t = 1 + floor(i (T - 1) / (m - 1)), "
                      "the last included") != std::string::npos);
  CHECK(lines[2].rfind("1,", 0) == 0);
  CHECK(lines[3].rfind("334,", 0) == 0);
  CHECK(lines[4].rfind("667,", 0) == 0);
  CHECK(lines[5].rfind("1000,", 0) == 0);
  const Run none = run_cli("spectrum --length 10 --hidden 3 --sv-steps 0");
  CHECK(csv_lines(none.out)[1] == "t");
  CHECK(csv_lines(none.out)[2].rfind("# lyapunov_exponents=", 0) == 0);
}

TEST_CASE("spectrum --export has decay's record plus exponents and singular values, same numbers") {
  const std::string path = temp_path("gradscope_cli_spectrum.json");
  const Run run = run_cli(
      "spectrum --cell rnn-tanh --length 12 --hidden 5 --precision f64 "
      "--export " +
      shell_quoted(path));
  REQUIRE(run.exit_code == 0);
  std::ifstream file(path);
  const nlohmann::json record = nlohmann::json::parse(file);
  CHECK(record["cell"] == "rnn-tanh");
  CHECK(record["log10_grad_norm_h"].size() == 12);  // decay's record
  CHECK(record["weights"]["weight_hh_l0"].size() == 5);
  CHECK(record["state_size"] == 5);
  CHECK(record["spectrum_complete"] == true);
  REQUIRE(record["lyapunov_exponents"].size() == 5);
  REQUIRE(record["step_singular_values"].size() == 12);
  CHECK(record["singular_value_steps"][11] == 12);
  CHECK(record["step_singular_values"][0].size() == 5);
  const auto lines = csv_lines(run.out);
  const std::string first = lines[2];  // "1,sv1,..."
  CHECK(record["step_singular_values"][0][0].get<double>() ==
        doctest::Approx(std::stod(first.substr(2))).epsilon(1e-9));
  const std::string exponents = lines[14].substr(std::string("# lyapunov_exponents=").size());
  CHECK(record["lyapunov_exponents"][0].get<double>() ==
        doctest::Approx(std::stod(exponents)).epsilon(1e-9));

  // The eigenvalues of J_t = diag(1 - h_t^2) W_hh, against the record's own forward pass redone
  // here: they sum to its trace and multiply to its determinant, conjugates pair up, and the
  // largest modulus comes first.
  const auto matrix = [](const nlohmann::json& rows) {
    Eigen::MatrixXd m(rows.size(), rows[0].size());
    for (size_t r = 0; r < rows.size(); ++r)
      for (size_t c = 0; c < rows[0].size(); ++c) m(r, c) = rows[r][c].get<double>();
    return m;
  };
  const nlohmann::json& w = record["weights"];
  const Eigen::MatrixXd w_hh = matrix(w["weight_hh_l0"]), w_ih = matrix(w["weight_ih_l0"]);
  Eigen::VectorXd b(5), h(5);
  for (int i = 0; i < 5; ++i)
    b(i) = w["bias_ih_l0"][i].get<double>() + w["bias_hh_l0"][i].get<double>(),
    h(i) = record["h0"][i].get<double>();
  const nlohmann::json& eigen = record["step_eigenvalues"];
  REQUIRE(eigen.size() == 12);
  for (int t = 1; t <= 12; ++t) {
    CAPTURE(t);
    Eigen::VectorXd x(record["inputs"][t - 1].size());
    for (int i = 0; i < x.size(); ++i) x(i) = record["inputs"][t - 1][i].get<double>();
    h = (w_ih * x + b + w_hh * h).array().tanh().matrix();
    const Eigen::MatrixXd j = (1 - h.array().square()).matrix().asDiagonal() * w_hh;
    REQUIRE(eigen[t - 1].size() == 5);
    std::complex<double> sum = 0, product = 1;
    double modulus_before = INFINITY;
    for (const auto& pair : eigen[t - 1]) {
      const std::complex<double> v(pair[0].get<double>(), pair[1].get<double>());
      sum += v, product *= v;
      CHECK(std::abs(v) <= modulus_before * (1 + 1e-12));
      modulus_before = std::abs(v);
    }
    CHECK(sum.real() == doctest::Approx(j.trace()).epsilon(1e-10));
    CHECK(std::abs(sum.imag()) < 1e-12);
    CHECK(product.real() == doctest::Approx(j.determinant()).epsilon(1e-8));
    CHECK(std::abs(product.imag()) < 1e-12);
  }
}

TEST_CASE("saturation prints the mean and quartiles of each derivative and gate per step") {
  const Run lstm = run_cli("saturation --cell lstm --length 6 --hidden 4");
  REQUIRE(lstm.exit_code == 0);
  const auto lines = csv_lines(lstm.out);
  REQUIRE(lines.size() == 7);
  CHECK(lines[0] ==
        "t,i_mean,i_q25,i_median,i_q75,f_mean,f_q25,f_median,f_q75,o_mean,o_q25,o_median,o_q75,"
        "dtanh_g_mean,dtanh_g_q25,dtanh_g_median,dtanh_g_q75,dtanh_c_mean,dtanh_c_q25,"
        "dtanh_c_median,dtanh_c_q75,log10_f_mean,forget_path_log10");
  CHECK(lines[6].substr(lines[6].rfind(',')) == ",0");  // the path from T to T: log10 1
  CHECK(csv_lines(run_cli("saturation --cell gru --length 3").out)[0] ==
        "t,r_mean,r_q25,r_median,r_q75,z_mean,z_q25,z_median,z_q75,dtanh_n_mean,dtanh_n_q25,"
        "dtanh_n_median,dtanh_n_q75,log10_z_mean,update_path_log10");
  CHECK(csv_lines(run_cli("saturation --cell rnn-relu --length 3").out)[0] ==
        "t,drelu_mean,drelu_q25,drelu_median,drelu_q75,dead_share");
  // the minimal cells: the log10 column is of what the step multiplies by, 1 - z and f'
  const Run mingru = run_cli("saturation --cell mingru --length 3 --hidden 4");
  const auto rows = csv_lines(mingru.out);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == "t,z_mean,z_q25,z_median,z_q75,1-z_mean,1-z_q25,1-z_median,1-z_q75,"
                   "log10_1-z_mean,update_path_log10");
  const auto field = [](const std::string& row, int k) {
    std::string rest = row;
    for (int i = 0; i < k; ++i) rest = rest.substr(rest.find(',') + 1);
    return std::stod(rest.substr(0, rest.find(',')));
  };
  // log10_1-z_mean (column 9) is the mean over units of log10(1 - z): below log10 of 1-z_mean
  // (column 5, Jensen), and both below 0
  CHECK(field(rows[1], 9) <= std::log10(field(rows[1], 5)));
  CHECK(field(rows[1], 5) == doctest::Approx(1 - field(rows[1], 1)).epsilon(1e-9));
  CHECK(csv_lines(run_cli("saturation --cell minlstm --length 3").out)[0] ==
        "t,f'_mean,f'_q25,f'_median,f'_q75,i'_mean,i'_q25,i'_median,i'_q75,log10_f'_mean,"
        "forget_path_log10");
}

TEST_CASE("lagsplit prints each step's term and share, and the share above a lag") {
  const Run run = run_cli("lagsplit --cell gru --length 20 --hidden 4 --above 5");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 22);
  CHECK(lines[0] == "t,lag,log10_term_norm,share,log10_share");
  CHECK(lines[1] == "1,19,,,");  // h_0 = 0: exactly zero
  CHECK(lines[20].rfind("20,0,", 0) == 0);
  CHECK(lines[21].rfind("# share_above_lag_5=", 0) == 0);
  double sum = 0;
  for (int row = 2; row <= 20; ++row) {
    std::vector<std::string> fields;
    std::stringstream stream(lines[row]);
    for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
    sum += std::stod(fields[3]);
  }
  CHECK(sum == doctest::Approx(1).epsilon(1e-8));
  // Far below float64's range a share is still a number.
  const Run deep = run_cli("lagsplit --length 3000 --above 2500 --seed 1");
  const auto deep_lines = csv_lines(deep.out);
  CHECK(deep_lines[2].find("e-5") != std::string::npos);  // t = 2: ~10^-507
  CHECK(deep.out.find("nan") == std::string::npos);
}

TEST_CASE("trainability prints every cell x scale x length and the edge of chaos per cell") {
  const Run run = run_cli(
      "trainability --cell rnn-tanh,gru --hidden 4 --lengths 10,30 "
      "--scales 0.5:4:3");
  REQUIRE(run.exit_code == 0);
  const auto lines = csv_lines(run.out);
  REQUIRE(lines.size() == 15);
  CHECK(lines[0] == "cell,scale,length,log10_ratio,lyapunov_max,lyapunov_max_log10_per_step");
  CHECK(lines[1].rfind("rnn-tanh,0.5,10,", 0) == 0);
  CHECK(lines[4].rfind("rnn-tanh,2.25,30,", 0) == 0);
  CHECK(lines[12].rfind("gru,4,30,", 0) == 0);
  CHECK(lines[13].rfind("# edge_of_chaos cell=rnn-tanh length=30 scale=", 0) == 0);
  CHECK(lines[14].rfind("# edge_of_chaos cell=gru length=30 scale=", 0) == 0);
  const Run log = run_cli(
      "trainability --cell rnn-identity --init orthogonal --lengths 5 "
      "--scales 0.5:2:3:log --precision f64");
  const auto rows = csv_lines(log.out);
  CHECK(rows[1].rfind("rnn-identity,0.5,5,", 0) == 0);
  CHECK(rows[2].rfind("rnn-identity,1,5,", 0) == 0);
  CHECK(rows[3].rfind("rnn-identity,2,5,", 0) == 0);
  CHECK(rows[4] == "# edge_of_chaos cell=rnn-identity length=5 scale=1");
}

TEST_CASE("the why commands: one overflowed pass says so as decay does, bad flags exit 2") {
  const Run run = run_cli("spectrum --cell rnn-relu --scale 100 --length 200 --hidden 3");
  CHECK(run.exit_code == 0);
  const auto lines = lines_of(run.out);
  CHECK(lines[3] == "1,overflow,overflow,overflow");
  CHECK(lines[lines.size() - 2] == "# lyapunov_exponents=overflow,overflow,overflow");
  CHECK(lines.back().rfind("# the forward pass overflowed at step ", 0) == 0);
  CHECK(run.err.rfind("gradscope: warning: the forward pass overflowed at step ", 0) == 0);
  const Run split = run_cli("lagsplit --cell rnn-relu --scale 100 --length 200 --hidden 3");
  CHECK(lines_of(split.out)[2] == "1,199,overflow,overflow,overflow");

  check_refused("spectrum --cell lstm,gru",
                "cell=lstm,gru is invalid for spectrum: expected exactly one cell");
  check_refused("saturation --seeds 2",
                "seeds=2 is invalid for saturation: it measures one seed (use sweep to average "
                "over seeds)");
  check_refused("lagsplit --above x", "--above x is invalid: expected an integer in [0, 100000]");
  check_refused("spectrum --sv-steps -1",
                "--sv-steps -1 is invalid: expected an integer in [0, 100000]");
  const std::string scales =
      " is invalid: expected LO:HI:N or LO:HI:N:log with LO < HI numbers in [0, 100] (log: LO "
      "> 0) and N an integer in [1, 64] (e.g. 0.5:3:11 or 0.25:16:12:log)";
  for (const char* bad : {"1:2", "2:1:5", "0:2:5:log", "1:2:65", "1:nan:3", "1:2:3:lin"})
    check_refused(std::string("trainability --scales ") + bad,
                  std::string("--scales ") + bad + scales);
  check_refused("trainability --radius 0.9",
                "radius=0.9 is invalid for trainability: it rescales W_hh to that spectral radius "
                "after the scale, so the map's scale axis would change nothing (use radius=0)");
  check_refused("decay --above 3", "unknown key 'above' " + known_keys());
  check_refused("spectrum --length 100000 --hidden 64",
                "length=100000 with hidden=64 is too large: length x (hidden + 10) must be <= "
                "5000000 (BPTT keeps every step)");
}
