#!/usr/bin/env bash
# One entry point for a fresh Debian 12 / Ubuntu machine:
#   scripts/setup.sh run    install what is missing, build, run the local stack (gateway on localhost:9092)
#   scripts/setup.sh test   install what is missing, build, run the whole test suite (ctest)
# Every dependency is a distribution package; the build downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case "$mode" in
  run|test) ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac

# What the product needs to build and run.
build_packages=(
  build-essential cmake ninja-build pkg-config python3
  libcaf-dev libnng-dev liblmdb-dev libprotobuf-dev protobuf-compiler
  libboost-dev libboost-test-dev libspdlog-dev libfmt-dev libcli11-dev
  zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev librdkafka-dev
)
# What the tests drive it with: real third-party Kafka clients, the fuzzer
# toolchain, the compose file checker, gdb (the fixture records a hung
# service's thread stacks before killing it), and a JDK with Maven for Kafka's
# own Java client and tools.
test_packages=(
  kcat python3-kafka python3-confluent-kafka python3-snappy python3-lz4 python3-zstandard
  clang libclang-rt-14-dev docker-compose python3-venv gdb
  default-jdk-headless maven
)
# The one test client Debian 12 lacks: a librdkafka new enough (2.4+) for
# KIP-848 consumer groups (group.protocol=consumer), from PyPI into a venv
# beside the build. Only the tests use it.
kip848_client="confluent-kafka==2.16.1"

packages=("${build_packages[@]}")
[ "$mode" = test ] && packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_dir=${SLUICE_BUILD_DIR:-build}
# A build directory copied along with the checkout remembers another source
# path and CMake refuses it; start that one afresh.
cache="$build_dir/CMakeCache.txt"
if [ -f "$cache" ] && ! grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$PWD" "$cache"; then
  echo "build directory $build_dir was configured for another checkout; recreating it"
  rm -rf "$build_dir"
fi

# The test clients from PyPI and Maven, fetched while the build runs (they
# wait on the network, the build on the CPU).
fetch_test_clients() {
  local venv="$build_dir/test-venv"
  if ! "$venv/bin/python" -c "import confluent_kafka" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "$kip848_client"
  fi
  # Kafka's Java client (kafka-clients 4.x) and tools (kafka-tools: the
  # kafka-transactions command) with their runtime dependencies, from Maven
  # into the build dir, as tests/java/pom.xml lists them. The tests compile
  # tests/java/*.java against them (tests/fixtures/java_clients.py).
  local java_clients="$build_dir/java-clients"
  if ! ls "$java_clients"/kafka-tools-*.jar >/dev/null 2>&1; then
    mvn -q -B -f tests/java/pom.xml dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$(realpath -m "$java_clients.tmp")"
    rm -rf "$java_clients"
    mv "$java_clients.tmp" "$java_clients"
  fi
}
if [ "$mode" = test ]; then
  mkdir -p "$build_dir"
  fetch_log="$build_dir/fetch-test-clients.log"
  fetch_test_clients >"$fetch_log" 2>&1 &
  fetch_pid=$!
  trap 'kill "$fetch_pid" 2>/dev/null || true' EXIT
fi

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build_dir" --parallel "$(nproc)"

if [ "$mode" = run ]; then
  exec "$build_dir/bin/sluice" up --data-dir "${SLUICE_DATA_DIR:-./data}"
fi
if ! wait "$fetch_pid"; then
  cat "$fetch_log" >&2
  echo "fetching the test clients failed (log above, in $fetch_log)" >&2
  exit 1
fi
ctest --test-dir "$build_dir" --output-on-failure --timeout 600 -j1
