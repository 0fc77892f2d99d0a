// The committed reference fixtures (tests/reference/fixtures), shared by the tests that read them.
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gs_test {

// The .json files in `dir` (relative to the source tree) whose name starts with `prefix`, sorted
// by name.
inline std::vector<std::filesystem::path> json_files(const std::string& dir,
                                                     const std::string& prefix) {
  std::vector<std::filesystem::path> found;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(GRADSCOPE_SOURCE_DIR) / dir))
    if (entry.path().extension() == ".json" &&
        entry.path().filename().string().rfind(prefix, 0) == 0)
      found.push_back(entry.path());
  std::sort(found.begin(), found.end());
  return found;
}

inline nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream file(path);
  REQUIRE_MESSAGE(file.good(), "cannot read " << path);
  return nlohmann::json::parse(file);
}

}  // namespace gs_test
