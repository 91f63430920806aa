// SHA-256 and base64, for the Content-Security-Policy hashes of the pages' one inline script
// and one inline style (so that nothing else inline can run, even if escaping ever failed).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace swapbench::report {

std::array<uint8_t, 32> sha256(std::string_view data);
std::string base64(const uint8_t* data, size_t n);
// "sha256-<base64>": the CSP source expression of exactly these bytes.
std::string csp_hash(std::string_view data);

}  // namespace swapbench::report
