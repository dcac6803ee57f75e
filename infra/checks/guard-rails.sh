#!/usr/bin/env bash
# Every check besides the test suite, in one place (CI runs it; so can anyone before a push):
# lint and format, the generated docs, the API documents, the compose file, the Kubernetes
# manifests and the observability rules. Prints one line per check and fails if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.."

failed=()
check() {
  local name=$1
  shift
  if "$@" >"/tmp/check-$name.log" 2>&1; then
    echo "ok      $name"
  else
    echo "FAILED  $name"
    tail -n 40 "/tmp/check-$name.log" | sed 's/^/        /'
    failed+=("$name")
  fi
}

check lint npm run --silent lint
check generated-docs npm run --silent docs:check
check api-documents npx tsx infra/checks/api-docs.mjs
check compose docker-compose --env-file .env.example config -q
check kubernetes node infra/checks/validate-k8s.mjs
check observability bash infra/checks/observability.sh

if [ ${#failed[@]} -gt 0 ]; then
  echo "guard rails failed: ${failed[*]}"
  exit 1
fi
echo "guard rails passed"
