// What every lt program's main() does, written once: the standard flags on each option table
// (--config FILE..., --dump-config, --help / -h, --version), parsing with the table's
// precedence (defaults < config files < flags, cli/option_table.h), generated help, and one
// error and exit-code policy:
//   0 success; 2 configuration or usage error (lt::ConfigError: a bad flag, key or value);
//   1 runtime error (any other lt::Error, or out of memory; also a closed standard output);
//   70 internal error (any other exception); 141 when the reader of the output goes away
//   (SIGPIPE, common/output_file.h). A run may return 128 + signal itself (lt-train stopped by
//   SIGINT/SIGTERM: 130/143, after its checkpoint).
// Errors print one line, "<program>: error: <message>" ("internal error" for code 70).
//
//   cli::Program p("lt-convert", "Rewrites an lt model file.");
//   ConvertOptions o;
//   cli::Command& c = p.command();
//   c.table.add("General", "model", &o.model, "model file").alias("-m").require();
//   c.run = [&] { return convert(o); };
//   return p.main(argc, argv);
#pragma once
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "cli/option_table.h"

namespace lt::cli {

struct Command {
  std::string name;     // "" for the program's only command
  std::string summary;  // one line, for the program's command list
  OptionTable table;    // --config, --dump-config, --help and --version are declared first
  std::function<int()> run;  // called after parsing (not for --help, --version, --dump-config)
  // Standard flags (set by parsing).
  std::vector<std::string> configFiles;
  bool dumpConfig = false, help = false, version = false;
};

class Program {
public:
  Program(std::string name, std::string intro);
  // The options of a program without subcommands.
  Command& command();
  // A subcommand: `<program> NAME [options]` (options given before NAME apply to it too).
  Command& command(const std::string& name, const std::string& summary);
  // Parses argv, runs the chosen command and returns the exit code (never throws).
  int main(int argc, const char* const* argv);
  const std::string& name() const { return name_; }

private:
  Command& add(const std::string& name, const std::string& summary);
  int dispatch(int argc, const char* const* argv);
  std::string usage(const Command& c) const;
  std::string programHelp() const;
  std::string name_, intro_;
  std::deque<Command> commands_;  // stable addresses
};

// Maps an exception to lt's exit codes (above) and prints "<program>: error: ..." to stderr.
int reportError(const std::string& program, const std::exception& e);

}  // namespace lt::cli
