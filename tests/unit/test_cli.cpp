// The command-line contract (docs/ARCHITECTURE.md): CSV on stdout, --export JSON, exit code 2 and one line
// on stderr for bad input.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

struct Run {
  int exit_code;
  std::string out, err;
};

Run run_cli(const std::string& args) {
  // One file per test process: CTest may run the cases in parallel (ctest -j).
  const std::string err_path =
      temp_path(("gradscope_cli_test_stderr_" + std::to_string(getpid()) + ".txt").c_str());
  const std::string command = std::string(GRADSCOPE_CLI) + " " + args + " 2>" + err_path;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  std::ifstream err_file(err_path);
  std::stringstream err;
  err << err_file.rdbuf();
  return {WEXITSTATUS(status), out, err.str()};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("decay prints t,lag,log10_grad_norm for every step") {
  const Run run = run_cli("decay --cell lstm --length 40 --hidden 8");
  REQUIRE(run.exit_code == 0);
  const auto lines = lines_of(run.out);
  REQUIRE(lines.size() == 41);
  CHECK(lines[0] == "t,lag,log10_grad_norm");
  CHECK(lines[1].rfind("1,39,", 0) == 0);
  CHECK(lines[40].rfind("40,0,", 0) == 0);
}

TEST_CASE("decay --export writes the full record in PyTorch's names") {
  const std::string path = temp_path("gradscope_cli_test.json");
  const Run run = run_cli("decay --cell gru --length 12 --hidden 5 --export " + path);
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
  const auto lines = lines_of(run.out);
  const double last = std::stod(lines[12].substr(lines[12].rfind(',') + 1));
  CHECK(record["log10_grad_norm_h"][11].get<double>() == doctest::Approx(last).epsilon(1e-9));
}

TEST_CASE("train --export writes every minibatch and iteration, in PyTorch's names") {
  const std::string path = temp_path("gradscope_cli_test_train.json");
  const Run run = run_cli("train --cell rnn-tanh,gru --hidden 4 --length 6 --batch 3 --iters 5 "
                          "--clip 0.01 --precision f64 --export " + path);
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
                          "the file for writing", 0) == 0);
  if (std::filesystem::exists("/dev/full")) {  // opens, but takes no bytes
    const Run full = run_cli("train --iters 3 --export /dev/full");
    CHECK(full.exit_code == 2);
    CHECK(full.out == "");
    CHECK(full.err.rfind("gradscope: error: --export /dev/full: writing failed", 0) == 0);
  }
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
       "gradscope: error: unknown command 'wobble' (commands: decay, sweep, train, bench)\n"},
      {"",
       "gradscope: error: no command given (commands: decay, sweep, train, bench; --help for "
       "more)\n"},
  };
  for (const Case& c : cases) {
    const Run run = run_cli(c.args);
    INFO(c.args);
    CHECK(run.exit_code == 2);
    CHECK(run.out == "");
    CHECK(run.err == c.message);
  }
}

TEST_CASE("sweep prints one row per cell and length with its spread over seeds") {
  const Run run = run_cli("sweep --cell rnn-tanh,lstm --lengths 10,100 --seeds 3 --hidden 8");
  REQUIRE(run.exit_code == 0);
  const auto lines = lines_of(run.out);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "cell,length,mean_log10_ratio,stddev,min,max,seeds");
  CHECK(lines[1].rfind("rnn-tanh,10,", 0) == 0);
  CHECK(lines[4].rfind("lstm,100,", 0) == 0);
}

TEST_CASE("a gradient that reaches exactly zero prints an empty field, never -inf or nan") {
  const Run run = run_cli("sweep --cell rnn-relu --scale 0 --seeds 3 --lengths 5,10 --hidden 4");
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("inf") == std::string::npos);
  CHECK(run.out.find("nan") == std::string::npos);
}

TEST_CASE("--help lists every key of the vocabulary") {
  const Run run = run_cli("train --help");
  CHECK(run.exit_code == 0);
  for (const char* key : {"--cell", "--hidden", "--length", "--forget_bias", "--clip", "--lr"})
    CHECK(run.out.find(key) != std::string::npos);
}

TEST_CASE("an overflowing forward pass prints overflow, says where on stderr, and exits 0") {
  const Run run = run_cli("decay --cell rnn-relu --scale 100 --length 200");
  CHECK(run.exit_code == 0);  // a finding about the configuration, not an error
  const std::vector<std::string> lines = lines_of(run.out);
  REQUIRE(lines.size() == 202);  // header, 200 rows, the '#' note
  CHECK(lines[1] == "1,199,overflow");
  CHECK(lines[200] == "200,0,overflow");
  CHECK(lines[201].rfind("# the forward pass overflowed at step ", 0) == 0);
  CHECK(run.err.rfind("gradscope: warning: the forward pass overflowed at step ", 0) == 0);

  const Run sweep = run_cli("sweep --cell rnn-relu --scale 100 --lengths 10,100 --seeds 2");
  const std::vector<std::string> rows = lines_of(sweep.out);
  REQUIRE(rows.size() == 3);
  CHECK(rows[2] == "rnn-relu,100,overflow,overflow,overflow,overflow,2");
}

TEST_CASE("train prints skipped and clipped at the end, and a diverged run says where and why") {
  const Run run = run_cli("train --cell rnn-relu,lstm --optimizer sgd --lr 10 --clip 0 --iters 40");
  CHECK(run.exit_code == 0);  // divergence is a finding, not an error
  const std::vector<std::string> lines = lines_of(run.out);
  CHECK(lines[0] == "cell,iteration,loss,chance_loss,grad_norm,accuracy,skipped,clipped");
  CHECK(run.out.find("nan") == std::string::npos);
  CHECK(run.out.find("rnn-relu,2,overflow,0.1666666667,overflow,0,1,0\n") != std::string::npos);
  CHECK(run.out.find("# rnn-relu adding T=50: diverged at iteration 2: the loss is not finite: "
                     "the weights exploded; try clip=1") != std::string::npos);
  CHECK(run.out.find("% of chance") == std::string::npos);  // no arithmetic on NaN

  const Run clipped = run_cli("train --cell lstm --iters 20");  // clip=1: early updates clipped
  CHECK(clipped.out.find(",0,1\n") != std::string::npos);
}
