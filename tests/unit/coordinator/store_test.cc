#define BOOST_TEST_MODULE coordinator
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "services/coordinator/store/lmdb_env.h"
#include "services/coordinator/store/metadata_store.h"
#include "tests/fixtures/temp_dir.h"

using namespace sluice::coordinator;

namespace {
mv1::TopicInfo topic(const std::string& name, int partitions) {
  mv1::TopicInfo t;
  t.set_name(name);
  t.set_topic_id(std::string(15, '\0') + "\x07");
  for (int p = 0; p < partitions; ++p) {
    auto* pi = t.add_partitions();
    pi->set_partition(p);
    pi->add_replicas(1);
    pi->set_leader(1);
  }
  (*t.mutable_configs())["retention.ms"] = "1000";
  return t;
}
mv1::ServiceInfo service(int id, mv1::ServiceKind kind) {
  mv1::ServiceInfo s;
  s.set_node_id(id);
  s.set_kind(kind);
  s.set_rpc_url("tcp://127.0.0.1:1");
  s.set_registration_epoch(9);
  return s;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(store)

BOOST_AUTO_TEST_CASE(empty_store_loads_defaults) {
  sluice::test::temp_dir dir;
  auto s = metadata_store::open(dir.path() / "db");
  BOOST_REQUIRE(s);
  auto st = s.value()->load();
  BOOST_REQUIRE(st);
  BOOST_TEST(st.value().version == 0u);
  BOOST_TEST(st.value().next_node_id() == 1);
  BOOST_TEST(st.value().topics.empty());
  BOOST_TEST(st.value().cluster_id.empty());
}

BOOST_AUTO_TEST_CASE(crud_and_persistence_across_reopen) {
  sluice::test::temp_dir dir;
  {
    auto s = metadata_store::open(dir.path());
    BOOST_REQUIRE(s);
    change_set c;
    c.upsert_topics = {topic("a", 2), topic("b", 1)};
    c.upsert_services = {service(3, mv1::PARTITION_SERVER), service(300, mv1::GATEWAY)};
    c.version = 5;
    c.next_node_id = sluice::node_id{301};
    c.next_registration_epoch = 10;
    c.cluster_id = "abc";
    BOOST_REQUIRE(s.value()->commit(c));
    change_set d;
    d.delete_topics = {"b", "never-existed"};
    d.remove_services = {sluice::node_id{3}};
    d.upsert_topics = {topic("a", 4)};
    d.version = 6;
    BOOST_REQUIRE(s.value()->commit(d));
  }
  auto s = metadata_store::open(dir.path());
  BOOST_REQUIRE(s);
  auto st = s.value()->load();
  BOOST_REQUIRE(st);
  BOOST_TEST(st.value().version == 6u);
  BOOST_TEST(st.value().next_node_id() == 301);
  BOOST_TEST(st.value().next_registration_epoch == 10u);
  BOOST_TEST(st.value().cluster_id == "abc");
  BOOST_REQUIRE(st.value().topics.size() == 1u);
  const auto& a = st.value().topics.at("a");
  BOOST_TEST(a.partitions_size() == 4);
  BOOST_TEST(a.configs().at("retention.ms") == "1000");
  BOOST_TEST(a.topic_id().size() == 16u);
  BOOST_REQUIRE(st.value().services.size() == 1u);
  BOOST_TEST(st.value().services.at(sluice::node_id{300}).kind() == mv1::GATEWAY);
  BOOST_TEST(st.value().services.at(sluice::node_id{300}).registration_epoch() == 9u);
}

BOOST_AUTO_TEST_CASE(keys_and_counters_keep_their_on_disk_bytes) {
  // Stores written by earlier builds must still load: service keys are the
  // node id in 4 big-endian bytes, counters 8 big-endian bytes.
  sluice::test::temp_dir dir;
  {
    auto s = metadata_store::open(dir.path());
    BOOST_REQUIRE(s);
    change_set c;
    c.upsert_services = {service(0x01020304, mv1::PARTITION_SERVER)};
    c.version = 0x0102030405060708ull;
    c.next_node_id = sluice::node_id{0x01020305};
    BOOST_REQUIRE(s.value()->commit(c));
  }
  auto env = lmdb_env::open(dir.path());
  BOOST_REQUIRE(env);
  auto txn = lmdb_txn::begin(*env.value(), false);
  BOOST_REQUIRE(txn);
  auto services = txn.value().open_db("services");
  auto counters = txn.value().open_db("counters");
  BOOST_REQUIRE(services);
  BOOST_REQUIRE(counters);
  auto row = txn.value().get(services.value(), std::string("\x01\x02\x03\x04", 4));
  BOOST_REQUIRE(row);
  BOOST_TEST(row.value().has_value());
  auto version = txn.value().get(counters.value(), "version");
  BOOST_REQUIRE(version);
  BOOST_TEST(version.value().value_or("") == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  auto next_id = txn.value().get(counters.value(), "next_node_id");
  BOOST_REQUIRE(next_id);
  BOOST_TEST(next_id.value().value_or("") == std::string("\x00\x00\x00\x00\x01\x02\x03\x05", 8));
}

BOOST_AUTO_TEST_CASE(open_fails_cleanly_on_unusable_dir) {
  sluice::test::temp_dir dir;
  auto file = dir.path() / "file";
  { std::ofstream(file) << "x"; }
  auto s = metadata_store::open(file / "db");  // parent is a regular file
  BOOST_TEST(!s);
}

BOOST_AUTO_TEST_SUITE_END()
