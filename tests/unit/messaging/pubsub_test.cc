#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/messaging/pubsub.h"
#include "metadata.pb.h"

using namespace sluice::messaging;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(subscriber_receives_published_deltas) {
  publisher pub("tcp://127.0.0.1:0");
  std::atomic<std::uint64_t> last_version{0};
  subscriber sub(pub.url(), [&](std::span<const std::byte> bytes) {
    sluice::metadata::v1::MetadataDelta delta;
    if (delta.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) last_version = delta.version();
  });
  // PUB drops messages until the subscriber's connection is up, which is
  // why subscribers detect gaps by version; keep publishing until one lands.
  for (std::uint64_t v = 1; v <= 300 && last_version == 0; ++v) {
    sluice::metadata::v1::MetadataDelta delta;
    delta.set_version(v);
    pub.publish(delta);
    std::this_thread::sleep_for(10ms);
  }
  BOOST_TEST(last_version.load() > 0u);
}
