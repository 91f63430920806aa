// SQLite plumbing for the store: connections, statements, write transactions with retries.
#include "baselines/db.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

namespace swapbench::store::db {
namespace {

constexpr int kBusyTimeoutMs = 10'000;
// BEGIN IMMEDIATE waits kBusyTimeoutMs in SQLite's busy handler; on top of that we retry this
// many times, so a writer gives up only after minutes of contention.
constexpr int kBusyRetries = 12;

bool is_busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

void backoff(int attempt) {
  std::this_thread::sleep_for(std::chrono::milliseconds(5 * (attempt + 1)));
}

}  // namespace

void fail(const std::string& path, sqlite3* c, const std::string& what) {
  std::string msg = path + ": " + what;
  if (c != nullptr) msg += std::string(": ") + sqlite3_errmsg(c);
  for (char& ch : msg)
    if (ch == '\n' || ch == '\r') ch = ' ';  // one line, always
  throw Error(msg);
}

Conn open(const std::string& path, bool read_only) {
  sqlite3* raw = nullptr;
  const int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Conn c(raw);
  if (rc != SQLITE_OK) fail(path, raw, "cannot open");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  return c;
}

void exec(sqlite3* c, const std::string& path, const char* sql) {
  for (int attempt = 0;; ++attempt) {
    char* err = nullptr;
    const int rc = sqlite3_exec(c, sql, nullptr, nullptr, &err);
    const std::string msg = err != nullptr ? err : "";
    sqlite3_free(err);
    if (rc == SQLITE_OK) return;
    if (is_busy(rc) && attempt < kBusyRetries) {
      backoff(attempt);
      continue;
    }
    fail(path, nullptr, msg.empty() ? sqlite3_errstr(rc) : msg);
  }
}

std::string now_utc() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t t = system_clock::to_time_t(now);
  const auto us = duration_cast<microseconds>(now.time_since_epoch()).count() % 1'000'000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];  // roomy: the compiler cannot bound tm fields
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(us));
  return buf;
}

Stmt::Stmt(sqlite3* c, const std::string& path, const char* sql) : c_(c), path_(path) {
  if (sqlite3_prepare_v2(c, sql, -1, &s_, nullptr) != SQLITE_OK) fail_here("prepare");
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

void Stmt::fail_here(const char* what) const { fail(path_, c_, what); }

bool Stmt::step() {
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail_here("step");
}

void Stmt::run() {
  while (step()) {
  }
}

void Stmt::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

bool Stmt::is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
int64_t Stmt::i64(int col) const { return sqlite3_column_int64(s_, col); }
double Stmt::f64(int col) const { return sqlite3_column_double(s_, col); }
std::string Stmt::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  return p != nullptr ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, col)))
                      : std::string();
}

WriteTxn::WriteTxn(sqlite3* c, const std::string& path) : c_(c), path_(path) {
  exec(c, path, "BEGIN IMMEDIATE");
}

WriteTxn::~WriteTxn() {
  if (!done_) sqlite3_exec(c_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void WriteTxn::commit() {
  exec(c_, path_, "COMMIT");
  done_ = true;
}

int64_t scalar_i64(sqlite3* c, const std::string& path, const char* sql) {
  Stmt s(c, path, sql);
  if (!s.step()) return 0;
  return s.i64(0);
}

int user_version(sqlite3* c, const std::string& path) {
  return static_cast<int>(scalar_i64(c, path, "PRAGMA user_version"));
}

}  // namespace swapbench::store::db
