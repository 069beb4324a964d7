#include "cli/program.h"

#include <cstdio>
#include <new>

#include "common/error.h"
#include "common/output_file.h"

namespace lt::cli {

Program::Program(std::string name, std::string intro) : name_(std::move(name)), intro_(std::move(intro)) {}

Command& Program::add(const std::string& name, const std::string& summary) {
  for (const auto& c : commands_)
    LT_CHECK(c.name != name && !c.name.empty() && !name.empty(), Error,
             "{}: command '{}' declared twice, or beside the program's own options", name_, name);
  Command& c = commands_.emplace_back();
  c.name = name;
  c.summary = summary;
  const std::string g = "General";
  c.table.add(g, "config", &c.configFiles, "YAML files of option keys, applied left to right before the flags")
      .commandLineOnly();
  c.table.add(g, "dump-config", &c.dumpConfig, "print the effective options as YAML (a --config file) and exit")
      .commandLineOnly();
  c.table.add(g, "help", &c.help, "print this help and exit").alias("-h").commandLineOnly();
  c.table.add(g, "version", &c.version, "print the version and exit").commandLineOnly();
  return c;
}

Command& Program::command() { return add("", ""); }
Command& Program::command(const std::string& name, const std::string& summary) { return add(name, summary); }

std::string Program::usage(const Command& c) const {
  return name_ + (c.name.empty() ? "" : " " + c.name) + " [--config FILE...] [--option value...]";
}

std::string Program::programHelp() const {
  std::string s = "Usage: " + name_ + " <command> [--config FILE...] [--option value...]\n" + intro_ +
                  "\n\nCommands:\n";
  for (const auto& c : commands_) {
    std::string lhs = "  " + c.name;
    s += lhs + std::string(lhs.size() < 14 ? 14 - lhs.size() : 1, ' ') + c.summary + "\n";
  }
  return s + "\nRun '" + name_ + " <command> --help' for the options of a command.\n";
}

int Program::dispatch(int argc, const char* const* argv) {
  Command* cmd = nullptr;
  int first = 1;
  std::vector<const char*> moved;  // flags given before the command name go after it
  if (commands_.size() == 1 && commands_.front().name.empty()) {
    cmd = &commands_.front();
  } else {
    if (argc > 2 && argv[1][0] == '-' && std::string(argv[1]) != "--help" && std::string(argv[1]) != "-h" &&
        std::string(argv[1]) != "--version") {
      for (int i = 2; i < argc && moved.empty(); ++i)
        for (const auto& c : commands_)
          if (c.name == argv[i]) {
            moved.push_back(argv[0]);
            moved.push_back(argv[i]);
            for (int j = 1; j < argc; ++j)
              if (j != i) moved.push_back(argv[j]);
            break;
          }
      if (!moved.empty()) argv = moved.data();
    }
    const std::string a = argc > 1 ? argv[1] : "";
    if (a.empty() || a == "--help" || a == "-h") {
      std::fputs(programHelp().c_str(), a.empty() ? stderr : stdout);
      return a.empty() ? 2 : 0;
    }
    if (a == "--version") {
      std::printf("%s %s\n", name_.c_str(), LT_VERSION);
      return 0;
    }
    std::string names;
    for (auto& c : commands_) {
      names += (names.empty() ? "" : ", ") + c.name;
      if (c.name == a) cmd = &c;
    }
    LT_CHECK(cmd, ConfigError, "unknown command '{}' (commands: {}; see --help)", a, names);
    first = 2;
  }
  Command& c = *cmd;
  c.table.parseCommandLine(argc, argv, first);
  if (c.help) {
    std::fputs(c.table.helpText(usage(c), c.name.empty() ? intro_ : c.summary).c_str(), stdout);
    return 0;
  }
  if (c.version) {
    std::printf("%s %s\n", name_.c_str(), LT_VERSION);
    return 0;
  }
  if (c.dumpConfig) {
    std::fputs(c.table.dumpYaml().c_str(), stdout);
    return 0;
  }
  c.table.checkRequired();
  LT_CHECK(static_cast<bool>(c.run), Error, "{}: nothing to run", name_);
  const int code = c.run();
  flushStandardOutput();  // a closed stdout is an error, not silence
  return code;
}

int reportError(const std::string& program, const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e)) {
    std::fprintf(stderr, "%s: error: out of memory (%s); the job needs more memory than is free\n",
                 program.c_str(), e.what());
    return 1;
  }
  const int code = exitCodeFor(e);
  std::fprintf(stderr, "%s: %s: %s\n", program.c_str(), code == 70 ? "internal error" : "error", e.what());
  return code;
}

int Program::main(int argc, const char* const* argv) {
  installOutputSignalHandlers();  // a reader that goes away: quiet exit 141 (common/output_file.h)
  try {
    return dispatch(argc, argv);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    return reportError(name_, e);
  }
}

}  // namespace lt::cli
