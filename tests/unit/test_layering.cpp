// The layers keep to their side. core/ knows nothing of the UI: no SDL, ImGui, GL or Emscripten
// include anywhere in it, so the numbers build and run the same natively and in the browser. The
// page's UI (web/*) knows nothing of its compute worker (web/worker/) but the messages between
// them (worker/protocol.h).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace {

std::string text_of(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("core/ includes no UI, GL or Emscripten header") {
  const std::regex forbidden(R"(#\s*include\s*[<"](SDL|imgui|GL|GLES|emscripten|webgl)[^>"]*[>"])",
                             std::regex::icase);
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::string(GRADSCOPE_SOURCE_DIR) + "/core")) {
    if (!entry.is_regular_file()) continue;
    INFO(entry.path().string());
    CHECK_FALSE(std::regex_search(text_of(entry.path()), forbidden));
    ++files;
  }
  CHECK(files > 50);
}

TEST_CASE("the page's UI includes nothing of the worker but worker/protocol.h") {
  const std::regex worker_include(R"re(#\s*include\s*"worker/([^"]*)")re");
  int files = 0, protocol = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(GRADSCOPE_SOURCE_DIR) + "/web")) {
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".h")) continue;
    const std::string text = text_of(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), worker_include), end; it != end; ++it) {
      INFO(entry.path().string());
      CHECK((*it)[1].str() == "protocol.h");
      ++protocol;
    }
    ++files;
  }
  CHECK(files > 20);
  CHECK(protocol >= 1);
}
