# test-lib.sh: what deploy/container-test.sh and deploy/walkthrough-test.sh share (sourced, not run):
# one ok/FAIL line per step with counts, bounded retries, and free ports.
passes=0
failures=0

check() { # check DESCRIPTION COMMAND...: run one step, print ok or FAIL
  if "${@:2}"; then
    echo "ok   $1"
    passes=$((passes + 1))
  else
    echo "FAIL $1"
    failures=$((failures + 1))
  fi
}

until_true() { # until_true SECONDS COMMAND...: retry every 0.2 s, bounded in time
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.2
  done
}

free_port() { # a TCP port no socket uses on any address, below the ephemeral range (32768+)
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 12000))
    ss -Htan "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
  return 1
}
