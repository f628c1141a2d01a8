#pragma once
// The `tessera` command line: argument parsing, usage text, and the one mapping from ErrorCode
// to process exit status (see base/error_code.hpp).
#include <string>
#include <vector>

#include "app/config.hpp"
#include "base/result.hpp"

namespace tessera::app {

// Exit statuses follow sysexits.h so scripts can tell usage errors from outages.
int ExitCodeFor(ErrorCode code);

// `args` excludes the program name. kInvalidArgument for unknown flags, missing values or an
// unknown command.
Result<CliOptions> ParseArgs(const std::vector<std::string>& args);
std::string UsageText();

// Prints "tessera: <message>" on stderr and returns the exit status for it.
int ReportError(const Error& error);

// The whole program: parse, dispatch to app.hpp, map the outcome to an exit status.
int Main(int argc, char** argv);

}  // namespace tessera::app
