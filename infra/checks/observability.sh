#!/usr/bin/env bash
# Checks infra/observability: the alert rules parse and pass their unit tests, the scrape configs
# parse, every dashboard query is valid PromQL, and every alert has its runbook section in
# docs/operations.md. Needs promtool (Debian: apt-get install -y prometheus) and node.
set -euo pipefail
cd "$(dirname "$0")/../.."
OBS=infra/observability

if ! command -v promtool >/dev/null; then
  echo "promtool not found: apt-get install -y prometheus"; exit 1
fi

promtool check rules "$OBS/alerts.yml"
promtool test rules "$OBS/alerts.test.yml"
promtool check config "$OBS/prometheus.local.yml"
# Debian's Prometheus is built without Kubernetes discovery: there the Kubernetes example can
# only be parsed as YAML; a full build checks it whole.
if ! out=$(promtool check config --syntax-only "$OBS/prometheus.yml" 2>&1); then
  if grep -q 'field kubernetes_sd_configs not found' <<<"$out"; then
    echo "promtool lacks Kubernetes discovery (Debian build): $OBS/prometheus.yml checked as YAML only"
    node -e "const y=require('yaml');const c=y.parse(require('fs').readFileSync(process.argv[1],'utf8'));if(!c.scrape_configs?.some(s=>s.job_name==='chat'))throw new Error('no job chat');" "$OBS/prometheus.yml"
  else
    echo "$out"; exit 1
  fi
else
  echo "$out"
fi

rules=$(mktemp --suffix=.yml)
trap 'rm -f "$rules"' EXIT
node infra/checks/dashboard-rules.mjs "$OBS/grafana-dashboard.json" >"$rules"
echo "dashboard queries:"
promtool check rules "$rules"

missing=0
# Each alert names its runbook section (annotation `runbook: docs/operations.md#<anchor>`).
without=$(awk '/^ *- (alert|record):/ { if (name != "" && !rb) print name; name = ($2 == "alert:") ? $3 : ""; rb = 0 }
  /runbook: docs\/operations.md#/ { rb = 1 } END { if (name != "" && !rb) print name }' "$OBS/alerts.yml")
for alert in $without; do echo "alert $alert names no runbook"; missing=1; done
for anchor in $(grep -oP 'runbook: docs/operations.md#\K[a-z0-9-]+' "$OBS/alerts.yml" | sort -u); do
  if ! grep -qi "^### $anchor\$" docs/operations.md; then echo "no runbook section for #$anchor in docs/operations.md"; missing=1; fi
done
[ "$missing" = 0 ] || exit 1
echo "observability checks passed"
