// Any checkout path works: the CLI's file-reading and file-writing cases under a folder whose
// path is long (over 200 bytes), holds spaces and Italian letters, and ends in a file name with
// a line break, as a user's own folders may. Every message names its file whole.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_run.h"

using namespace gs_test;
namespace fs = std::filesystem;

namespace {

const std::string kWeightsDir =
    std::string(GRADSCOPE_SOURCE_DIR) + "/tests/reference/fixtures/weights/";

// A folder of the test's own, under a path of over 200 bytes with spaces and accents.
struct DeepFolder {
  std::string root, dir;
  DeepFolder() {
    root = temp_path("percorsi lunghi");
    dir = root + "/Università degli Studi/perché il mio modello non impara/" +
          "una cartella dal nome piuttosto lungo, come quelle dei corsi/" +
          "esercitazione 3 - gradienti che svaniscono (RNN, LSTM e GRU)";
    fs::create_directories(dir);
  }
  ~DeepFolder() { fs::remove_all(root); }
  std::string file(const std::string& name) const { return dir + "/" + name; }
};

bool has_line(const std::string& out, const std::string& line) {
  for (const std::string& l : lines_of(out))
    if (l == line) return true;
  return false;
}

}  // namespace

TEST_CASE(
    "a path over 200 bytes with spaces and accents: every file is read, written and named whole") {
  const DeepFolder folder;
  REQUIRE(folder.dir.size() > 200);
  const std::string model = folder.file("il mio modello.safetensors");
  const std::string inputs = folder.file("i miei ingressi.safetensors");
  fs::copy_file(kWeightsDir + "lstm_f64.safetensors", model);
  fs::copy_file(kWeightsDir + "inputs_i3.safetensors", inputs);

  // reading: --weights and --inputs, named whole and unescaped in the '#' lines
  const Run read =
      run_ok("decay --weights " + shell_quoted(model) + " --inputs " + shell_quoted(inputs));
  CHECK(has_line(read.out, "# --weights " + model));
  CHECK(has_line(read.out, "# --inputs " + inputs + ": tensor 'inputs' [200, 3] F64"));

  // writing: --save and --export, then each read back to the same curve
  const std::string saved = folder.file("salvato.safetensors");
  const std::string record = folder.file("decadimento.json");
  const Run wrote =
      run_ok("decay --weights " + shell_quoted(model) + " --inputs " + shell_quoted(inputs) +
             " --save " + shell_quoted(saved) + " --export " + shell_quoted(record));
  CHECK(fs::file_size(saved) > 100);
  CHECK(fs::file_size(record) > 100);
  const Run from_saved =
      run_ok("decay --weights " + shell_quoted(saved) + " --inputs " + shell_quoted(inputs));
  CHECK(has_line(from_saved.out, "# --weights " + saved));
  const Run from_record = run_ok("decay --weights " + shell_quoted(record));
  CHECK(has_line(from_record.out, "# --weights " + record));
  CHECK(rows_of(from_saved.out) == rows_of(wrote.out));
  CHECK(rows_of(from_record.out) == rows_of(wrote.out));

  const std::string spectrum = folder.file("spettro.json");
  run_ok("spectrum --length 12 --hidden 4 --export " + shell_quoted(spectrum));
  CHECK(fs::file_size(spectrum) > 100);
  const std::string trained = folder.file("addestramento.json");
  run_ok("train --cell gru --hidden 4 --length 6 --batch 2 --iters 2 --export " +
         shell_quoted(trained));
  CHECK(fs::file_size(trained) > 100);

  // critical's shards written there and merged from there
  const std::string shard1 = folder.file("frammento 1 di 2.csv");
  const std::string shard2 = folder.file("frammento 2 di 2.csv");
  const std::string small = "critical --cell rnn-tanh --lengths 5 --seeds 2 --iters 20 --hidden 4";
  REQUIRE(run_cli(small + " --shard 1/2 >" + shell_quoted(shard1)).exit_code == 0);
  REQUIRE(run_cli(small + " --shard 2/2 >" + shell_quoted(shard2)).exit_code == 0);
  const Run merged =
      run_ok("critical --merge " + shell_quoted(shard1) + " " + shell_quoted(shard2));
  CHECK(merged.out == run_ok(small).out);

  // refusals name the file whole, in the user's letters
  const std::string missing = folder.file("non c'è.safetensors");
  check_refused("decay --weights " + shell_quoted(missing),
                "--weights " + missing + ": cannot open the file (No such file or directory)");
  check_refused("decay --weights " + shell_quoted(model) + " --inputs " + shell_quoted(missing),
                "--inputs " + missing + ": cannot open the file (No such file or directory)");
  const std::string nowhere = folder.file("cartella che non c'è/uscita.json");
  check_refused(
      "decay --export " + shell_quoted(nowhere),
      "--export " + nowhere + ": cannot open the file for writing (No such file or directory)");
  check_refused("decay --save " + shell_quoted(folder.dir),
                "--save " + folder.dir + ": it is a directory");
  check_refused(
      "decay --save " + shell_quoted(nowhere),
      "--save " + nowhere + ": cannot open the file for writing (No such file or directory)");
  check_refused("critical --merge " + shell_quoted(shard1) + " " + shell_quoted(missing),
                "--merge " + missing + ": cannot read the file (No such file or directory)");
  check_refused("critical --merge " + shell_quoted(model),
                "--merge " + model +
                    ": not a shard of gradscope critical (expected the '# gradscope' line, "
                    "'# config=... shard=i/n' and the header "
                    "cell,length,seed,final_loss,chance_loss,solved)");

  // only what could break the line is escaped: a line break in a file name
  const std::string broken = folder.file("riga\nspezzata.safetensors");
  std::string shown = broken;
  shown.replace(shown.find('\n'), 1, "\\n");
  check_refused("decay --weights " + shell_quoted(broken),
                "--weights " + shown + ": cannot open the file (No such file or directory)");
}
