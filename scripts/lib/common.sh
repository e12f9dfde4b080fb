# shellcheck shell=bash disable=SC2034
# Shared by the scripts in scripts/: repo paths, port defaults, messages, and small process/port helpers.
# Sourced, never run. Every script that sources it runs with `set -euo pipefail`.

SLUICE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# SLUICE_RUN moves the state of the local services (data, logs, pids, ports) elsewhere, so a second set of
# services can run beside the first (the quickstart test does this with its own ports).
SLUICE_RUN="${SLUICE_RUN:-${SLUICE_ROOT}/.run}"
export SLUICE_RUN
SLUICE_CACHE="${SLUICE_ROOT}/.cache"

# Ports of the project-local services (127.0.0.1 only). Precedence: the environment, then the ports that
# the running services were started with (.run/ports.env, written by `scripts/services start`, removed by
# `stop`), then the defaults.
if [[ -f "${SLUICE_RUN}/ports.env" ]]; then
  while IFS='=' read -r _k _v; do
    case "$_k" in
      SLUICE_PG_PORT | SLUICE_KAFKA_PORT | SLUICE_KAFKA_CONTROLLER_PORT)
        [[ -n "${!_k:-}" ]] || printf -v "$_k" '%s' "$_v" ;;
    esac
  done <"${SLUICE_RUN}/ports.env"
  unset _k _v
fi
SLUICE_PG_PORT="${SLUICE_PG_PORT:-25432}"
SLUICE_KAFKA_PORT="${SLUICE_KAFKA_PORT:-29092}"
SLUICE_KAFKA_CONTROLLER_PORT="${SLUICE_KAFKA_CONTROLLER_PORT:-$((SLUICE_KAFKA_PORT + 1))}"
export SLUICE_PG_PORT SLUICE_KAFKA_PORT SLUICE_KAFKA_CONTROLLER_PORT

SLUICE_SCRIPT_NAME="${SLUICE_SCRIPT_NAME:-$(basename "$0")}"

say() { printf '[%s] %s\n' "$SLUICE_SCRIPT_NAME" "$*" >&2; }
die() {
  printf '[%s] ERROR: %s\n' "$SLUICE_SCRIPT_NAME" "$*" >&2
  exit 1
}

# Seconds since an arbitrary point, with millisecond resolution (for timing steps).
now_s() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }

# Port checks read the kernel's socket table (ss) instead of connecting: our ports lie in Linux's ephemeral
# range (32768-60999), where a connect() to a port nobody listens on can pick that very port as its source
# and connect to itself, which then blocks the service from binding it.
have_ss() { command -v ss >/dev/null 2>&1; }

# True when something listens on TCP PORT.
port_listening() {
  if have_ss; then
    [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
  else
    timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
  fi
}

# True when PORT cannot be bound: a listener, or an open connection using it as its local port.
port_busy() {
  if have_ss; then
    [[ -n "$(ss -Htan "sport = :$1" 2>/dev/null | awk '$1 != "TIME-WAIT"')" ]]
  else
    port_listening "$1"
  fi
}

# Best-effort description of who uses a port (empty if unknown).
port_owner() {
  if have_ss; then
    ss -Htanp "sport = :$1" 2>/dev/null | awk '$1 != "TIME-WAIT"' |
      sed -n 's/.*users:((\("[^"]*"\),pid=\([0-9]*\).*/\1 pid \2/p' | head -n1
  fi
}

# True when PORT is held by a connection to itself in TIME-WAIT (what such a self-connect leaves behind
# for 60s; it blocks binding the port).
port_self_connected() {
  have_ss || return 1
  [[ -n "$(ss -Htan "sport = :$1" 2>/dev/null | awk -v p=":$1" '$1 == "TIME-WAIT" && $4 ~ p "$" && $5 ~ p "$"')" ]]
}

# Fails with a message naming the port and the variable that moves it.
require_port_free() { # PORT VAR-NAME WHAT
  local port="$1" var="$2" what="$3" owner i
  if port_self_connected "$port"; then
    say "port ${port} (${what}) is held by a leftover self-connection in TIME-WAIT (a client connected while nothing listened); waiting up to 65s for the kernel to release it"
    for ((i = 0; i < 130; i++)); do
      port_self_connected "$port" || break
      sleep 0.5
    done
  fi
  if port_busy "$port" || port_self_connected "$port"; then
    owner="$(port_owner "$port")"
    die "port ${port} (${what}) on 127.0.0.1 is already in use${owner:+ by ${owner}}. Stop that process or pick another port: ${var}=$((port + 100)) scripts/services start (then use the same ${var} for every script, or eval \"\$(scripts/services env)\")"
  fi
}

# True when PID is alive and its command line contains PATTERN.
pid_matches() { # PID PATTERN
  local pid="$1" pattern="$2"
  [[ -n "$pid" && "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

# Reads a pid file; prints the pid if the process is alive and matches PATTERN.
live_pid() { # PIDFILE PATTERN
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(head -n1 "$1" 2>/dev/null || true)"
  pid_matches "$pid" "$2" || return 1
  printf '%s\n' "$pid"
}

# Starts a command in the background, detached from the terminal (nohup, stdin from /dev/null, stdout and stderr
# appended to LOG, working directory DIR), writes its pid to PIDFILE and returns only once the child has exec'd
# the command: its command line matches PATTERN (or it has already exited, which the caller's liveness check
# then reports). Until the exec, the child's /proc/PID/cmdline is this script's own bash, so a liveness check
# by command line (live_pid) made any earlier could declare a healthy process dead, or a dead one alive.
# SLUICE_START_DELAY=S delays each start by S seconds before the exec: scripts/test runs the quickstart so to
# keep that window open (tests/integration/test_quickstart.py).
# Sets SPAWNED_PID. Fails when the command has not been exec'd within 60 s.
spawn_bg() { # PIDFILE PATTERN LOG DIR COMMAND [ARGS...]
  local pidfile="$1" pattern="$2" log="$3" dir="$4" pid i
  shift 4
  (
    cd "$dir" || exit 127
    if [[ -n "${SLUICE_START_DELAY:-}" ]]; then sleep "$SLUICE_START_DELAY"; fi
    exec nohup "$@" >>"$log" 2>&1 </dev/null
  ) &
  pid=$!
  printf '%s\n' "$pid" >"$pidfile"
  SPAWNED_PID="$pid"
  for ((i = 0; i < 1200; i++)); do
    pid_matches "$pid" "$pattern" && return 0
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  die "${1} was not exec'd within 60s (pid ${pid}, its command line never matched '${pattern}')"
}

# Sends SIGTERM, waits up to TIMEOUT seconds, then SIGKILL. Returns once the process is gone.
stop_pid() { # PID WHAT [TIMEOUT]
  local pid="$1" what="$2" timeout="${3:-30}" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  say "${what} (pid ${pid}) did not stop within ${timeout}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
}

# Runs COMMAND with its output in LOG. While it runs, prints every 10 s what runs and for how long and, unless
# PROGRESS is -, what the function PROGRESS prints given LOG (e.g. "12 of 80 packages set up"). Returns the
# command's exit code.
with_progress() { # LABEL LOG PROGRESS|- COMMAND [ARGS...]
  local label="$1" log="$2" progress="$3" pid rc=0 t0="$SECONDS" next=10 extra
  shift 3
  "$@" >"$log" 2>&1 </dev/null &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS - t0 >= next)); then
      extra=""
      [[ "$progress" == - ]] || extra="$("$progress" "$log" 2>/dev/null || true)"
      say "${label}: $((SECONDS - t0)) s${extra:+, ${extra}}"
      next=$((next + 10))
    fi
    sleep 0.2
  done
  wait "$pid" || rc=$?
  return "$rc"
}

sha256_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# The Python that owns the integration-test venv: Debian's when it can make venvs, else the first python3.
pick_python() {
  local py
  for py in /usr/bin/python3 "$(command -v python3 || true)"; do
    [[ -n "$py" && -x "$py" ]] || continue
    if "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
      printf '%s\n' "$py"
      return 0
    fi
  done
  return 1
}

# The Debezium release that the reference runs (conformance tests, benchmarks): SLUICE_DEBEZIUM_VERSION when set
# (scripts/test --debezium-version), else the one default, <debezium.version> in scripts/debezium/pom.xml. Each
# version has its own jars under .cache/debezium/<version>/ (lib: Kafka Connect; plugins: the connector).
debezium_version() {
  if [[ -n "${SLUICE_DEBEZIUM_VERSION:-}" ]]; then
    printf '%s\n' "$SLUICE_DEBEZIUM_VERSION"
  else
    sed -n 's:.*<debezium.version>\(.*\)</debezium.version>.*:\1:p' "${SLUICE_ROOT}/scripts/debezium/pom.xml"
  fi
}
debezium_dir() { printf '%s/debezium/%s\n' "$SLUICE_CACHE" "$(debezium_version)"; }

# Debezium's JDBC sink connector (bench/sink.py's reference): its version is in scripts/debezium/jdbc-sink.pom.xml.
debezium_jdbc_version() {
  sed -n 's:.*<debezium.jdbc.version>\(.*\)</debezium.jdbc.version>.*:\1:p' "${SLUICE_ROOT}/scripts/debezium/jdbc-sink.pom.xml"
}
debezium_jdbc_dir() { printf '%s/debezium-jdbc/%s\n' "$SLUICE_CACHE" "$(debezium_jdbc_version)"; }
