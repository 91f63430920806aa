// Thin RAII over the SQLite C API for the store (internal to baselines/): opening a connection,
// prepared statements with bound parameters only, and write transactions that wait out other
// writers. Every failure is a store::Error "<db path>: what: sqlite's message".
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "baselines/store.h"

namespace swapbench::store::db {

using Conn = std::unique_ptr<sqlite3, ConnectionClose>;

[[noreturn]] void fail(const std::string& path, sqlite3* c, const std::string& what);

// Opens `path` with a 10 s busy timeout and foreign keys on. Read-only never creates the file.
Conn open(const std::string& path, bool read_only);

// Runs a constant SQL script (no parameters), retrying while another writer holds the lock.
void exec(sqlite3* c, const std::string& path, const char* sql);

// ISO-8601 UTC with microseconds: sorts as text in time order.
std::string now_utc();

// A prepared statement. bind() takes integers, bools, doubles, strings, nullptr and optionals.
class Stmt {
 public:
  Stmt(sqlite3* c, const std::string& path, const char* sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  template <class T>
  Stmt& bind(int i, const T& v) {
    int rc;
    if constexpr (std::is_same_v<T, std::nullptr_t>) {
      rc = sqlite3_bind_null(s_, i);
    } else if constexpr (std::is_same_v<T, bool>) {
      rc = sqlite3_bind_int(s_, i, v ? 1 : 0);
    } else if constexpr (std::is_integral_v<T>) {
      rc = sqlite3_bind_int64(s_, i, static_cast<sqlite3_int64>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
      rc = sqlite3_bind_double(s_, i, static_cast<double>(v));
    } else if constexpr (requires { v.has_value(); }) {
      if (!v.has_value()) return bind(i, nullptr);
      return bind(i, *v);
    } else {
      const std::string_view t(v);
      rc = sqlite3_bind_text(s_, i, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) fail_here("bind");
    return *this;
  }
  template <class... A>
  Stmt& bind_all(const A&... a) {
    int i = 1;
    (bind(i++, a), ...);
    return *this;
  }

  bool step();  // true: a row is ready; false: done. Throws on error (busy included).
  void run();   // steps to completion
  void reset();

  bool is_null(int col) const;
  int64_t i64(int col) const;
  double f64(int col) const;
  std::string text(int col) const;

 private:
  [[noreturn]] void fail_here(const char* what) const;
  sqlite3* c_;
  const std::string& path_;
  sqlite3_stmt* s_ = nullptr;
};

// BEGIN IMMEDIATE (takes the write lock now, waiting and retrying while another connection
// holds it), ROLLBACK on destruction unless commit() was called.
class WriteTxn {
 public:
  WriteTxn(sqlite3* c, const std::string& path);
  ~WriteTxn();
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;
  void commit();

 private:
  sqlite3* c_;
  const std::string& path_;
  bool done_ = false;
};

// Single-value queries.
int64_t scalar_i64(sqlite3* c, const std::string& path, const char* sql);
int user_version(sqlite3* c, const std::string& path);

}  // namespace swapbench::store::db
