// core/ knows nothing of the UI: no SDL, ImGui, GL or Emscripten include anywhere in it, so the
// numbers build and run the same natively and in the browser.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

TEST_CASE("core/ includes no UI, GL or Emscripten header") {
  const std::regex forbidden(R"(#\s*include\s*[<"](SDL|imgui|GL|GLES|emscripten|webgl)[^>"]*[>"])",
                             std::regex::icase);
  int files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(GRADSCOPE_SOURCE_DIR) + "/core")) {
    std::ifstream file(entry.path());
    std::stringstream text;
    text << file.rdbuf();
    INFO(entry.path().string());
    CHECK_FALSE(std::regex_search(text.str(), forbidden));
    ++files;
  }
  CHECK(files > 10);
}
