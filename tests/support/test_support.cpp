#include "support/test_support.h"

#include <cstdlib>
#include <fstream>
#include <sys/wait.h>
#include <stdexcept>

namespace swapbench::test {

TempDir::TempDir() {
  std::random_device rd;
  for (int i = 0; i < 100; ++i) {
    auto p = std::filesystem::temp_directory_path() /
             ("swapbench-test-" + std::to_string(rd()) + std::to_string(rd()));
    if (std::filesystem::create_directory(p)) {
      path_ = p;
      return;
    }
  }
  throw std::runtime_error("cannot create a temp directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<float> random_floats(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) != "" && std::string(ci) != "0" && std::string(ci) != "false";
}

std::optional<std::filesystem::path> real_model_path() {
  if (const char* env = std::getenv("SWAPBENCH_REAL_MODEL")) {
    if (std::filesystem::exists(env)) return std::filesystem::path(env);
  }
  std::filesystem::path p =
      std::filesystem::path(SWAPBENCH_SOURCE_DIR) / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf";
  if (std::filesystem::exists(p)) return p;
  return std::nullopt;
}

std::vector<uint8_t> read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + p.string());
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

void write_bytes(const std::filesystem::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

CommandResult run_command(const std::string& command) {
  TempDir dir;
  const auto out = dir.file("out"), err = dir.file("err");
  const std::string full = command + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto slurp = [](const std::filesystem::path& p) {
    const auto b = read_bytes(p);
    return std::string(b.begin(), b.end());
  };
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

std::string swapbench_binary() { return std::string("'") + SWAPBENCH_BINARY + "'"; }
std::string faulty_binary() { return std::string("'") + SWAPBENCH_FAULTY_BINARY + "'"; }

}  // namespace swapbench::test
