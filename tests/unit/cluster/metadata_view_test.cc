#define BOOST_TEST_MODULE cluster
#include <boost/test/unit_test.hpp>

#include "common/cluster/metadata_view.h"

using namespace sluice::cluster;

namespace {
mv1::TopicInfo topic(const std::string& name, char id, int partitions) {
  mv1::TopicInfo t;
  t.set_name(name);
  t.set_topic_id(std::string(15, '\0') + id);
  for (int p = 0; p < partitions; ++p) {
    auto* pi = t.add_partitions();
    pi->set_partition(p);
    pi->set_leader(1);
  }
  return t;
}
mv1::ServiceInfo service(int id, mv1::ServiceKind kind) {
  mv1::ServiceInfo s;
  s.set_node_id(id);
  s.set_kind(kind);
  return s;
}
}  // namespace

BOOST_AUTO_TEST_CASE(lookups_by_name_id_and_kind) {
  mv1::ClusterSnapshot s;
  s.set_version(7);
  s.set_cluster_id("c");
  *s.add_topics() = topic("b", 2, 2);
  *s.add_topics() = topic("a", 3, 1);
  *s.add_services() = service(5, mv1::GATEWAY);
  *s.add_services() = service(2, mv1::GATEWAY);
  *s.add_services() = service(3, mv1::PARTITION_SERVER);
  metadata_view v(s);
  BOOST_TEST(v.version() == 7u);
  BOOST_TEST(v.cluster_id() == "c");
  BOOST_REQUIRE(v.topic("b"));
  BOOST_TEST(v.topic("b")->partitions_size() == 2);
  BOOST_TEST(v.topic("zz") == nullptr);
  BOOST_TEST(v.topic_by_id(std::string(15, '\0') + '\3') == v.topic("a"));
  BOOST_TEST(v.partition("b", 1) != nullptr);
  BOOST_TEST(v.partition("b", 2) == nullptr);
  BOOST_REQUIRE(v.topics().size() == 2u);
  BOOST_TEST(v.topics()[0]->name() == "a");
  auto gws = v.gateways();
  BOOST_REQUIRE(gws.size() == 2u);
  BOOST_TEST(gws[0]->node_id() == 2);
  BOOST_TEST(gws[1]->node_id() == 5);
  BOOST_TEST(v.service(3)->kind() == mv1::PARTITION_SERVER);
  BOOST_TEST(v.service(4) == nullptr);
}

BOOST_AUTO_TEST_CASE(apply_upserts_and_removes_without_touching_the_old_view) {
  mv1::ClusterSnapshot s;
  s.set_version(1);
  *s.add_topics() = topic("a", 1, 1);
  *s.add_topics() = topic("b", 2, 1);
  *s.add_services() = service(1, mv1::PARTITION_SERVER);
  auto v1 = std::make_shared<const metadata_view>(s);
  mv1::MetadataDelta d;
  d.set_version(2);
  *d.add_upserted_topics() = topic("a", 1, 4);
  *d.add_upserted_topics() = topic("c", 3, 1);
  d.add_deleted_topics("b");
  *d.add_upserted_services() = service(9, mv1::GATEWAY);
  d.add_removed_services(1);
  auto v2 = v1->apply(d);
  BOOST_TEST(v2->version() == 2u);
  BOOST_TEST(v2->topic("a")->partitions_size() == 4);
  BOOST_TEST(v2->topic("b") == nullptr);
  BOOST_TEST(v2->topic("c") != nullptr);
  BOOST_TEST(v2->service(1) == nullptr);
  BOOST_TEST(v2->gateways().size() == 1u);
  // The old view is unchanged.
  BOOST_TEST(v1->version() == 1u);
  BOOST_TEST(v1->topic("a")->partitions_size() == 1);
  BOOST_TEST(v1->topic("b") != nullptr);
  BOOST_TEST(v1->service(1) != nullptr);
}

// The finalized feature levels (ApiVersions) come with the snapshot; a delta
// that carries them replaces them whole, one that does not keeps them.
BOOST_AUTO_TEST_CASE(finalized_features_follow_the_deltas_that_carry_them) {
  mv1::ClusterSnapshot s;
  s.set_version(3);
  metadata_view empty(s);
  BOOST_TEST(!empty.has_finalized_features());
  BOOST_TEST(empty.finalized_level("transaction.version") == 0);

  auto* f = s.mutable_finalized_features()->add_features();
  f->set_name("transaction.version");
  f->set_level(2);
  s.mutable_finalized_features()->set_epoch(3);
  auto v3 = std::make_shared<const metadata_view>(s);
  BOOST_TEST(v3->finalized_level("transaction.version") == 2);
  BOOST_TEST(v3->finalized_level("group.version") == 0);

  mv1::MetadataDelta other;
  other.set_version(4);
  other.add_upserted_topics()->CopyFrom(topic("t", 1, 1));
  auto v4 = v3->apply(other);
  BOOST_TEST(v4->has_finalized_features());
  BOOST_TEST(v4->finalized_level("transaction.version") == 2);
  BOOST_TEST(v4->finalized_features().epoch() == 3);

  mv1::MetadataDelta downgrade;
  downgrade.set_version(5);
  auto* d = downgrade.mutable_finalized_features()->add_features();
  d->set_name("transaction.version");
  d->set_level(1);
  downgrade.mutable_finalized_features()->set_epoch(5);
  auto v5 = v4->apply(downgrade);
  BOOST_TEST(v5->finalized_level("transaction.version") == 1);
  BOOST_TEST(v5->finalized_features().epoch() == 5);
  BOOST_TEST(v4->finalized_level("transaction.version") == 2);  // the old view is untouched

  mv1::MetadataDelta disable;
  disable.set_version(6);
  disable.mutable_finalized_features()->set_epoch(6);
  auto v6 = v5->apply(disable);
  BOOST_TEST(v6->has_finalized_features());
  BOOST_TEST(v6->finalized_level("transaction.version") == 0);
}

// Broker configs: a delta that carries them replaces them whole, one that
// does not keeps them; a broker's layers join its own values with the
// cluster default's and the coordinator's static flags.
BOOST_AUTO_TEST_CASE(broker_configs_and_layers) {
  mv1::ClusterSnapshot s;
  s.set_version(1);
  auto* configs = s.mutable_broker_configs();
  (*configs->mutable_cluster_defaults())["min.insync.replicas"] = "2";
  (*configs->mutable_coordinator_static())["unclean.leader.election.enable"] = "true";
  auto& b3 = (*configs->mutable_brokers())[3];
  (*b3.mutable_dynamic())["log.retention.ms"] = "1000";
  (*b3.mutable_static_flags())["min.insync.replicas"] = "3";
  auto v = std::make_shared<const metadata_view>(s);

  auto three = v->broker_layers(3);
  BOOST_TEST(three.broker.at("log.retention.ms") == "1000");
  BOOST_TEST(three.cluster.at("min.insync.replicas") == "2");
  BOOST_TEST(three.static_flags.at("min.insync.replicas") == "3");
  BOOST_TEST(three.static_flags.at("unclean.leader.election.enable") == "true");
  auto cluster = v->broker_layers(-1);
  BOOST_TEST(cluster.broker.empty());
  BOOST_TEST(cluster.static_flags.size() == 1u);
  BOOST_TEST(v->broker_layers(9).broker.empty());

  mv1::MetadataDelta other;
  other.set_version(2);
  auto kept = v->apply(other);
  BOOST_TEST(kept->broker_configs().cluster_defaults().at("min.insync.replicas") == "2");
  mv1::MetadataDelta replacing;
  replacing.set_version(3);
  (*replacing.mutable_broker_configs()->mutable_cluster_defaults())["log.segment.bytes"] = "4096";
  auto replaced = kept->apply(replacing);
  BOOST_TEST(replaced->broker_configs().cluster_defaults().size() == 1u);
  BOOST_TEST(replaced->broker_layers(3).broker.empty());
}
