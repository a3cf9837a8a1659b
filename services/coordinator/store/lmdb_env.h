#pragma once
// RAII wrappers over the LMDB C API, only what the coordinator's store needs.
#include <lmdb.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/result.h"

namespace sluice::coordinator {

/// An open LMDB environment (one directory). One writer at a time (LMDB's
/// rule); the coordinator actor is the only writer. Durable commits (no
/// NOSYNC): the coordinator writes rarely and groups changes per txn.
class lmdb_env {
 public:
  /// Opens (creating the directory if needed) with room for `max_dbs` named DBs.
  static result<std::unique_ptr<lmdb_env>> open(const std::filesystem::path& dir, unsigned max_dbs = 8,
                                                std::size_t map_size = std::size_t(1) << 30);
  ~lmdb_env();
  lmdb_env(const lmdb_env&) = delete;
  lmdb_env& operator=(const lmdb_env&) = delete;

  MDB_env* get() const noexcept { return env_; }

 private:
  explicit lmdb_env(MDB_env* env) : env_(env) {}
  MDB_env* env_;
};

/// One transaction; aborted on destruction unless committed.
class lmdb_txn {
 public:
  static result<lmdb_txn> begin(const lmdb_env& env, bool read_only);
  lmdb_txn(lmdb_txn&& o) noexcept : txn_(o.txn_) { o.txn_ = nullptr; }
  lmdb_txn& operator=(lmdb_txn&&) = delete;
  ~lmdb_txn();

  /// Opens (creating in a write txn) a named database.
  result<MDB_dbi> open_db(const char* name);
  result<void> put(MDB_dbi db, std::string_view key, std::string_view value);
  /// Deleting a missing key is not an error.
  result<void> del(MDB_dbi db, std::string_view key);
  /// std::nullopt when absent.
  result<std::optional<std::string>> get(MDB_dbi db, std::string_view key);
  /// Calls f(key, value) for every row in key order.
  template <class F>
  result<void> for_each(MDB_dbi db, F&& f);
  result<void> commit();
  MDB_txn* get() const noexcept { return txn_; }

 private:
  explicit lmdb_txn(MDB_txn* t) : txn_(t) {}
  MDB_txn* txn_;
};

/// LMDB return codes as std::error_code (category "lmdb").
std::error_code lmdb_error(int rc);

template <class F>
result<void> lmdb_txn::for_each(MDB_dbi db, F&& f) {
  MDB_cursor* cur = nullptr;
  if (int rc = mdb_cursor_open(txn_, db, &cur); rc != 0) return lmdb_error(rc);
  MDB_val k, v;
  int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
  while (rc == 0) {
    f(std::string_view(static_cast<const char*>(k.mv_data), k.mv_size),
      std::string_view(static_cast<const char*>(v.mv_data), v.mv_size));
    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
  }
  mdb_cursor_close(cur);
  if (rc != MDB_NOTFOUND) return lmdb_error(rc);
  return success();
}

}  // namespace sluice::coordinator
