#!/usr/bin/env node
// Turns every query of the Grafana dashboard into a recording rule, so `promtool check rules`
// parses each one: node infra/checks/dashboard-rules.mjs <dashboard.json> > rules.yml
// Grafana's own variables are replaced by plain values first ($__rate_interval → 5m, $service → .*).
import { readFileSync } from 'node:fs';

const path = process.argv[2] ?? new URL('../observability/grafana-dashboard.json', import.meta.url).pathname;
const dashboard = JSON.parse(readFileSync(path, 'utf8'));
const rules = [];
const walk = (panels) => {
  for (const panel of panels ?? []) {
    walk(panel.panels);
    for (const target of panel.targets ?? []) {
      if (!target.expr) throw new Error(`panel "${panel.title}" has a target without expr`);
      const expr = target.expr.replaceAll('$__rate_interval', '5m').replaceAll('$service', '.*');
      rules.push({ record: `dashboard:panel_${panel.id}_${target.refId.toLowerCase()}`, expr, title: panel.title });
    }
  }
};
walk(dashboard.panels);
if (rules.length === 0) throw new Error(`${path}: no queries`);
const lines = ['groups:', '  - name: dashboard-queries', '    rules:'];
for (const r of rules) lines.push(`      # ${r.title}`, `      - record: ${r.record}`, `        expr: ${JSON.stringify(r.expr)}`);
process.stdout.write(`${lines.join('\n')}\n`);
