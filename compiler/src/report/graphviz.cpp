#include "report/graphviz.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

extern char** environ;

namespace modelc {

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return {};
  std::string_view rest(path);
  while (true) {
    const size_t colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    const std::string candidate =
        (std::filesystem::path(dir.empty() ? std::string_view(".") : dir) / program).string();
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0)
      return candidate;
    if (colon == std::string_view::npos) return {};
    rest.remove_prefix(colon + 1);
  }
}

std::optional<std::string> picture_format(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  for (const char* f : {"svg", "png", "pdf"})
    if (ext == std::string(".") + f) return f;
  return std::nullopt;
}

std::string render_with_dot(const std::string& dot, const std::string& dot_text,
                            const std::string& format, const std::string& out_path) {
  // The DOT goes to a temporary file, given to dot as its input.
  std::string tmp = (std::filesystem::temp_directory_path() / "modelc-graph-XXXXXX.dot").string();
  const int fd = mkstemps(tmp.data(), 4);
  if (fd < 0) return fmt::format("cannot create a temporary file: {}", std::strerror(errno));
  size_t written = 0;
  while (written < dot_text.size()) {
    const ssize_t n = write(fd, dot_text.data() + written, dot_text.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  close(fd);
  if (written != dot_text.size()) {
    std::filesystem::remove(tmp);
    return fmt::format("cannot write the temporary file '{}'", tmp);
  }
  const std::string t = "-T" + format;
  std::vector<std::string> args = {dot, t, "-o", out_path, tmp};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, dot.c_str(), nullptr, nullptr, argv.data(), environ);
  std::string problem;
  if (spawned != 0) {
    problem = fmt::format("cannot run '{}': {}", dot, std::strerror(spawned));
  } else {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFSIGNALED(status))
      problem = fmt::format("'{}' was killed by signal {}", dot, WTERMSIG(status));
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      problem = fmt::format("'{}' failed (exit status {}) writing '{}'", dot, WEXITSTATUS(status),
                            out_path);
  }
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  return problem;
}

}  // namespace modelc
