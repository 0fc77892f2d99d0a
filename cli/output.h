// The command line's output. Every command writes CSV on stdout after one provenance line; bad
// input, or output that cannot be written, is one line on stderr and exit code 2.
#pragma once
#include <cstdio>
#include <string>

#include "model/config.h"
#include <nlohmann/json_fwd.hpp>

namespace gs {

// "gradscope: error: <message>" on stderr, exit code 2.
[[noreturn]] void fail(const std::string& message);

// The first line of every output: "# gradscope <version> config=<text>", then the '#' lines
// saying which model file was loaded, if one was.
void print_provenance(const Config& config);

// Opens an --export file before anything is computed, so that a path that cannot be written
// fails at once instead of after the work.
std::FILE* open_export(const std::string& path);
// Writes the record and closes the file; any failed write, flush or close fails.
void write_export(std::FILE* file, const std::string& path, const nlohmann::json& record);

// Fails if standard output could not be written (a full disk, a closed pipe).
void finish_output();

}  // namespace gs
