// Which pages exist: index, trends, slots and one page per slot, gates and one page per gate
// decision, one page per run, one divergence page per trial that is not bitwise.
#include "reports/site.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "reports/html.h"
#include "reports/model.h"
#include "reports/pages.h"

namespace swapbench::report {
namespace {

void write_file(const std::filesystem::path& dir, const std::string& name, const std::string& text,
                Written& w) {
  const std::filesystem::path p = dir / name;
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  if (f) f << text;
  if (f) f.close();
  if (!f) throw std::runtime_error("cannot write " + p.string() + ": " + std::strerror(errno));
  w.pages.push_back(name);
}

}  // namespace

Written write_site(const store::Store& db, const std::filesystem::path& dir) {
  const Site site = load_site(db);  // read everything first: a bad database writes nothing
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw std::runtime_error("cannot create the report folder " + dir.string() + ": " +
                             (ec ? ec.message() : "not a directory"));
  Written w;
  write_file(dir, "index.html", index_page(site), w);
  write_file(dir, "trends.html", trends_page(site), w);
  write_file(dir, "slots.html", slots_page(site), w);
  for (const std::string& slot : slot_names(site))
    write_file(dir, slot_file(slot), slot_page(site, slot), w);
  write_file(dir, "compare.html", compare_index_page(site), w);
  for (const store::GateDecision& g : site.gates)
    write_file(dir, compare_file(g.id), compare_page(site, g), w);
  for (const Run& run : site.runs) {
    write_file(dir, run_file(run.info.uuid), run_page(site, run), w);
    for (const Trial& t : run.trials)
      if (has_divergence(t))
        write_file(dir, divergence_file(t.id), divergence_page(site, run, t), w);
  }
  write_file(dir, "summary.md", summary_markdown(site), w);
  w.index = dir / "index.html";
  w.summary = dir / "summary.md";
  return w;
}

}  // namespace swapbench::report
