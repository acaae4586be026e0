// modelc: the command-line tool (see cli.cpp and docs/cli.md).
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  return modelc::run_cli(args, std::cout, std::cerr, isatty(fileno(stderr)) != 0);
}
