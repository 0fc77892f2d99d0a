// `gradscope bench` compiled to WebAssembly and run under node: the same core, the same timing
// routine and the same table as the native CLI, so the two builds are compared on equal terms.
// Only core/ is linked (no SDL, no ImGui). Arguments are key=value pairs of the configuration
// vocabulary, over the same defaults as the CLI's bench:
//
//   node --no-experimental-fetch build/web/bench.js hidden=128 length=200 batch=32
#include <cstdio>
#include <string>

#include "training/bench.h"

int main(int argc, char** argv) {
  std::string text = gs::kBenchDefaults;
  for (int i = 1; i < argc; ++i) text += std::string("&") + argv[i];
  gs::Config config;
  std::string error = gs::parse_config(config, text);
  if (error.empty()) error = gs::validate_for_training(config);  // the CLI's bench limit
  if (!error.empty()) {
    std::fprintf(stderr, "bench.js: error: %s\n", error.c_str());
    return 2;
  }
  gs::print_bench(config, stdout);
  return 0;
}
