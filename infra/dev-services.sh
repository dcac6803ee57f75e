#!/usr/bin/env bash
# Makes sure PostgreSQL runs on 127.0.0.1:5432, and runs the project's authenticated NATS (JetStream)
# and Redis (infra/local-infra.sh: 127.0.0.1:4223 and :6380, credentials generated into .data/infra).
# Installs the servers from Debian packages when they are missing (needs root), starts those that are
# down, and waits until each answers.
set -euo pipefail

# shellcheck source=infra/ports.sh
source "$(dirname "$0")/ports.sh"

install_missing() {
  local missing=()
  command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v nats-server >/dev/null || missing+=(nats-server)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
}

install_missing

# With systemd (a plain Debian 12), the packages' units own the servers; without it, start them directly.
pg_cluster() {
  if [ -d /run/systemd/system ]; then systemctl "$2" "postgresql@$1-main"; else pg_ctlcluster --skip-systemctl-redirect "$1" main "$2"; fi
}

version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
if ! up 5432; then
  [ -n "$version" ] || { echo "no PostgreSQL cluster in /etc/postgresql" >&2; exit 1; }
  pg_cluster "$version" start || true
  wait_up PostgreSQL 5432
else
  echo "PostgreSQL is up on 127.0.0.1:5432"
fi
# Local development uses trust authentication on loopback, also when the package started the
# server (Debian's default asks for a password there). Set DATABASE_URL with a password instead
# to keep the package's rule.
hba=/etc/postgresql/$version/main/pg_hba.conf
if [ -n "$version" ] && [ -w "$hba" ] && ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
  sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  pg_cluster "$version" reload
  echo "PostgreSQL: trust authentication on 127.0.0.1 added to $hba"
fi

# NATS and Redis: the project's own, authenticated, on their own ports (a bare install accepts anyone).
bash "$(dirname "$0")/local-infra.sh"
