// Running the built CLI from the tests (GRADSCOPE_CLI) and reading what it prints, shared by the
// tests of the command-line contract.
#pragma once
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gradscope_version.h"

namespace gs_test {

// A file of this test process in the temporary folder: its name carries the process id (suites
// run at once do not collide), it does not exist yet (a stale file of an earlier run cannot pass
// for a new one), and it is removed when the process ends.
inline std::string temp_path(const char* name) {
  struct Removed {
    std::vector<std::string> paths;
    ~Removed() {
      std::error_code ignored;
      for (const std::string& path : paths) std::filesystem::remove_all(path, ignored);
    }
  };
  static Removed at_exit;
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("gradscope_" + std::to_string(getpid()) + "_" + name))
                               .string();
  std::filesystem::remove_all(path);
  at_exit.paths.push_back(path);
  return path;
}

// `text` as one word of a POSIX shell command, whatever it holds (spaces, quotes, accents): the
// tests run the CLI through the shell, and the checkout's path may hold any of these.
inline std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Run {
  int exit_code;
  std::string out, err;
};

inline Run run_cli(const std::string& args) {
  // One file per test process: CTest may run the cases in parallel (ctest -j).
  static const std::string err_path = temp_path("cli_stderr.txt");
  const std::string command =
      shell_quoted(GRADSCOPE_CLI) + " " + args + " 2>" + shell_quoted(err_path);
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  std::ifstream err_file(err_path);
  std::stringstream err;
  err << err_file.rdbuf();
  std::filesystem::remove(err_path);
  // a CLI the shell could not start (127) or that crashed is reported here, with its stderr
  INFO("the command: " << command << "\nits stderr: " << err.str());
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) != 127);
  return {WEXITSTATUS(status), out, err.str()};
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// A run that must succeed: the test stops here, with its stderr, if it did not.
inline Run run_ok(const std::string& args) {
  const Run run = run_cli(args);
  INFO(args << "\n" << run.err);
  REQUIRE(run.exit_code == 0);
  return run;
}

// The output's CSV rows, without the '#' lines (which name the files and the config).
inline std::vector<std::string> rows_of(const std::string& out) {
  std::vector<std::string> rows;
  for (const std::string& line : lines_of(out))
    if (line.rfind("#", 0) != 0) rows.push_back(line);
  return rows;
}

inline const std::string kProvenance = "# gradscope " GRADSCOPE_VERSION " config=";

// Exit code 2, nothing on stdout, and exactly `err` on stderr.
inline void check_stderr(const std::string& args, const std::string& err) {
  const Run run = run_cli(args);
  INFO(args);
  CHECK(run.exit_code == 2);
  CHECK(run.out == "");
  CHECK(run.err == err);
}

// Refused with exactly "gradscope: error: <message>".
inline void check_refused(const std::string& args, const std::string& message) {
  check_stderr(args, "gradscope: error: " + message + "\n");
}

// The output's lines after its first, which must be the provenance line.
inline std::vector<std::string> csv_lines(const std::string& out) {
  std::vector<std::string> lines = lines_of(out);
  REQUIRE(!lines.empty());
  CHECK(lines[0].rfind(kProvenance, 0) == 0);
  lines.erase(lines.begin());
  return lines;
}

}  // namespace gs_test
