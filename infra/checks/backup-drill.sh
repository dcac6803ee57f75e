#!/usr/bin/env bash
# Backup drill on one machine: runs the whole system (`npm start`) against a database and an object
# store folder of its own, writes users, a chat, messages and images through the API, backs up
# (pg_dump -Fc, then the store's folder), stops everything, wipes both (DROP DATABASE, rm -rf),
# restores (pg_restore, the folder), starts again and reads every message and image back.
# Prints the figures recorded in docs/operations.md. Needs PostgreSQL, NATS and Redis as set up by
# infra/dev-services.sh, ports 8080-8088 and 9080-9088 free, and pg_dump/pg_restore 15+.
#   DRILL_DB (chat_backup_drill; must contain "drill"), DRILL_DIR (/tmp/chat-backup-drill),
#   DRILL_USERS, DRILL_MESSAGES_PER_USER (see backup-drill.mjs), PGHOST/PGUSER (127.0.0.1/postgres).
set -euo pipefail
cd "$(dirname "$0")/../.."

DB=${DRILL_DB:-chat_backup_drill}
DIR=${DRILL_DIR:-/tmp/chat-backup-drill}
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
case "$DB" in *drill*) ;; *) echo "DRILL_DB must contain 'drill' (this drill drops it)"; exit 2 ;; esac
if curl -fsS -o /dev/null http://127.0.0.1:8080/health 2>/dev/null; then
  echo "port 8080 answers already: another run of the system is up; stop it or wait"; exit 2
fi

rm -rf "$DIR" && mkdir -p "$DIR/backup"
STACK_PID=
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

start_stack() {
  DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$DB" S3_EMBEDDED_DIR="$DIR/s3" NATS_PREFIX=drill. REDIS_PREFIX=drill: \
    RATE_LIMIT_USER_PER_MINUTE=100000 LOG_LEVEL=warn setsid node infra/start.mjs >>"$DIR/stack.log" 2>&1 &
  STACK_PID=$!
  for _ in $(seq 1 240); do
    if curl -fsS http://127.0.0.1:8080/health 2>/dev/null | grep -q '"status":"ok"'; then return 0; fi
    sleep 0.5
  done
  echo "the system did not come up: see $DIR/stack.log"; exit 1
}
stop_stack() {
  [ -n "$STACK_PID" ] || return 0
  kill -TERM -- "-$STACK_PID" 2>/dev/null || true
  wait "$STACK_PID" 2>/dev/null || true
  STACK_PID=
}
trap stop_stack EXIT

echo "== starting the system on database $DB, store folder $DIR/s3"
start_stack
echo "== seeding through the API"
t0=$(now); node infra/checks/backup-drill.mjs seed "$DIR/state.json"; t1=$(now)
echo "seed took $(secs "$t0" "$t1") s"
psql -qAt -d "$DB" -c "select 'rows: users ' || (select count(*) from auth.users) || ', messages ' || (select count(*) from message.messages) || ', log events ' || (select count(*) from message.events) || ', media ' || (select count(*) from media.media) || ', database ' || pg_size_pretty(pg_database_size(current_database()))"

echo "== backup (online: the database first, then the objects, so every media row has its object)"
t0=$(now); pg_dump -Fc -d "$DB" -f "$DIR/backup/all.dump"; t1=$(now)
tar -C "$DIR" -cf "$DIR/backup/objects.tar" s3; t2=$(now)
echo "pg_dump -Fc: $(du -h "$DIR/backup/all.dump" | cut -f1) in $(secs "$t0" "$t1") s; objects: $(find "$DIR/s3" -type f | wc -l) files, $(du -sh "$DIR/s3" | cut -f1) -> tar $(du -h "$DIR/backup/objects.tar" | cut -f1) in $(secs "$t1" "$t2") s"
for schema in auth user chat message media presence search; do
  pg_dump -Fc -n "\"$schema\"" -d "$DB" -f "$DIR/backup/$schema.dump"
done
echo "per-schema dumps: $(cd "$DIR/backup" && du -h auth.dump user.dump chat.dump message.dump media.dump presence.dump search.dump | awk '{printf "%s %s, ", $2, $1}')"

echo "== stop, wipe"
stop_stack
t0=$(now); dropdb --force "$DB"; rm -rf "$DIR/s3"; t1=$(now)
echo "wiped in $(secs "$t0" "$t1") s: database exists? $(psql -qAt -d postgres -c "select count(*) from pg_database where datname = '$DB'"), store folder exists? $([ -e "$DIR/s3" ] && echo yes || echo no)"

echo "== restore"
t0=$(now); createdb "$DB"; pg_restore --exit-on-error -j 2 -d "$DB" "$DIR/backup/all.dump"; t1=$(now)
tar -C "$DIR" -xf "$DIR/backup/objects.tar"; t2=$(now)
echo "pg_restore -j 2: $(secs "$t0" "$t1") s; objects: $(secs "$t1" "$t2") s"
psql -qAt -d "$DB" -c "select 'rows: users ' || (select count(*) from auth.users) || ', messages ' || (select count(*) from message.messages) || ', log events ' || (select count(*) from message.events) || ', media ' || (select count(*) from media.media)"

echo "== start again, read everything back"
t0=$(now); start_stack; t1=$(now)
echo "system up again in $(secs "$t0" "$t1") s"
node infra/checks/backup-drill.mjs verify "$DIR/state.json"
stop_stack
dropdb --force "$DB"
echo "backup drill passed"
