#!/usr/bin/env bash
# A local single-node Apache Kafka (KRaft, combined broker + controller) for sharq's integration
# tests, run from the Maven Central jars: no Docker, no tarball. Needs Java 17+; `install` also
# needs Maven (only until the jars are in .kafka/libs). The Kafka version is pinned in
# scripts/kafka/pom.xml (<kafka.version>) and nowhere else in this script.
#
#   scripts/kafka.sh install          collect the jars into .kafka/libs (skipped when present)
#   scripts/kafka.sh start            install if needed, format once, start, wait until it answers
#   scripts/kafka.sh stop             SIGTERM, wait, SIGKILL after KAFKA_STOP_TIMEOUT s; idempotent
#   scripts/kafka.sh status           "running ..." (exit 0) or "stopped" (exit 3)
#   scripts/kafka.sh reset            stop, then delete the data and logs (keeps the jars)
#   scripts/kafka.sh prereqs          exit 0 when start can work here, else print why (exit 1)
#   scripts/kafka.sh tool CLASS ARGS  run a Kafka Java tool class with the jars on the classpath
#   scripts/kafka.sh version          print the pinned Kafka version
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), SHARQ_KAFKA_DIR (<repo>/.kafka),
# KAFKA_STATE_DIR (SHARQ_KAFKA_DIR: the broker's data, logs, pid and properties; the jars stay in
# SHARQ_KAFKA_DIR/libs, so a second, independent broker needs only its own state dir and ports),
# KAFKA_HEAP_OPTS (-Xms256m -Xmx768m), KAFKA_JVM_OPTS (extra broker JVM flags),
# KAFKA_TOOL_OPTS (tool JVM flags, default -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC),
# KAFKA_START_TIMEOUT (90 s), KAFKA_STOP_TIMEOUT (30 s),
# JAVA_HOME (else `java` on PATH).
#
# Files: .kafka/libs (jars + .installed stamp), .kafka/server.properties, .kafka/data,
# .kafka/logs/server.log (broker log, previous run in server.log.1), .kafka/kafka.pid; all but
# libs are under KAFKA_STATE_DIR when set. A second broker, e.g. for a fault test:
#   KAFKA_STATE_DIR=/tmp/k2 KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 scripts/kafka.sh start
#   KAFKA_STATE_DIR=/tmp/k2 scripts/kafka.sh stop
#
# Checked by hand against Kafka 4.4.0 (B=127.0.0.1:9092; each line below ran as shown):
#   scripts/kafka.sh start
#   scripts/kafka.sh tool org.apache.kafka.tools.FeatureCommand --bootstrap-server $B describe
#       (share.version FinalizedVersionLevel: 2 on a freshly formatted 4.4.0 cluster)
#   scripts/kafka.sh tool org.apache.kafka.tools.TopicCommand --bootstrap-server $B \
#       --create --topic demo --partitions 1 --replication-factor 1
#   printf 'a\nb\nc\n' | scripts/kafka.sh tool org.apache.kafka.tools.ConsoleProducer \
#       --bootstrap-server $B --topic demo
#   scripts/kafka.sh tool org.apache.kafka.tools.ConfigCommand --bootstrap-server $B --alter \
#       --entity-type groups --entity-name g --add-config share.auto.offset.reset=earliest
#   scripts/kafka.sh tool org.apache.kafka.tools.consumer.ConsoleShareConsumer \
#       --bootstrap-server $B --topic demo --group g --max-messages 3 --timeout-ms 30000
#   scripts/kafka.sh tool org.apache.kafka.tools.consumer.group.ShareGroupCommand \
#       --bootstrap-server $B --describe --group g [--members | --offsets | --state]
#   scripts/kafka.sh tool org.apache.kafka.tools.ShareConsumerPerformance \
#       --bootstrap-server $B --topic demo --group perf --num-records 3 --timeout 30000
#   scripts/kafka.sh tool org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server $B
#   scripts/kafka.sh stop
# Short aliases for `tool`: topics, configs, features, share-groups, console-producer,
# console-share-consumer, share-perf, api-versions, groups (see tool_class below).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT/scripts/kafka/pom.xml"
KDIR="${SHARQ_KAFKA_DIR:-$ROOT/.kafka}"
LIBS="$KDIR/libs"
# Everything of one broker instance; only the jars are shared between instances.
STATE="${KAFKA_STATE_DIR:-$KDIR}"
DATA="$STATE/data"
LOGS="$STATE/logs"
PIDFILE="$STATE/kafka.pid"
PROPS="$STATE/server.properties"
BROKER_LOG4J="$STATE/log4j2-broker.properties"
TOOLS_LOG4J="$STATE/log4j2-tools.properties"
FORMAT_STAMP="$STATE/formatted-controller-port"
HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

log() { echo "kafka.sh: $*" >&2; }
die() {
  log "$*"
  exit 1
}

kafka_version() {
  local v
  v="$(sed -n 's:.*<kafka\.version>\([^<]*\)</kafka\.version>.*:\1:p' "$POM" | head -n 1)"
  [ -n "$v" ] || die "no <kafka.version> in $POM"
  echo "$v"
}

# Serialise install/start/stop/reset of one broker instance (its state dir) between concurrent
# callers where flock(1) exists.
lock() {
  mkdir -p "$STATE"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$STATE/.lock"
    flock 9
  fi
}

# An instance with a state dir of its own also takes the lock of the shared jars (fd 8) before it
# installs them, so that two instances never install into one libs dir at once.
lock_libs() {
  [ "$STATE" != "$KDIR" ] || return 0
  mkdir -p "$KDIR"
  if command -v flock >/dev/null 2>&1; then
    exec 8>"$KDIR/.lock"
    flock 8
  fi
}

java_major() {
  local spec
  spec="$("$JAVA" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = //p' | head -n 1)" || true
  case "$spec" in
  1.*) echo "${spec#1.}" | cut -d. -f1 ;;
  '') echo 0 ;;
  *) echo "${spec%%.*}" ;;
  esac
}

installed_stamp() { echo "kafka $(kafka_version) pom $(cksum <"$POM" | cut -d' ' -f1)"; }

is_installed() {
  [ -f "$LIBS/.installed" ] && [ "$(cat "$LIBS/.installed")" = "$(installed_stamp)" ] &&
    [ -f "$LIBS/kafka_2.13-$(kafka_version).jar" ]
}

# Exit 0 when `start` can work on this machine; otherwise print one line saying what is missing.
cmd_prereqs() {
  if ! command -v "$JAVA" >/dev/null 2>&1; then
    echo "no Java: install a JDK 17+ (java on PATH or JAVA_HOME)"
    return 1
  fi
  local major
  major="$(java_major)"
  if [ "$major" -lt 17 ]; then
    echo "Java $major found at $(command -v "$JAVA"); Kafka $(kafka_version) needs Java 17+"
    return 1
  fi
  if ! is_installed && ! command -v mvn >/dev/null 2>&1; then
    echo "no Maven (mvn) to download the Kafka $(kafka_version) jars: install Maven 3.6+"
    return 1
  fi
  return 0
}

do_install() {
  if is_installed; then
    return 0
  fi
  lock_libs
  if is_installed; then
    exec 8>&-
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: Maven is needed to download the Kafka jars"
  local version tmp t0
  version="$(kafka_version)"
  tmp="$LIBS.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$KDIR"
  log "downloading Kafka $version jars from Maven Central into $LIBS ..."
  t0=$SECONDS
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies -DoutputDirectory="$tmp" \
    >"$KDIR/install.log" 2>&1; then
    tail -n 40 "$KDIR/install.log" >&2
    rm -rf "$tmp"
    die "downloading the Kafka $version jars failed (full output: $KDIR/install.log)"
  fi
  [ -f "$tmp/kafka_2.13-$version.jar" ] || die "kafka_2.13-$version.jar missing after download"
  installed_stamp >"$tmp/.installed"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  [ "$STATE" = "$KDIR" ] || exec 8>&-
  log "installed $(find "$LIBS" -name '*.jar' | wc -l | tr -d ' ') jars in $((SECONDS - t0)) s"
}

cmd_install() {
  lock
  if is_installed; then
    log "Kafka $(kafka_version) jars already in $LIBS"
    return 0
  fi
  do_install
}

# The pid from the pid file when that process is still our broker, else nothing (exit 1).
running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [ -n "$pid" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  ps -p "$pid" -o command= 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

write_log4j() {
  # Broker: INFO to stdout, which start sends to logs/server.log. Tools: WARN to stderr, so that
  # what a tool prints on stdout is only its own output.
  cat >"$BROKER_LOG4J" <<'EOF'
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.target = SYSTEM_OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
logger.zk.name = org.apache.zookeeper
logger.zk.level = WARN
EOF
  cat >"$TOOLS_LOG4J" <<'EOF'
status = error
appender.err.type = Console
appender.err.name = err
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = err
EOF
}

write_properties() {
  cat >"$PROPS" <<EOF
# Written by scripts/kafka.sh start; edits are overwritten on the next start.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CPORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA

# One broker: every internal topic has one replica, and few partitions (fast to create and load).
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=4
group.initial.rebalance.delay.ms=0

# Share groups (on through the share.version feature, 2 by default for a new 4.4 cluster).
# Groups may set share.record.lock.duration.ms down to 1 s; members heartbeat every second and
# are dropped after 10 s of silence (group configs share.heartbeat.interval.ms and
# share.session.timeout.ms may go down to these minimums).
group.share.min.record.lock.duration.ms=1000
group.share.min.heartbeat.interval.ms=1000
group.share.heartbeat.interval.ms=1000
group.share.min.session.timeout.ms=6000
group.share.session.timeout.ms=10000
EOF
}

format_storage() {
  if [ -f "$DATA/meta.properties" ]; then
    local formatted
    formatted="$(cat "$FORMAT_STAMP" 2>/dev/null || echo "$CPORT")"
    if [ "$formatted" != "$CPORT" ]; then
      die "$DATA was formatted for controller port $formatted, not $CPORT: run scripts/kafka.sh reset"
    fi
    return 0
  fi
  local cluster_id
  cluster_id="$("$JAVA" -cp "$LIBS/*" -Dlog4j2.configurationFile="$TOOLS_LOG4J" \
    kafka.tools.StorageTool random-uuid)"
  log "formatting $DATA (cluster $cluster_id)"
  mkdir -p "$DATA"
  "$JAVA" -cp "$LIBS/*" -Dlog4j2.configurationFile="$TOOLS_LOG4J" \
    kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$PROPS" >&2
  echo "$CPORT" >"$FORMAT_STAMP"
}

# Run "$@" for at most $1 seconds (portable: no coreutils timeout on macOS). Output as is.
bounded() {
  local secs="$1"
  shift
  "$@" &
  local pid=$! waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge $((secs * 10)) ]; then
      kill -9 "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      return 124
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  wait "$pid"
}

# SIGTERM, wait up to STOP_TIMEOUT s, then SIGKILL; returns once the process is gone.
terminate() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge $((STOP_TIMEOUT * 10)) ]; then
      log "pid $pid still running after $STOP_TIMEOUT s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  # Reap it if it is our child (a failed start); otherwise poll until its parent has.
  wait "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# Print why, the log tail, stop the half-started broker (pid $2, if any) and exit 1.
fail_start() {
  log "$1"
  if [ -f "$LOGS/server.log" ]; then
    log "last lines of $LOGS/server.log:"
    tail -n 60 "$LOGS/server.log" >&2
  fi
  if [ -n "${2:-}" ] && kill -0 "$2" 2>/dev/null; then
    log "stopping the broker (pid $2)"
    terminate "$2"
  fi
  rm -f "$PIDFILE"
  exit 1
}

cmd_start() {
  lock
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid) on $HOST:$PORT"
    return 0
  fi
  rm -f "$PIDFILE"
  local reason
  reason="$(cmd_prereqs)" || die "cannot start Kafka: $reason"
  for p in "$PORT" "$CPORT"; do
    if port_open "$p"; then
      die "port $p on $HOST is taken by another process (set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
    fi
  done
  do_install
  mkdir -p "$LOGS"
  write_log4j
  write_properties
  format_storage

  local t0=$SECONDS
  [ -f "$LOGS/server.log" ] && mv -f "$LOGS/server.log" "$LOGS/server.log.1"
  # A session of its own (setsid) so that a Ctrl-C in the terminal that started it, or the end
  # of a test run, does not stop a broker that was meant to outlive it; stdio goes to files so
  # that a caller reading our output is not held open by the broker, and the lock fd 9 is closed
  # so that the broker does not hold the lock for its lifetime.
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  # shellcheck disable=SC2086 # the *_OPTS are word lists on purpose
  ${launcher[@]+"${launcher[@]}"} "$JAVA" $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$BROKER_LOG4J" ${KAFKA_JVM_OPTS:-} \
    -cp "$LIBS/*" kafka.Kafka "$PROPS" </dev/null >"$LOGS/server.log" 2>&1 8>&- 9>&- &
  pid=$!
  echo "$pid" >"$PIDFILE"
  log "starting Kafka $(kafka_version) (pid $pid), log $LOGS/server.log"

  # Ready = the server logged that it started and the port takes connections; then one real
  # request (ApiVersions) to prove it answers.
  local deadline=$((SECONDS + START_TIMEOUT))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      fail_start "the broker exited during startup"
    fi
    if grep -q 'Kafka Server started' "$LOGS/server.log" 2>/dev/null && port_open "$PORT"; then
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail_start "the broker did not start within $START_TIMEOUT s" "$pid"
    fi
    sleep 0.2
  done
  local left=$((deadline - SECONDS))
  [ "$left" -lt 15 ] && left=15
  if ! bounded "$left" "$JAVA" -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$TOOLS_LOG4J" -cp "$LIBS/*" \
    org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "$HOST:$PORT" \
    >"$STATE/api-versions.txt" 2>&1; then
    cat "$STATE/api-versions.txt" >&2
    fail_start "the broker started but did not answer ApiVersions" "$pid"
  fi
  grep -q 'ShareFetch(78)' "$STATE/api-versions.txt" ||
    fail_start "the broker answered but offers no ShareFetch API (see $STATE/api-versions.txt)" "$pid"
  log "ready on $HOST:$PORT in $((SECONDS - t0)) s (pid $pid)"
}

cmd_stop() {
  lock
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PIDFILE"
    log "not running"
    return 0
  fi
  log "stopping pid $pid"
  local t0=$SECONDS
  terminate "$pid"
  rm -f "$PIDFILE"
  log "stopped in $((SECONDS - t0)) s"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    if port_open "$PORT"; then
      echo "running (pid $pid) on $HOST:$PORT"
    else
      echo "starting (pid $pid), $HOST:$PORT not open yet"
    fi
    return 0
  fi
  echo "stopped"
  return 3
}

cmd_reset() {
  cmd_stop
  rm -rf "$DATA" "$LOGS" "$PROPS" "$FORMAT_STAMP" "$STATE/api-versions.txt"
  log "deleted $DATA and $LOGS"
}

tool_class() {
  case "$1" in
  topics) echo org.apache.kafka.tools.TopicCommand ;;
  configs) echo org.apache.kafka.tools.ConfigCommand ;;
  features) echo org.apache.kafka.tools.FeatureCommand ;;
  groups) echo org.apache.kafka.tools.GroupsCommand ;;
  share-groups) echo org.apache.kafka.tools.consumer.group.ShareGroupCommand ;;
  console-producer) echo org.apache.kafka.tools.ConsoleProducer ;;
  console-share-consumer) echo org.apache.kafka.tools.consumer.ConsoleShareConsumer ;;
  share-perf) echo org.apache.kafka.tools.ShareConsumerPerformance ;;
  api-versions) echo org.apache.kafka.tools.BrokerApiVersionsCommand ;;
  *) echo "$1" ;;
  esac
}

cmd_tool() {
  [ $# -ge 1 ] || die "usage: scripts/kafka.sh tool CLASS [ARGS...]"
  local cls
  cls="$(tool_class "$1")"
  shift
  if ! is_installed; then
    (
      lock
      do_install
    ) >&2 || exit 1
  fi
  [ -f "$TOOLS_LOG4J" ] || (mkdir -p "$STATE" && write_log4j)
  # Short-lived JVMs: C1 only and serial GC cost the least CPU on a small machine. For
  # throughput figures (ShareConsumerPerformance) set KAFKA_TOOL_OPTS, e.g. "-Xmx1g".
  # shellcheck disable=SC2086
  exec "$JAVA" ${KAFKA_TOOL_OPTS:--Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC} \
    -Dlog4j2.configurationFile="$TOOLS_LOG4J" -cp "$LIBS/*" "$cls" "$@"
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
install) cmd_install ;;
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
reset) cmd_reset ;;
prereqs) cmd_prereqs ;;
tool) cmd_tool "$@" ;;
version) kafka_version ;;
*) usage ;;
esac
