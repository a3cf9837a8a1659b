#include "services/coordinator/store/metadata_store.h"

#include <limits>

#include "common/base/endian.h"
#include "services/coordinator/store/lmdb_env.h"

namespace sluice::coordinator {
namespace {

// Keys and counters are big-endian (header comment); these bytes are the
// on-disk format, so they never change.
std::string service_key(node_id id) { return be_string<std::int32_t>(id()); }
std::string counter_bytes(std::uint64_t v) { return be_string<std::uint64_t>(v); }

/// A stored counter; nullopt when absent or not 8 bytes.
std::optional<std::uint64_t> counter_value(const std::optional<std::string>& s) {
  if (!s || s->size() != sizeof(std::uint64_t)) return std::nullopt;
  return load_be<std::uint64_t>(s->data());
}

/// Parses every row of `db` as a `Message` and hands it to `add`; an
/// unparseable row is illegal_byte_sequence.
template <class Message, class Add>
result<void> load_rows(lmdb_txn& txn, MDB_dbi db, Add add) {
  bool corrupt = false;
  auto r = txn.for_each(db, [&](std::string_view, std::string_view v) {
    Message m;
    if (!m.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      corrupt = true;
      return;
    }
    add(std::move(m));
  });
  if (!r) return r.error();
  if (corrupt) return std::make_error_code(std::errc::illegal_byte_sequence);
  return success();
}

}  // namespace

metadata_store::metadata_store(std::unique_ptr<lmdb_env> env) : env_(std::move(env)) {}
metadata_store::~metadata_store() = default;

result<std::unique_ptr<metadata_store>> metadata_store::open(const std::filesystem::path& dir) {
  auto env = lmdb_env::open(dir);
  if (!env) return env.error();
  std::unique_ptr<metadata_store> store(new metadata_store(std::move(env.value())));
  // Named DB handles opened in a committed txn stay valid for the env's life.
  auto txn = lmdb_txn::begin(*store->env_, false);
  if (!txn) return txn.error();
  for (auto [name, dbi] : {std::pair{"services", &store->services_}, std::pair{"topics", &store->topics_},
                           std::pair{"counters", &store->counters_}}) {
    auto db = txn.value().open_db(name);
    if (!db) return db.error();
    *dbi = db.value();
  }
  if (auto r = txn.value().commit(); !r) return r.error();
  return store;
}

result<stored_state> metadata_store::load() const {
  auto txn_r = lmdb_txn::begin(*env_, true);
  if (!txn_r) return txn_r.error();
  auto& txn = txn_r.value();
  stored_state st;
  auto r = load_rows<mv1::ServiceInfo>(
      txn, services_, [&](mv1::ServiceInfo s) { st.services.emplace(node_id{s.node_id()}, std::move(s)); });
  if (!r) return r.error();
  r = load_rows<mv1::TopicInfo>(txn, topics_, [&](mv1::TopicInfo t) { st.topics.emplace(t.name(), std::move(t)); });
  if (!r) return r.error();

  auto get = [&](const char* key) { return txn.get(counters_, key); };
  auto version = get("version");
  auto next_id = get("next_node_id");
  auto next_epoch = get("next_reg_epoch");
  auto ctl = get("controller_epoch");
  auto cid = get("cluster_id");
  for (auto* x : {&version, &next_id, &next_epoch, &ctl, &cid})
    if (!*x) return x->error();
  if (auto v = counter_value(version.value())) st.version = *v;
  if (auto v = counter_value(next_id.value())) st.next_node_id = node_id{static_cast<std::int32_t>(*v)};
  if (auto v = counter_value(next_epoch.value())) st.next_registration_epoch = *v;
  if (auto v = counter_value(ctl.value())) st.controller_epoch = *v;
  if (cid.value()) st.cluster_id = *cid.value();
  auto next_pid = get("next_producer_id");
  if (!next_pid) return next_pid.error();
  if (auto v = counter_value(next_pid.value())) {
    // Never written above int64 max (the coordinator refuses that block): a
    // larger value is damage, and handing out negative ids would be worse.
    if (*v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return std::make_error_code(std::errc::illegal_byte_sequence);
    st.next_producer_id = static_cast<std::int64_t>(*v);
  }
  auto shards = get("group_shards");
  if (!shards) return shards.error();
  if (shards.value() && !st.group_shards.ParseFromString(*shards.value()))
    return std::make_error_code(std::errc::illegal_byte_sequence);
  auto features = get("finalized_features");
  if (!features) return features.error();
  if (features.value()) {
    st.finalized_features.emplace();
    if (!st.finalized_features->ParseFromString(*features.value()))
      return std::make_error_code(std::errc::illegal_byte_sequence);
  }
  auto broker_configs = get("broker_configs");
  if (!broker_configs) return broker_configs.error();
  if (broker_configs.value() && !st.broker_configs.ParseFromString(*broker_configs.value()))
    return std::make_error_code(std::errc::illegal_byte_sequence);
  return st;
}

result<void> metadata_store::commit(const change_set& c) {
  auto txn_r = lmdb_txn::begin(*env_, false);
  if (!txn_r) return txn_r.error();
  auto& txn = txn_r.value();
  // After the first failure nothing more is written; the txn aborts when it
  // goes out of scope and that failure is returned.
  result<void> r = success();
  auto put = [&](MDB_dbi db, std::string_view key, std::string_view value) {
    if (r) r = txn.put(db, key, value);
  };
  auto del = [&](MDB_dbi db, std::string_view key) {
    if (r) r = txn.del(db, key);
  };
  for (const auto& t : c.upsert_topics) put(topics_, t.name(), t.SerializeAsString());
  for (const auto& n : c.delete_topics) del(topics_, n);
  for (const auto& s : c.upsert_services) put(services_, service_key(node_id{s.node_id()}), s.SerializeAsString());
  for (auto id : c.remove_services) del(services_, service_key(id));
  if (c.version) put(counters_, "version", counter_bytes(*c.version));
  if (c.next_node_id) put(counters_, "next_node_id", counter_bytes(static_cast<std::uint64_t>((*c.next_node_id)())));
  if (c.next_registration_epoch) put(counters_, "next_reg_epoch", counter_bytes(*c.next_registration_epoch));
  if (c.controller_epoch) put(counters_, "controller_epoch", counter_bytes(*c.controller_epoch));
  if (c.cluster_id) put(counters_, "cluster_id", *c.cluster_id);
  if (c.group_shards) put(counters_, "group_shards", c.group_shards->SerializeAsString());
  if (c.next_producer_id)
    put(counters_, "next_producer_id", counter_bytes(static_cast<std::uint64_t>(*c.next_producer_id)));
  if (c.finalized_features) put(counters_, "finalized_features", c.finalized_features->SerializeAsString());
  if (c.broker_configs) {
    // The coordinator's own flags are set at each start, never stored.
    mv1::BrokerConfigs stored = *c.broker_configs;
    stored.clear_coordinator_static();
    put(counters_, "broker_configs", stored.SerializeAsString());
  }
  if (!r) return r;
  return txn.commit();
}

}  // namespace sluice::coordinator
