#pragma once
// A Kafka message encoded at one version and decoded back, as a client reads
// what the gateway wrote; the whole encoding must be read.
#include <boost/test/unit_test.hpp>

#include <cstdint>

#include "common/protocol/wire.h"

namespace sluice::gateway::test {

template <class Message>
Message wire_round_trip(const Message& m, std::int16_t version) {
  protocol::writer w;
  m.encode(w, version);
  const auto bytes = w.take();
  protocol::reader in(bytes);
  Message back;
  back.decode(in, version);
  BOOST_TEST(in.remaining() == 0u);
  return back;
}

}  // namespace sluice::gateway::test
