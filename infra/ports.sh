# Sourced by the bring-up scripts: whether a loopback port answers, and waiting until it does.

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_up NAME PORT: up to 30 s.
wait_up() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do
    if up "$port"; then echo "$name is up on 127.0.0.1:$port"; return 0; fi
    sleep 0.5
  done
  echo "$name did not come up on 127.0.0.1:$port" >&2
  return 1
}
