// The static site: reads the database through baselines/ (read-only), writes every page and
// summary.md into one folder. Pages link to each other by relative file names only, so the
// folder can be copied anywhere, opened from disk or served as is.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "baselines/store.h"

namespace swapbench::report {

struct Written {
  std::filesystem::path index;     // <dir>/index.html
  std::filesystem::path summary;   // <dir>/summary.md
  std::vector<std::string> pages;  // every file written, relative to dir
};

// Writes the site for everything in db into dir (created when missing; files of an earlier
// report are overwritten). Throws std::runtime_error with one line when dir cannot be written.
Written write_site(const store::Store& db, const std::filesystem::path& dir);

}  // namespace swapbench::report
