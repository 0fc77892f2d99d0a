// The command line's output: provenance first, every write checked, one line on failure.
#include "output.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <nlohmann/json.hpp>

#include "gradscope_version.h"
#include "own_model_cli.h"
#include "progress.h"

namespace gs {

[[noreturn]] void fail(const std::string& message) {
  erase_progress_line();  // the message starts a line of its own
  std::cerr << "gradscope: error: " << message << "\n";
  std::exit(2);
}

// The first line of every output: what made it.
void print_provenance(const Config& config) {
  std::cout << "# gradscope " << GRADSCOPE_VERSION << " config=" << to_text(config) << "\n"
            << own_model_lines();
}

// Opens an --export file before anything is computed, so that a path that cannot be written
// fails at once instead of after the work.
std::FILE* open_export(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (!file)
    fail("--export " + path_text(path) + ": cannot open the file for writing (" +
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
    fail("--export " + path_text(path) + ": cannot write the file (" + std::strerror(error) + ")");
}

// Standard output that could not be written (a full disk, a closed pipe) is an error too.
void finish_output() {
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout)
    fail(std::string("cannot write the output (") + std::strerror(errno ? errno : EIO) + ")");
}

}  // namespace gs
