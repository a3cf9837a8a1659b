// The group shard fence on __transaction_state: partition p is fenced by
// group shard p's epoch, exactly as partition p of __consumer_offsets.
#include <boost/test/unit_test.hpp>

#include <string>

#include "services/partition-server/routing_table.h"

using sluice::shard_epoch;
using sluice::partition_server::routes;
namespace pv1 = sluice::partition::v1;

BOOST_AUTO_TEST_CASE(transaction_state_partitions_are_fenced_by_their_group_shard) {
  routes r;
  r.group_shard_epochs = {shard_epoch{2}, shard_epoch{4}};
  const std::string txn = "__transaction_state";
  const std::string offsets = "__consumer_offsets";
  // writes: an owner replaced by a newer epoch is refused; a newer one passes (our metadata lags)
  BOOST_TEST(r.check_group_shard(txn, 1, shard_epoch{3}, true) == pv1::GROUP_SHARD_EPOCH_MISMATCH);
  BOOST_TEST(r.check_group_shard(txn, 1, shard_epoch{4}, true) == pv1::PARTITION_OK);
  BOOST_TEST(r.check_group_shard(txn, 1, shard_epoch{5}, true) == pv1::PARTITION_OK);
  // reads: a new owner waits until this server has its epoch
  BOOST_TEST(r.check_group_shard(txn, 1, shard_epoch{4}, false) == pv1::PARTITION_OK);
  BOOST_TEST(r.check_group_shard(txn, 1, shard_epoch{5}, false) == pv1::GROUP_SHARD_EPOCH_MISMATCH);
  BOOST_TEST(r.check_group_shard(txn, 9, shard_epoch{1}, false) == pv1::GROUP_SHARD_EPOCH_MISMATCH);  // no epoch known yet
  // each partition by its own shard's epoch, the same answers as for the offsets topic
  for (std::int32_t p : {0, 1, 9})
    for (std::int64_t e = 0; e <= 6; ++e)
      for (bool write : {true, false})
        BOOST_TEST(r.check_group_shard(txn, p, shard_epoch{e}, write) ==
                   r.check_group_shard(offsets, p, shard_epoch{e}, write));
  // other topics, with a similar name too, are not fenced
  BOOST_TEST(r.check_group_shard("__transaction_state_x", 1, shard_epoch{0}, true) == pv1::PARTITION_OK);
}
