#!/usr/bin/env bash
# A Spark standalone cluster on this machine: a master and workers, each its
# own JVM process, started from the pyspark installation (Java and
# `pip install pyspark` are all it needs: no containers, no download).
#
#   scripts/spark-cluster.sh start [DIR]   starts it; prints the master URL
#   scripts/spark-cluster.sh stop [DIR]    stops every process it started
#
# DIR holds the pids, logs and the workers' scratch space (default
# ${TMPDIR:-/tmp}/shiptrace-spark). Environment: SPARK_MASTER_PORT (7077),
# SPARK_WORKERS (2), SPARK_WORKER_CORES (1 each), SPARK_WORKER_MEMORY (2g
# each). Jobs then run against it with `--master spark://127.0.0.1:PORT`:
#
#   PYSPARK_PYTHON=$(command -v python3) python3 -m shiptrace.spark detect \
#     --store store/ --out events.parquet --master spark://127.0.0.1:7077
set -euo pipefail
cmd=${1:-}
dir=${2:-${TMPDIR:-/tmp}/shiptrace-spark}
port=${SPARK_MASTER_PORT:-7077}
workers=${SPARK_WORKERS:-2}
cores=${SPARK_WORKER_CORES:-1}
memory=${SPARK_WORKER_MEMORY:-2g}

stop() {
  [ -d "$dir" ] || return 0
  for f in "$dir"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    # the process and what it started (a worker's executors)
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

# waits up to $2 seconds for the line $3 to appear $4 times in log $1
wait_for() {
  local log=$1 secs=$2 text=$3 times=${4:-1} k n
  for ((k = 0; k < secs * 5; k++)); do
    n=$(grep -c -- "$text" "$log" 2>/dev/null) || n=0
    if [ "$n" -ge "$times" ]; then
      return 0
    fi
    sleep 0.2
  done
  echo "spark-cluster: gave up waiting for '$text' in $log:" >&2
  tail -n 20 "$log" >&2
  return 1
}

case $cmd in
start)
  spark_home=$(python3 -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
  command -v java >/dev/null || { echo "spark-cluster: java not found" >&2; exit 1; }
  stop
  mkdir -p "$dir"
  export SPARK_HOME=$spark_home SPARK_LOG_DIR=$dir SPARK_LOCAL_IP=127.0.0.1
  class="$spark_home/bin/spark-class"
  url="spark://127.0.0.1:$port"
  nohup "$class" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$port" --webui-port 0 >"$dir/master.log" 2>&1 &
  echo $! >"$dir/master.pid"
  wait_for "$dir/master.log" 120 "I have been elected leader" || { stop; exit 1; }
  for ((w = 1; w <= workers; w++)); do
    mkdir -p "$dir/work-$w"
    nohup "$class" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --cores "$cores" --memory "$memory" --webui-port 0 \
      --work-dir "$dir/work-$w" "$url" >"$dir/worker-$w.log" 2>&1 &
    echo $! >"$dir/worker-$w.pid"
  done
  wait_for "$dir/master.log" 120 "Registering worker" "$workers" || { stop; exit 1; }
  echo "$url"
  ;;
stop)
  stop
  ;;
*)
  echo "usage: $0 start|stop [DIR]" >&2
  exit 2
  ;;
esac
