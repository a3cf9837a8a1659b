// The supervisor driven with /bin/sh children: start order by stage, ready
// detection, pid/cmd files, restart after kill -9, stop order, giving up on a
// child that never becomes ready, SIGKILL after the grace period.
#define BOOST_TEST_MODULE tools_supervisor
#include <signal.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "tools/sluice/supervisor.h"

using namespace sluice::tools;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "sluice-supervisor-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_file(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Polls `done` for a bounded time; the bound only keeps a broken build from
// hanging, the assertions are about what happened, not how fast.
template <class F>
bool eventually(F done, std::chrono::milliseconds limit = 15s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

bool alive(pid_t pid) { return pid > 0 && kill(pid, 0) == 0; }

// A child that records its start and its SIGTERM in `order`, then serves forever.
child_spec sh_child(const std::string& service, int stage, const fs::path& order) {
  std::string name = service + "-0";
  std::string script = "echo start-" + name + " >> '" + order.string() + "'; trap 'echo stop-" + name + " >> '" +
                       order.string() + "'; exit 0' TERM; echo '" + name +
                       " ready to serve'; while :; do sleep 0.05; done";
  return {service, 0, {"/bin/sh", "-c", script}, stage};
}

struct harness {
  temp_dir dir;
  std::mutex mu;
  std::vector<std::string> lines;
  int announced = 0;
  std::unique_ptr<supervisor> sup;
  std::thread runner;
  int rc = -1;

  supervisor_options options() {
    supervisor_options o;
    o.run_dir = dir.path / "run";
    o.log_dir = dir.path / "logs";
    o.backoff_initial = 20ms;
    o.backoff_max = 200ms;
    o.stop_grace = 5s;
    return o;
  }

  void start(std::vector<child_spec> children, supervisor_options o) {
    sup = std::make_unique<supervisor>(
        std::move(children), o,
        [this](std::string_view line) {
          std::lock_guard lock(mu);
          lines.emplace_back(line);
        },
        [this] {
          std::lock_guard lock(mu);
          ++announced;
        });
    runner = std::thread([this] { rc = sup->run(); });
  }

  bool saw(const std::string& text) {
    std::lock_guard lock(mu);
    for (const auto& l : lines) {
      if (l.find(text) != std::string::npos) return true;
    }
    return false;
  }

  int count(const std::string& text) {
    std::lock_guard lock(mu);
    int n = 0;
    for (const auto& l : lines) n += l.find(text) != std::string::npos;
    return n;
  }

  int announcements() {
    std::lock_guard lock(mu);
    return announced;
  }

  pid_t pid_of(const std::string& name) {
    std::string text = read_file(dir.path / "run" / (name + ".pid"));
    return text.empty() ? -1 : std::stoi(text);
  }

  int finish() {
    if (runner.joinable()) runner.join();
    return rc;
  }

  ~harness() {
    if (runner.joinable()) {
      sup->request_stop();
      sup->request_stop();
      runner.join();
    }
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(starts_by_stage_announces_once_and_stops_in_reverse) {
  harness h;
  auto order = h.dir.path / "order";
  h.start({sh_child("gateway", 2, order), sh_child("coordinator", 0, order), sh_child("partition-server", 1, order)},
          h.options());

  BOOST_REQUIRE(eventually([&] { return h.announcements() == 1; }));
  BOOST_TEST(read_file(order) == "start-coordinator-0\nstart-partition-server-0\nstart-gateway-0\n");
  BOOST_TEST(h.saw("[coordinator-0] coordinator-0 ready to serve"));
  BOOST_TEST(h.saw("[gateway-0] gateway-0 ready to serve"));

  for (const char* name : {"coordinator-0", "partition-server-0", "gateway-0"}) {
    BOOST_TEST(alive(h.pid_of(name)), name);
    std::string cmd = read_file(h.dir.path / "run" / (std::string(name) + ".cmd"));
    BOOST_TEST(cmd.rfind("[\"/bin/sh\",\"-c\",", 0) == 0u, cmd);
    BOOST_TEST(read_file(h.dir.path / "logs" / (std::string(name) + ".log")).find("ready to serve") !=
               std::string::npos);
  }
  const pid_t coordinator = h.pid_of("coordinator-0");

  h.sup->request_stop();
  BOOST_TEST(h.finish() == 0);
  BOOST_TEST(h.announcements() == 1);
  BOOST_TEST(read_file(order).ends_with("stop-gateway-0\nstop-partition-server-0\nstop-coordinator-0\n"),
             read_file(order));
  BOOST_TEST(!alive(coordinator));
  BOOST_TEST(!fs::exists(h.dir.path / "run" / "coordinator-0.pid"));
  BOOST_TEST(fs::exists(h.dir.path / "run" / "coordinator-0.cmd"));
}

BOOST_AUTO_TEST_CASE(restarts_a_killed_child_and_rewrites_its_pid_file) {
  harness h;
  auto order = h.dir.path / "order";
  h.start({sh_child("partition-server", 0, order)}, h.options());
  BOOST_REQUIRE(eventually([&] { return h.announcements() == 1; }));
  const pid_t first = h.pid_of("partition-server-0");
  BOOST_REQUIRE(alive(first));

  BOOST_REQUIRE(kill(first, SIGKILL) == 0);
  BOOST_REQUIRE(eventually([&] {
    pid_t now = h.pid_of("partition-server-0");
    return now != first && alive(now);
  }));
  BOOST_TEST(h.saw("[sluice] partition-server-0 (pid " + std::to_string(first) + ") killed by signal 9"));
  BOOST_TEST(h.saw("restarting in 20 ms (restart 1)"));
  BOOST_REQUIRE(eventually([&] { return h.saw("partition-server-0 is back"); }));
  BOOST_TEST(h.announcements() == 1);  // a restart is not a second announcement

  h.sup->request_stop();
  BOOST_TEST(h.finish() == 0);
}

BOOST_AUTO_TEST_CASE(backoff_doubles_for_a_crash_loop) {
  harness h;
  auto o = h.options();
  o.max_failures_before_ready = 100;
  o.backoff_initial = 10ms;
  o.backoff_max = 40ms;
  h.start({{"flaky", 0, {"/bin/sh", "-c", "echo crashing; exit 3"}, 0}}, o);
  BOOST_REQUIRE(eventually([&] { return h.saw("(restart 4)"); }));
  BOOST_TEST(h.saw("exited with code 3; restarting in 10 ms (restart 1)"));
  BOOST_TEST(h.saw("exited with code 3; restarting in 20 ms (restart 2)"));
  BOOST_TEST(h.saw("exited with code 3; restarting in 40 ms (restart 3)"));
  BOOST_TEST(h.saw("exited with code 3; restarting in 40 ms (restart 4)"));
  BOOST_TEST(h.announcements() == 0);
  h.sup->request_stop();
  BOOST_TEST(h.finish() == 0);
}

BOOST_AUTO_TEST_CASE(gives_up_on_a_child_that_never_becomes_ready) {
  harness h;
  auto o = h.options();
  o.max_failures_before_ready = 3;
  h.start({{"coordinator", 0, {"/nonexistent/sluice-coordinator", "--flag"}, 0}}, o);
  BOOST_TEST(h.finish() == 1);
  BOOST_TEST(h.count("[coordinator-0] exec /nonexistent/sluice-coordinator failed: No such file or directory") == 3);
  BOOST_TEST(h.saw("3 times in a row without becoming ready: giving up"));
  BOOST_TEST(h.announcements() == 0);
}

BOOST_AUTO_TEST_CASE(kills_a_child_that_ignores_sigterm_after_the_grace_period) {
  harness h;
  auto o = h.options();
  o.stop_grace = 200ms;
  h.start({{"stubborn", 0, {"/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"}, 0}}, o);
  BOOST_REQUIRE(eventually([&] { return h.announcements() == 1; }));
  const pid_t pid = h.pid_of("stubborn-0");
  h.sup->request_stop();
  BOOST_TEST(h.finish() == 0);
  BOOST_TEST(h.saw("did not stop within 200 ms: SIGKILL"));
  BOOST_TEST(h.saw("killed by signal 9"));
  BOOST_TEST(!alive(pid));
}

BOOST_AUTO_TEST_CASE(forwards_a_last_line_without_newline_and_long_output) {
  harness h;
  std::string script = "i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done; echo ready; printf tail-no-newline; "
                       "exec sleep 30";
  h.start({{"chatty", 0, {"/bin/sh", "-c", script}, 0}}, h.options());
  BOOST_REQUIRE(eventually([&] { return h.announcements() == 1; }));
  BOOST_TEST(h.count("[chatty-0] line-") == 300);
  h.sup->request_stop();
  BOOST_TEST(h.finish() == 0);
  BOOST_TEST(h.saw("[chatty-0] tail-no-newline"));
}
