# shellcheck shell=bash
# What the HTTP bench scripts share (sourced by run and ab): a free port, waiting for a server, medians,
# and the nginx they compare against.

# A free port below 32768 (the ephemeral range starts there).
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 12000))
    if ! ss -Htln "sport = :$port" | grep -q .; then echo "$port"; return; fi
  done
}

# Waits up to 5 s for an HTTP answer on 127.0.0.1:PORT; stops the script if none comes.
wait_port() {
  for _ in $(seq 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$1/"; then return 0; fi
    sleep 0.05
  done
  echo "http bench: nothing answers on port $1"; exit 1
}

# The median of the numbers on stdin, one a line (the lower middle of an even count).
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# nginx answering "Hello, World!" on 127.0.0.1:PORT as the benchmark's reference: WORKERS processes, no
# access log, keep-alive as plugnode's, as many connections as the open-files limit allows; its pid file
# and error log in DIR. Prints the configuration.
nginx_conf() { # port workers dir
  local fds
  fds=$(ulimit -n)
  cat <<CONF
worker_processes $2;
daemon off;
pid $3/nginx.pid;
error_log $3/nginx-error.log;
worker_rlimit_nofile $fds;
events { worker_connections $((fds - 100)); }
http {
  access_log off;
  keepalive_requests 1000;
  server {
    listen 127.0.0.1:$1 backlog=1024;
    location / { default_type text/plain; return 200 "Hello, World!"; }
  }
}
CONF
}
