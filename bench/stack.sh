# Sourced by the bench scripts: start_stack BIN DATA_DIR [sluice up flags...]
# runs `sluice up` on free ports in the background, waits for its ready line,
# stops it and removes DATA_DIR on exit, and sets BOOTSTRAP and COORDINATOR.

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_stack() {
  local bin=$1 dir=$2
  shift 2
  local port cport
  port=$(free_port)
  cport=$(free_port)
  BOOTSTRAP="127.0.0.1:$port"
  COORDINATOR="tcp://127.0.0.1:$cport"
  STACK_DIR=$dir
  STACK_LOG="$dir/stack.log"
  "$bin/sluice" up --data-dir "$dir/stack" --port "$port" --coordinator-port "$cport" --log-level warn "$@" \
    >"$STACK_LOG" 2>&1 &
  STACK_PID=$!
  trap stop_stack EXIT
  for _ in $(seq 1 300); do
    grep -q ready "$STACK_LOG" && break
    kill -0 "$STACK_PID" 2>/dev/null || { cat "$STACK_LOG" >&2; exit 1; }
    sleep 0.1
  done
  grep -q ready "$STACK_LOG" || { echo "stack did not become ready" >&2; cat "$STACK_LOG" >&2; exit 1; }
  echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB" >&2
}

stop_stack() {
  kill -TERM "$STACK_PID" 2>/dev/null || true
  wait "$STACK_PID" 2>/dev/null || true
  rm -rf "$STACK_DIR"
}
