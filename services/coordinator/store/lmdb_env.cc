#include "services/coordinator/store/lmdb_env.h"

#include <system_error>

namespace sluice::coordinator {

std::error_code lmdb_error(int rc) {
  struct category : std::error_category {
    const char* name() const noexcept override { return "lmdb"; }
    std::string message(int c) const override { return mdb_strerror(c); }
  };
  static const category c;
  return {rc, c};
}

result<std::unique_ptr<lmdb_env>> lmdb_env::open(const std::filesystem::path& dir, unsigned max_dbs,
                                                 std::size_t map_size) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return ec;
  MDB_env* env = nullptr;
  if (int rc = mdb_env_create(&env); rc != 0) return lmdb_error(rc);
  int rc = mdb_env_set_maxdbs(env, max_dbs);
  if (rc == 0) rc = mdb_env_set_mapsize(env, map_size);
  if (rc == 0) rc = mdb_env_open(env, dir.c_str(), 0, 0644);
  if (rc != 0) {
    mdb_env_close(env);
    return lmdb_error(rc);
  }
  return std::unique_ptr<lmdb_env>(new lmdb_env(env));
}

lmdb_env::~lmdb_env() { mdb_env_close(env_); }

result<lmdb_txn> lmdb_txn::begin(const lmdb_env& env, bool read_only) {
  MDB_txn* t = nullptr;
  if (int rc = mdb_txn_begin(env.get(), nullptr, read_only ? MDB_RDONLY : 0, &t); rc != 0) return lmdb_error(rc);
  return lmdb_txn(t);
}

lmdb_txn::~lmdb_txn() {
  if (txn_) mdb_txn_abort(txn_);
}

result<MDB_dbi> lmdb_txn::open_db(const char* name) {
  MDB_dbi dbi = 0;
  int rc = mdb_dbi_open(txn_, name, MDB_CREATE, &dbi);
  if (rc == EACCES) rc = mdb_dbi_open(txn_, name, 0, &dbi);  // read-only txn: the DB must exist
  if (rc != 0) return lmdb_error(rc);
  return dbi;
}

result<void> lmdb_txn::put(MDB_dbi db, std::string_view key, std::string_view value) {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  MDB_val v{value.size(), const_cast<char*>(value.data())};
  if (int rc = mdb_put(txn_, db, &k, &v, 0); rc != 0) return lmdb_error(rc);
  return success();
}

result<void> lmdb_txn::del(MDB_dbi db, std::string_view key) {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  int rc = mdb_del(txn_, db, &k, nullptr);
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_error(rc);
  return success();
}

result<std::optional<std::string>> lmdb_txn::get(MDB_dbi db, std::string_view key) {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  MDB_val v;
  int rc = mdb_get(txn_, db, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string>();
  if (rc != 0) return lmdb_error(rc);
  return std::optional<std::string>(std::string(static_cast<const char*>(v.mv_data), v.mv_size));
}

result<void> lmdb_txn::commit() {
  MDB_txn* t = txn_;
  txn_ = nullptr;
  if (int rc = mdb_txn_commit(t); rc != 0) return lmdb_error(rc);
  return success();
}

}  // namespace sluice::coordinator
