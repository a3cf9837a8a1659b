// Throughput of one sluice-partition-server over its RPC, without a gateway:
// starts the coordinator and the partition server from <bin dir>, creates a
// 6-partition topic, produces 1 KiB records (one batch per partition per
// request, many requests in flight), then fetches everything back.
//
// Usage: partition_server_bench <bin dir> [total MiB] [records per batch] [in flight]
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>

#include "common/cluster/coordinator_client.h"
#include "common/protocol/record_batch.h"
#include "tests/integration/partition_server/child_process.h"
#include "tests/integration/partition_server/partition_rpc.h"

namespace proto = sluice::protocol;
using namespace sluice::test::partition_rpc;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <bin dir> [total MiB] [records per batch] [in flight]\n", argv[0]);
    return 2;
  }
  const fs::path bin = argv[1];
  const std::int64_t total_mib = argc > 2 ? std::atoll(argv[2]) : 1024;
  const int per_batch = argc > 3 ? std::atoi(argv[3]) : 64;
  const int in_flight = argc > 4 ? std::atoi(argv[4]) : 16;
  constexpr int partitions = 6;
  const std::string topic = "bench";

  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("sluice-ps-bench-" + std::to_string(rd()));
  fs::create_directories(dir);
  sluice::test::child_process coordinator(coordinator_command(bin, dir / "coordinator"), dir / "coordinator.log");
  auto cready = coordinator.wait_for_line("ready", 30s);
  if (!cready) {
    std::fprintf(stderr, "coordinator did not start:\n%s\n", coordinator.log_text().c_str());
    return 1;
  }
  const std::string coordinator_url = sluice::test::word_after(*cready, "rpc");
  sluice::test::child_process server(partition_server_command(bin, coordinator_url, dir / "ps"), dir / "ps.log");
  auto sready = server.wait_for_line("ready", 30s);
  if (!sready) {
    std::fprintf(stderr, "partition server did not start:\n%s\n", server.log_text().c_str());
    return 1;
  }
  const std::string url = sluice::test::word_after(*sready, "rpc");

  sluice::cluster::coordinator_client admin(coordinator_url);
  if (!admin.create_topics_sync(one_topic(topic, partitions))) return 1;
  rpc_client rpc(url);

  // One batch of `per_batch` 1 KiB records, reused for every append (the
  // server stamps its copy inside the request, never ours).
  std::vector<proto::record_to_build> records(static_cast<std::size_t>(per_batch));
  for (auto& r : records) {
    r.value = std::string(1024, 'x');
    r.timestamp = 1'700'000'000'000;
  }
  const auto batch = proto::build_batch(records);
  std::vector<std::pair<int, std::span<const std::byte>>> parts;
  for (int p = 0; p < partitions; ++p) parts.emplace_back(p, batch);
  auto make_request = [&] { return produce_request(topic, parts, 1); };

  // Wait until the partitions are hosted.
  for (int i = 0; i < 400; ++i) {
    auto [s, reply] = rpc.call_sync(make_request(), 10s);
    pv1::ProduceResponse r;
    if (s == rpc_status::ok && reply.parse_header(r) && r.partitions(0).error() == pv1::PARTITION_OK) break;
    std::this_thread::sleep_for(50ms);
  }

  const std::int64_t request_bytes = static_cast<std::int64_t>(batch.size()) * partitions;
  const std::int64_t requests = std::max<std::int64_t>(1, (total_mib << 20) / request_bytes);
  std::mutex mu;
  std::condition_variable cv;
  std::int64_t sent = 0, done = 0, errors = 0;
  auto t0 = clock_type::now();
  std::function<void()> send_one = [&] {
    rpc.call(make_request(), 30s, [&](rpc_status s, message reply) {
      pv1::ProduceResponse r;
      bool ok = s == rpc_status::ok && reply.parse_header(r);
      if (ok)
        for (auto& p : r.partitions()) ok = ok && p.error() == pv1::PARTITION_OK;
      std::lock_guard lock(mu);
      ++done;
      if (!ok) ++errors;
      cv.notify_all();
    });
  };
  {
    std::unique_lock lock(mu);
    while (done < requests) {
      while (sent < requests && sent - done < in_flight) {
        ++sent;
        lock.unlock();
        send_one();
        lock.lock();
      }
      cv.wait(lock);
    }
  }
  double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  const double produced_mib = static_cast<double>(requests * request_bytes) / (1 << 20);
  std::printf("produce: %lld requests, %.0f MiB in %.2f s = %.1f MiB/s, %.0f records/s, %lld errors\n",
              static_cast<long long>(requests), produced_mib, secs, produced_mib / secs,
              static_cast<double>(requests * partitions * per_batch) / secs, static_cast<long long>(errors));

  // Consume everything back with 1 MiB per partition per fetch.
  std::vector<std::int64_t> next(partitions, 0);
  std::int64_t fetched = 0;
  t0 = clock_type::now();
  for (;;) {
    std::vector<std::pair<int, std::int64_t>> from;
    for (int p = 0; p < partitions; ++p) from.emplace_back(p, next[p]);
    auto [s, reply] = rpc.call_sync(fetch_request(topic, from, 0, 1, 64 << 20, 1 << 20), 30s);
    pv1::FetchResponse r;
    if (s != rpc_status::ok || !reply.parse_header(r)) {
      std::fprintf(stderr, "fetch failed\n");
      return 1;
    }
    auto payload = reply.payload();
    std::size_t at = 0;
    std::int64_t got = 0;
    for (int p = 0; p < partitions; ++p) {
      proto::batch_iterator it(payload.subspan(at, r.partitions(p).records_size()));
      while (auto b = it.next()) next[p] = proto::batch_header(*b).next_offset();
      at += r.partitions(p).records_size();
      got += r.partitions(p).records_size();
    }
    fetched += got;
    if (got == 0) break;
  }
  secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  std::printf("fetch: %.0f MiB in %.2f s = %.1f MiB/s\n", static_cast<double>(fetched) / (1 << 20), secs,
              static_cast<double>(fetched) / (1 << 20) / secs);
  server.stop(SIGTERM);
  coordinator.stop(SIGTERM);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return errors == 0 ? 0 : 1;
}
