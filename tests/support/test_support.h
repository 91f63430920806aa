// Helpers shared by every test binary: temp files, random data, locating the real model.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace swapbench::test {

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Uniform random floats in [lo, hi) from a fixed seed: never test on zeros.
std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f);

// True when running under CI (env CI=true): tests that need a missing file fail there
// instead of skipping.
bool in_ci();

// Path of the real SmolLM2-135M-Instruct Q4_1 model (models/ in the source tree, or
// $SWAPBENCH_REAL_MODEL), or nullopt when it has not been fetched.
std::optional<std::filesystem::path> real_model_path();

// Reads a whole file as bytes.
std::vector<uint8_t> read_bytes(const std::filesystem::path& p);
void write_bytes(const std::filesystem::path& p, const std::vector<uint8_t>& bytes);

// Runs a shell command; captures its exit code, stdout and stderr.
struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};
CommandResult run_command(const std::string& command);

// The swapbench binary built beside the tests, as a shell-quoted path.
std::string swapbench_binary();
// swapbench built with the test-only faulty variants (tests/faulty/), shell-quoted.
std::string faulty_binary();

}  // namespace swapbench::test

// Skips the test outside CI, fails it in CI, when the real model is not present.
#define SB_REQUIRE_REAL_MODEL(var)                                                        \
  auto var##_opt = ::swapbench::test::real_model_path();                                  \
  if (!var##_opt) {                                                                       \
    if (::swapbench::test::in_ci())                                                       \
      FAIL() << "real model missing in CI: run ci/fetch-model.sh";                        \
    GTEST_SKIP() << "real model not fetched (run ci/fetch-model.sh); skipping";           \
  }                                                                                       \
  const std::filesystem::path var = *var##_opt
