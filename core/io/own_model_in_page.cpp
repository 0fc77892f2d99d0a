#include "io/own_model_in_page.h"

namespace gs {

const std::vector<std::string>& page_model_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k = keys_with_own_model(WithOwnModel::FromFile);
    for (const std::string& key : keys_with_own_model(WithOwnModel::FileDefault)) k.push_back(key);
    return k;
  }();
  return keys;
}

std::string page_use_own_model(const OwnModel& own, bool first, Config& config, GivenModel& given,
                               std::vector<std::string>& lines) {
  if (own.from_export)
    return "this is a decay --export record: the page reads safetensors models (the CLI reads "
           "the record: gradscope decay --weights FILE)";
  Config next = config;
  if (first) {  // the file's cell, hidden size and precision replace the page's
    next.cells = {own.model.cell};
    next.hidden = has_complex_state(own.model.cell) ? own.model.hidden_size / 2  // complex units
                                                    : own.model.hidden_size;
    next.precision = own.precision;
  }
  if (std::string e = use_own_model(own, nullptr, page_model_keys(), true, next, given, lines);
      !e.empty())
    return e;
  config = next;
  return "";
}

}  // namespace gs
