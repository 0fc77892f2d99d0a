// The flags that are not keys of the vocabulary, read and checked (command_flags.h).
#include "command_flags.h"

#include "remedies.h"

namespace gs {

namespace {

const int kMaxSampledStepsFlag = 100000;

// A whole non-negative decimal integer in [lo, hi], or false.
bool parse_flag_int(const std::string& text, long long lo, long long hi, int& out) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  const long long value = std::stoll(text);
  if (value < lo || value > hi) return false;
  out = static_cast<int>(value);
  return true;
}

std::string flag_error(const std::string& flag, const std::string& value,
                       const std::string& expected) {
  return "--" + flag + " " + excerpt(value) + " is invalid: expected " + expected;
}

}  // namespace

std::string command_flags(const std::string& command,
                          const std::vector<std::pair<std::string, std::string>>& given,
                          CommandFlags& flags) {
  for (const auto& [flag, value] : given) {
    if (value.empty() && flag != "export") return "--" + flag + " needs a value";
    if (is_own_model_flag(flag)) {
      if (const std::string error = parse_own_model_flag(flag, value, flags.own); !error.empty())
        return error;
    } else if (command == "cliff") {
      if (const std::string error =
              parse_cliff_flag(flag, value, flags.cliff, flags.cliff_w, flags.cliff_b);
          !error.empty())
        return error;
    } else if (flag == "lambda") {  // memory's grid
      if (const std::string error = parse_cliff_axis("lambda", value, flags.memory_lambda);
          !error.empty())
        return error;
    } else if (flag == "shard") {
      if (const std::string error = parse_shard(value, flags.shard, flags.shards); !error.empty())
        return error;
    } else if (flag == "export") {
      if (value.empty()) return "--export needs a file name";
      flags.export_path = value;
    } else if (flag == "sv-steps") {
      if (!parse_flag_int(value, 0, kMaxSampledStepsFlag, flags.sv_steps))
        return flag_error(flag, value, "an integer in [0, " + std::to_string(kMaxSampledStepsFlag) + "]");
    } else if (flag == "above") {
      if (!parse_flag_int(value, 0, 100000, flags.above))
        return flag_error(flag, value, "an integer in [0, 100000]");
    } else if (flag == "scales") {
      // LO:HI:N[:log]; LO and HI as the vocabulary reads a scale (plain decimals in [0, 100]).
      const std::string expected =
          "LO:HI:N or LO:HI:N:log with LO < HI numbers in [0, 100] (log: LO > 0) and N an "
          "integer in [1, 64] (e.g. 0.5:3:11 or 0.25:16:12:log)";
      std::vector<std::string> parts(1);
      for (char ch : value) {
        if (ch == ':') parts.emplace_back();
        else parts.back().push_back(ch);
      }
      const bool geometric = parts.size() == 4 && parts[3] == "log";
      Config lo, hi;
      int n = 0;
      if ((parts.size() != 3 && !geometric) || !set_config_value(lo, "scale", parts[0]).empty() ||
          !set_config_value(hi, "scale", parts[1]).empty() ||
          !parse_flag_int(parts[2], 1, 64, n) || (n > 1 && !(lo.scale < hi.scale)) ||
          (geometric && !(lo.scale > 0)))
        return flag_error(flag, value, expected);
      flags.scales = scale_grid(lo.scale, hi.scale, n, geometric);
    }
  }
  if (command == "cliff") return cliff_error(flags.cliff_w, flags.cliff_b, flags.cliff);
  if (command == "memory") return memory_grid_error(flags.memory_lambda);
  return "";
}

}  // namespace gs
