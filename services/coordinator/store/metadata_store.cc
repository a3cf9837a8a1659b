#include "services/coordinator/store/metadata_store.h"

#include "services/coordinator/store/lmdb_env.h"

namespace sluice::coordinator {
namespace {

std::string be32(std::int32_t v) {
  auto u = static_cast<std::uint32_t>(v);
  return {char(u >> 24), char(u >> 16), char(u >> 8), char(u)};
}

std::string be64(std::uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[i] = char(v & 0xff);
  return s;
}

std::optional<std::uint64_t> from_be64(const std::optional<std::string>& s) {
  if (!s || s->size() != 8) return std::nullopt;
  std::uint64_t v = 0;
  for (unsigned char c : *s) v = (v << 8) | c;
  return v;
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
  auto s = txn.value().open_db("services");
  auto t = txn.value().open_db("topics");
  auto c = txn.value().open_db("counters");
  if (!s) return s.error();
  if (!t) return t.error();
  if (!c) return c.error();
  store->services_ = s.value();
  store->topics_ = t.value();
  store->counters_ = c.value();
  if (auto r = txn.value().commit(); !r) return r.error();
  return store;
}

result<stored_state> metadata_store::load() const {
  auto txn_r = lmdb_txn::begin(*env_, true);
  if (!txn_r) return txn_r.error();
  auto& txn = txn_r.value();
  stored_state st;
  bool corrupt = false;
  auto r = txn.for_each(services_, [&](std::string_view, std::string_view v) {
    mv1::ServiceInfo s;
    if (!s.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      corrupt = true;
      return;
    }
    st.services.emplace(s.node_id(), std::move(s));
  });
  if (!r) return r.error();
  r = txn.for_each(topics_, [&](std::string_view, std::string_view v) {
    mv1::TopicInfo t;
    if (!t.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      corrupt = true;
      return;
    }
    st.topics.emplace(t.name(), std::move(t));
  });
  if (!r) return r.error();
  if (corrupt) return std::make_error_code(std::errc::illegal_byte_sequence);

  auto get = [&](const char* key) { return txn.get(counters_, key); };
  auto version = get("version");
  auto next_id = get("next_node_id");
  auto next_epoch = get("next_reg_epoch");
  auto ctl = get("controller_epoch");
  auto cid = get("cluster_id");
  for (auto* x : {&version, &next_id, &next_epoch, &ctl, &cid})
    if (!*x) return x->error();
  if (auto v = from_be64(version.value())) st.version = *v;
  if (auto v = from_be64(next_id.value())) st.next_node_id = static_cast<std::int32_t>(*v);
  if (auto v = from_be64(next_epoch.value())) st.next_registration_epoch = *v;
  if (auto v = from_be64(ctl.value())) st.controller_epoch = *v;
  if (cid.value()) st.cluster_id = *cid.value();
  auto shards = get("group_shards");
  if (!shards) return shards.error();
  if (shards.value() && !st.group_shards.ParseFromString(*shards.value()))
    return std::make_error_code(std::errc::illegal_byte_sequence);
  return st;
}

result<void> metadata_store::commit(const change_set& c) {
  auto txn_r = lmdb_txn::begin(*env_, false);
  if (!txn_r) return txn_r.error();
  auto& txn = txn_r.value();
  auto check = [](const result<void>& r) { return r.has_value(); };
  result<void> r = success();
  for (const auto& t : c.upsert_topics)
    if (!check(r = txn.put(topics_, t.name(), t.SerializeAsString()))) return r;
  for (const auto& n : c.delete_topics)
    if (!check(r = txn.del(topics_, n))) return r;
  for (const auto& s : c.upsert_services)
    if (!check(r = txn.put(services_, be32(s.node_id()), s.SerializeAsString()))) return r;
  for (auto id : c.remove_services)
    if (!check(r = txn.del(services_, be32(id)))) return r;
  if (c.version && !check(r = txn.put(counters_, "version", be64(*c.version)))) return r;
  if (c.next_node_id &&
      !check(r = txn.put(counters_, "next_node_id", be64(static_cast<std::uint64_t>(*c.next_node_id)))))
    return r;
  if (c.next_registration_epoch && !check(r = txn.put(counters_, "next_reg_epoch", be64(*c.next_registration_epoch))))
    return r;
  if (c.controller_epoch && !check(r = txn.put(counters_, "controller_epoch", be64(*c.controller_epoch)))) return r;
  if (c.cluster_id && !check(r = txn.put(counters_, "cluster_id", *c.cluster_id))) return r;
  if (c.group_shards && !check(r = txn.put(counters_, "group_shards", c.group_shards->SerializeAsString()))) return r;
  return txn.commit();
}

}  // namespace sluice::coordinator
