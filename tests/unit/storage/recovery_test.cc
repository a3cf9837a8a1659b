#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

#include "services/partition-server/storage/file_names.h"
#include "tests/unit/storage/log_fixture.h"

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

namespace {

std::vector<char> file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void flip_byte(const std::filesystem::path& p, std::uint64_t at) {
  std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.read(&c, 1);
  c ^= 0x20;
  f.seekp(static_cast<std::streamoff>(at));
  f.write(&c, 1);
}

// Five 3-record batches in one segment; returns each batch's size.
std::size_t write_five(const std::filesystem::path& dir, config::log_config cfg) {
  auto log = open_log(dir, cfg);
  for (int i = 0; i < 5; ++i) BOOST_REQUIRE(append_batch(*log, make_batch(3, 80)).error == append_errc::ok);
  return make_batch(3, 80).size();
}

// Runs `damage_and_check(dir, cfg, batch size)` on a fresh five-batch log for
// each index interval: every batch indexed, some, none.
template <class Fn>
void for_each_index_interval(Fn&& damage_and_check) {
  for (std::int32_t interval : {1, 256, 1 << 20}) {
    temp_dir dir;
    auto cfg = small_config();
    cfg.index_interval_bytes = interval;
    const auto size = write_five(dir.path(), cfg);
    damage_and_check(dir.path(), cfg, size);
  }
}

void expect_log(const std::filesystem::path& dir, config::log_config cfg, std::int64_t end) {
  auto log = open_log(dir, cfg);
  BOOST_TEST(log->log_end_offset() == offset{end});
  BOOST_TEST(read_all(*log, 0, 1 << 20).batches.size() == static_cast<std::size_t>(end / 3));
  auto r = append_batch(*log, make_batch(3, 80));
  BOOST_TEST((r.error == append_errc::ok));
  BOOST_TEST(r.base_offset == offset{end});
  auto out = read_all(*log, 0, 1 << 20);
  BOOST_TEST(out.batches.size() == static_cast<std::size_t>(end / 3 + 1));
  BOOST_TEST(out.batches.back().base == end);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recovery_suite)

BOOST_AUTO_TEST_CASE(a_torn_last_write_is_cut_off) {
  for_each_index_interval([](const std::filesystem::path& dir, const config::log_config& cfg, std::size_t size) {
    const auto log_file = segment_file(dir, offset{0}, ".log");
    std::filesystem::resize_file(log_file, 5 * size - 10);
    expect_log(dir, cfg, 12);
    BOOST_TEST(std::filesystem::file_size(log_file) == 5 * size);
  });
}

BOOST_AUTO_TEST_CASE(a_write_torn_inside_the_header_is_cut_off) {
  temp_dir dir;
  const auto size = write_five(dir.path(), small_config());
  std::filesystem::resize_file(segment_file(dir.path(), offset{0}, ".log"), 4 * size + 20);
  expect_log(dir.path(), small_config(), 12);
}

BOOST_AUTO_TEST_CASE(a_corrupt_byte_in_the_tail_ends_the_log_at_the_last_good_batch) {
  for_each_index_interval([](const std::filesystem::path& dir, const config::log_config& cfg, std::size_t size) {
    flip_byte(segment_file(dir, offset{0}, ".log"), 4 * size + 100);
    expect_log(dir, cfg, 12);
  });
}

BOOST_AUTO_TEST_CASE(corruption_before_the_last_index_entry_is_found_by_a_full_scan) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.index_interval_bytes = 1;  // the last entry names batch 4
  const auto size = write_five(dir.path(), cfg);
  // A bad length in batch 4 itself: the indexed batch is unusable, so
  // recovery re-reads from position 0.
  flip_byte(segment_file(dir.path(), offset{0}, ".log"), 4 * size + 9);
  expect_log(dir.path(), cfg, 12);
}

BOOST_AUTO_TEST_CASE(garbage_appended_after_the_last_batch_is_removed) {
  temp_dir dir;
  const auto size = write_five(dir.path(), small_config());
  {
    std::ofstream out(segment_file(dir.path(), offset{0}, ".log"), std::ios::binary | std::ios::app);
    out << std::string(500, '\x7f');
  }
  expect_log(dir.path(), small_config(), 15);
  BOOST_TEST(std::filesystem::file_size(segment_file(dir.path(), offset{0}, ".log")) == 6 * size);
}

BOOST_AUTO_TEST_CASE(deleted_indexes_are_rebuilt_identically) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.segment_bytes = 2000;
  {
    auto log = open_log(dir.path(), cfg);
    for (int i = 0; i < 20; ++i) append_batch(*log, make_batch(3, 80, 1000 + 10 * i));
    BOOST_TEST(log->segment_count() >= 3u);
  }
  const auto index = segment_file(dir.path(), offset{0}, ".index");
  const auto time_index = segment_file(dir.path(), offset{0}, ".timeindex");
  const auto index_before = file_bytes(index);
  const auto time_before = file_bytes(time_index);
  BOOST_TEST(!index_before.empty());
  BOOST_TEST(!time_before.empty());
  std::filesystem::remove(index);
  std::filesystem::remove(time_index);
  // And a short index in the second segment, and garbage in the active one's.
  offset second{0};
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    auto base = parse_segment_file(e.path().filename().string(), ".log");
    if (base && *base > offset{0} && (second == offset{0} || *base < second)) second = *base;
  }
  const auto second_index = segment_file(dir.path(), second, ".index");
  const auto second_before = file_bytes(second_index);
  BOOST_REQUIRE(second_before.size() >= 16u);
  std::filesystem::resize_file(second_index, second_before.size() - 8);

  auto log = open_log(dir.path(), cfg);
  BOOST_TEST(log->log_end_offset() == offset{60});
  BOOST_TEST((file_bytes(index) == index_before));
  BOOST_TEST((file_bytes(time_index) == time_before));
  BOOST_TEST((file_bytes(second_index) == second_before));
  auto out = read_all(*log, 0, 1 << 20);
  BOOST_TEST(out.batches.size() == 20u);
  for (std::int64_t offset = 0; offset < 60; offset += 5)
    BOOST_TEST(read_all(*log, offset, 1).batches.front().base == offset - offset % 3);
}

BOOST_AUTO_TEST_CASE(a_garbage_active_index_is_rebuilt) {
  temp_dir dir;
  write_five(dir.path(), small_config());
  {
    std::ofstream out(segment_file(dir.path(), offset{0}, ".index"), std::ios::binary | std::ios::trunc);
    out << std::string(13, '\xff');
  }
  std::filesystem::remove(segment_file(dir.path(), offset{0}, ".timeindex"));
  auto log = open_log(dir.path(), small_config());
  BOOST_TEST(log->log_end_offset() == offset{15});
  for (std::int64_t offset = 0; offset < 15; ++offset)
    BOOST_TEST(read_all(*log, offset, 1).batches.front().base == offset - offset % 3);
  BOOST_TEST(log->max_timestamp().timestamp == 1002);
}

BOOST_AUTO_TEST_CASE(acknowledged_appends_survive_kill_9) {
  temp_dir dir;
  int acks[2];
  BOOST_REQUIRE(::pipe(acks) == 0);
  const pid_t child = ::fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    ::close(acks[0]);
    auto opened = partition_log::open(dir.path(), small_config(), 5000);
    if (!opened) ::_exit(2);
    auto& log = *opened.value();
    for (int i = 0; i < 200; ++i) {
      auto batch = make_batch(2, 300);
      auto r = log.append(batch, leader_epoch{0}, 1000 + i);
      if (r.error != append_errc::ok) ::_exit(3);
      const std::int64_t acked = r.last_offset();
      if (::write(acks[1], &acked, sizeof acked) != sizeof acked) ::_exit(4);
    }
    ::kill(::getpid(), SIGKILL);  // no close(), no flush()
    ::_exit(5);
  }
  ::close(acks[1]);
  std::int64_t last_acked = -1;
  std::int64_t v = 0;
  while (::read(acks[0], &v, sizeof v) == sizeof v) last_acked = v;
  ::close(acks[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  BOOST_TEST(WIFSIGNALED(status));
  BOOST_TEST(last_acked == 399);
  auto log = open_log(dir.path(), small_config());
  BOOST_TEST(log->log_end_offset() == offset{last_acked + 1});
  BOOST_TEST(read_all(*log, 0, 1 << 30).batches.size() == 200u);
  BOOST_TEST(log->max_timestamp().timestamp == 1001);
}

BOOST_AUTO_TEST_CASE(an_index_without_a_segment_is_removed) {
  temp_dir dir;
  write_five(dir.path(), small_config());
  { std::ofstream(segment_file(dir.path(), offset{999}, ".index")) << "x"; }
  auto log = open_log(dir.path(), small_config());
  BOOST_TEST(!std::filesystem::exists(segment_file(dir.path(), offset{999}, ".index")));
  BOOST_TEST(log->log_end_offset() == offset{15});
}

BOOST_AUTO_TEST_CASE(a_log_of_random_bytes_recovers_to_empty) {
  temp_dir dir;
  {
    std::ofstream out(segment_file(dir.path(), offset{0}, ".log"), std::ios::binary);
    for (int i = 0; i < 5000; ++i) out.put(static_cast<char>((i * 7919) % 251));
  }
  auto log = open_log(dir.path(), small_config());
  BOOST_TEST(log->log_end_offset() == offset{0});
  BOOST_TEST(std::filesystem::file_size(segment_file(dir.path(), offset{0}, ".log")) == 0u);
  BOOST_TEST(append_batch(*log, make_batch(2)).base_offset == offset{0});
}

BOOST_AUTO_TEST_SUITE_END()
