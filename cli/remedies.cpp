#include "remedies.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <tuple>

#include "training/critical.h"
#include "io/number_format.h"
#include "progress.h"
#include "training/truncation.h"

namespace gs {

std::string parse_shard(const std::string& text, int& shard, int& shards) {
  const std::string wanted = "--shard " + excerpt(text) +
                             " is invalid: expected i/n with 1 <= i <= n <= 100000 (e.g. 2/4)";
  const size_t slash = text.find('/');
  long long i = 0, n = 0;
  if (slash == std::string::npos || !parse_decimal_integer(text.substr(0, slash), i) ||
      !parse_decimal_integer(text.substr(slash + 1), n) || i < 1 || n > 100000 || i > n)
    return wanted;
  shard = static_cast<int>(i);
  shards = static_cast<int>(n);
  return "";
}

// --- critical ----------------------------------------------------------------------------------

namespace {

std::string shard_line(const Config& config, int shard, int shards) {
  return "# config=" + to_text(config) + " shard=" + std::to_string(shard) + "/" +
         std::to_string(shards);
}

}  // namespace

void print_critical(const Config& config, int shard, int shards) {
  const bool sharded = shards > 0;
  if (sharded) std::cout << shard_line(config, shard, shards) << "\n";
  std::cout << kCriticalHeader << "\n" << std::flush;
  CriticalExperiment experiment = begin_critical(config, shard, sharded ? shards : 1);
  ProgressLine progress("critical");
  size_t printed = 0;
  for (bool done = false; !done;) {
    done = advance_critical(experiment, kStepsBetweenProgress);
    if (printed < experiment.next) erase_progress_line();  // rows start lines of their own
    for (; printed < experiment.next; ++printed)  // rows as their runs finish
      std::cout << critical_row(experiment.runs[printed]) << "\n" << std::flush;
    progress.show(experiment.iterations_done, experiment.iterations_total);
  }
  erase_progress_line();
  if (!sharded) std::cout << critical_summary_lines(critical_summary(config, experiment.runs));
}

namespace {

struct ShardFile {
  std::string path;
  std::string provenance;   // its first line, as the unsharded run prints it
  std::string config_text;  // the canonical config
  std::vector<std::string> rows;
};

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
  return fields;
}

std::string read_shard(const std::string& path, ShardFile& shard) {
  std::ifstream file(path);
  if (!file)
    return "--merge " + path_text(path) + ": cannot read the file (" + std::strerror(errno) + ")";
  shard.path = path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);)
    if (!line.empty()) lines.push_back(line);
  const std::string not_a_shard =
      "--merge " + path_text(path) +
      ": not a shard of gradscope critical (expected the '# gradscope' line, '# config=... "
      "shard=i/n' and the header " +
      kCriticalHeader + ")";
  if (lines.size() < 3 || lines[0].rfind("# gradscope ", 0) != 0 ||
      lines[1].rfind("# config=", 0) != 0 || lines[2] != kCriticalHeader)
    return not_a_shard;
  const size_t at = lines[0].find(" config=");
  const size_t shard_at = lines[1].rfind(" shard=");
  if (at == std::string::npos || shard_at == std::string::npos) return not_a_shard;
  shard.provenance = lines[0];
  shard.config_text = lines[1].substr(9, shard_at - 9);
  if (lines[0].substr(at + 8) != shard.config_text) return not_a_shard;
  shard.rows.assign(lines.begin() + 3, lines.end());
  return "";
}

// The first key whose value differs, as "key=a vs key=b".
std::string first_difference(const std::string& a, const std::string& b) {
  Config ca, cb;
  if (!parse_config(ca, a).empty() || !parse_config(cb, b).empty()) return "";
  const auto pa = config_pairs(ca), pb = config_pairs(cb);
  for (size_t i = 0; i < pa.size(); ++i)
    if (pa[i].second != pb[i].second)
      return " (" + pa[i].first + "=" + pa[i].second + " vs " + pb[i].first + "=" + pb[i].second +
             ")";
  return "";
}

}  // namespace

std::string merge_critical(const std::vector<std::string>& paths) {
  if (paths.empty()) return "--merge needs shard files: critical --merge a.csv b.csv ...";
  std::vector<ShardFile> shards(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    if (const std::string error = read_shard(paths[i], shards[i]); !error.empty()) return error;
    const ShardFile& first = shards[0];
    if (shards[i].config_text != first.config_text)
      return "--merge: " + path_text(first.path) + " and " + path_text(paths[i]) +
             " are shards of different configs" +
             first_difference(first.config_text, shards[i].config_text);
    if (shards[i].provenance != first.provenance)
      return "--merge: " + path_text(first.path) + " and " + path_text(paths[i]) +
             " were made by different gradscope versions";
  }
  Config config;
  if (const std::string error = parse_config(config, shards[0].config_text); !error.empty())
    return "--merge " + path_text(paths[0]) + ": its config is invalid: " + error;

  // Every row must be one run of the config, and every run must come exactly once.
  std::vector<CriticalRun> runs = critical_runs(config);
  std::map<std::tuple<std::string, int, uint64_t>, size_t> index;
  for (size_t i = 0; i < runs.size(); ++i)
    index[{cell_name(runs[i].cell), runs[i].length, runs[i].seed}] = i;
  std::vector<std::string> rows(runs.size());
  std::vector<const ShardFile*> source(runs.size(), nullptr);
  for (const ShardFile& shard : shards)
    for (const std::string& row : shard.rows) {
      const std::vector<std::string> fields = split_fields(row);
      long long length = 0, seed = 0;
      const auto found =
          fields.size() == 6 && parse_decimal_integer(fields[1], length) &&
                  parse_decimal_integer(fields[2], seed) && (fields[5] == "0" || fields[5] == "1")
              ? index.find({fields[0], static_cast<int>(length), static_cast<uint64_t>(seed)})
              : index.end();
      if (found == index.end())
        return "--merge " + path_text(shard.path) + ": '" + excerpt(row) +
               "' is not a row of a run of its config";
      const size_t i = found->second;
      if (source[i])
        return "--merge: shards overlap: the run " + fields[0] + "," + fields[1] + "," + fields[2] +
               " is in " + path_text(source[i]->path) +
               (source[i] == &shard ? " twice" : " and in " + path_text(shard.path));
      source[i] = &shard;
      rows[i] = row;
      runs[i].done = true;
      runs[i].solved = fields[5] == "1";
    }
  size_t missing = 0;
  const CriticalRun* first_missing = nullptr;
  for (const CriticalRun& run : runs)
    if (!run.done) {
      ++missing;
      if (!first_missing) first_missing = &run;
    }
  if (missing)
    return "--merge: incomplete: " + std::to_string(missing) + " of " +
           std::to_string(runs.size()) + " runs are missing, the first " +
           cell_name(first_missing->cell) + "," + std::to_string(first_missing->length) + "," +
           std::to_string(first_missing->seed) + " (merge every shard 1/n .. n/n)";

  std::cout << shards[0].provenance << "\n" << kCriticalHeader << "\n";
  for (const std::string& row : rows) std::cout << row << "\n";
  std::cout << critical_summary_lines(critical_summary(config, runs));
  return "";
}

// --- cliff -------------------------------------------------------------------------------------

std::string parse_cliff_flag(const std::string& key, const std::string& value,
                             CliffProblem& problem, CliffAxis& w, CliffAxis& b) {
  if (key == "w") return parse_cliff_axis("w", value, w);
  if (key == "b") return parse_cliff_axis("b", value, b);
  double number = 0;
  long long steps = 0;
  if (key == "steps") {
    if (!parse_decimal_integer(value, steps) || steps < 1 || steps > 10000)
      return "--steps " + excerpt(value) + " is invalid: expected an integer in [1, 10000]";
    problem.steps = static_cast<int>(steps);
    return "";
  }
  if (!parse_decimal(value, number))
    return "--" + key + " " + excerpt(value) + " is invalid: expected a number";
  (key == "x0" ? problem.x0 : problem.target) = number;
  return "";
}

std::string cliff_error(const CliffAxis& w, const CliffAxis& b, const CliffProblem& problem) {
  const long long points = static_cast<long long>(w.n) * b.n;
  if (points > 1000000)
    return "--w with " + std::to_string(w.n) + " points and --b with " + std::to_string(b.n) +
           " are too many: at most 1000000 grid points";
  if (points * problem.steps > 1000000000LL)
    return "--steps " + std::to_string(problem.steps) + " over " + std::to_string(points) +
           " grid points is too much work: grid points x steps must be <= 1000000000";
  return "";
}

void print_cliff(const CliffProblem& problem, const CliffAxis& w, const CliffAxis& b) {
  std::cout << "# cliff: x_t = w sigmoid(x_{t-1}) + b, x_0 = " << format_exact(problem.x0)
            << ", E = (sigmoid(x_" << problem.steps << ") - " << format_exact(problem.target)
            << ")^2; --w " << format_exact(w.lo) << ":" << format_exact(w.hi) << ":" << w.n
            << " --b " << format_exact(b.lo) << ":" << format_exact(b.hi) << ":" << b.n
            << " --steps " << problem.steps << " --x0 " << format_exact(problem.x0) << " --target "
            << format_exact(problem.target) << "\n";
  std::cout << "w,b,loss,grad_w,grad_b\n";
  std::string text;
  for (int i = 0; i < w.n; ++i) {
    for (int j = 0; j < b.n; ++j) {
      const CliffPoint p = cliff_point(problem, w.at(i), b.at(j));
      text += format_exact(w.at(i)) + "," + format_exact(b.at(j)) + "," + format_exact(p.loss) +
              "," + format_exact(p.grad_w) + "," + format_exact(p.grad_b) + "\n";
    }
    std::cout << text;
    text.clear();
  }
}

// --- truncation --------------------------------------------------------------------------------

void print_truncation(const Config& config, const Model* start) {
  const TruncationProbe probe =
      start ? run_truncation_probe(*start, config) : run_truncation_probe(config.cells[0], config);
  std::cout << "k,cosine\n";
  for (int k = 1; k <= probe.steps; ++k) {
    const double c = probe.cosine[k - 1];  // -inf: a gradient exactly zero, no direction
    std::cout << k << "," << format_number(c, c == -INFINITY ? NumberKind::Zero : value_kind(c))
              << "\n";
  }
}

}  // namespace gs
