// The table `npm run bench` ends with: one line per measured figure, its target where the
// benchmark plan sets one, and whether it was met.
const out = (line) => process.stdout.write(`${line}\n`);
const ms = (v) => (v === undefined || v === null ? '–' : `${v} ms`);
const verdict = (met) => (met === undefined ? '' : met ? 'met' : 'NOT met');

function row(what, figure, target = '', met) {
  out(`${what.padEnd(52)} ${String(figure).padEnd(62)} ${target.padEnd(34)} ${verdict(met)}`);
}

export function printSummary(report) {
  out('');
  out(
    `machine: ${report.machine.cores} cores (${report.machine.cpu}), ${report.machine.memoryGb} GB, Node ${report.machine.node}, load average at start ${report.machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}`,
  );
  out(`${'benchmark'.padEnd(52)} ${'figure'.padEnd(62)} ${'target'.padEnd(34)} verdict`);
  for (const r of report.platform ?? []) {
    row(r.scenario, `${r.requestsPerSecond} req/s, p50 ${ms(r.latencyMs.p50)}, p99 ${ms(r.latencyMs.p99)}, errors ${r.errors}`);
  }
  const o = report.outbox;
  if (o && !o.error) row('outbox relay', `${o.commitsPerSecond} commits/s, ${o.publishedPerSecond} published/s, p99 ${ms(o.commitToSubscriberMs.p99)}`);
  const m = report.message;
  if (m && !m.error) {
    row(
      'REST/rpc send, 100 chats (committed)',
      `${m.across100Chats.sendsPerSecond}/s, p50 ${ms(m.across100Chats.latencyMs.p50)}, p99 ${ms(m.across100Chats.latencyMs.p99)}`,
      '2,000/s',
      m.across100Chats.sendsPerSecond >= 2000,
    );
    row(
      'REST/rpc send, one chat (committed)',
      `${m.intoOneChat.sendsPerSecond}/s, p50 ${ms(m.intoOneChat.latencyMs.p50)}, p99 ${ms(m.intoOneChat.latencyMs.p99)}`,
      '500/s',
      m.intoOneChat.sendsPerSecond >= 500,
    );
    for (const [chat, h] of Object.entries(m.historyPage50 ?? {})) {
      // The target is set at 1,000,000 messages; smaller chats show that the time stays flat.
      const big = Number(chat.replace('chat', '').replace('k', '000')) >= 1_000_000;
      row(
        `history page of 50, ${chat.replace('chat', '')} messages`,
        `p50 ${ms(h.p50)}, p99 ${ms(h.p99)}`,
        big ? 'p99 ≤ 10 ms' : '',
        big ? h.p99 <= 10 : undefined,
      );
    }
  }
  const f = report.fanout;
  if (f && !f.error) {
    if (f.idle) row('idle sockets (realtime node)', `${f.idle.sockets} sockets, ${f.idle.rssPerSocketKb} KB RSS each`, f.idle.target, f.idle.met);
    for (const r of f.runs) {
      const infra = `pg ${r.usage.cores.postgres ?? '–'}, nats ${r.usage.cores.nats ?? '–'}, redis ${r.usage.cores.redis ?? '–'}`;
      const refused =
        Object.entries(r.errors)
          .map(([c, n]) => `${c} ${n}`)
          .join(', ') || 'none';
      row(
        `fan-out ${r.name} (rooms of ${r.roomSize})`,
        `${r.admittedPerSecond}/${r.offeredPerSecond} msg/s, ${r.deliveriesPerSecond} deliv/s, p99 ${ms(r.latencyMs.p99)}`,
        r.target ?? '',
        r.met,
      );
      const closed =
        Object.entries(r.closed ?? {})
          .map(([c, n]) => `${c} ×${n}`)
          .join(', ') || 'none';
      row(
        '',
        `lost ${r.lost}, dup ${r.duplicated}, order ${r.outOfOrder}, errors ${refused}, closed ${closed}; cores ours ${r.usage.oursCores}, ${infra}, steal ${r.usage.cores.steal ?? '–'}`,
      );
    }
    if (f.knee) row('ramp, rooms of 10: knee', `${f.knee.rate ?? 'none'} msg/s (broke at ${f.knee.brokeAt ?? 'no step'})`, 'p99 ≤ 200 ms, errors ≤ 0.1 %');
    if (f.ceiling)
      row('fan-out ceiling, rooms of 100', `${f.ceiling.deliveriesPerSecond} deliveries/s`, '≥ 30,000 deliveries/s', f.ceiling.deliveriesPerSecond >= 30_000);
  }
  const s = report.search;
  if (s && !s.error) {
    for (const [caller, kinds] of Object.entries(s.queries ?? {})) {
      for (const [kind, q] of Object.entries(kinds)) row(`search ${kind}, ${caller}`, `p50 ${ms(q.p50)}, p99 ${ms(q.p99)}`, 'p99 ≤ 100 ms', q.p99 <= 100);
    }
    if (s.lag) row('search index lag', `p50 ${ms(s.lag.lagMs.p50)}, p99 ${ms(s.lag.lagMs.p99)} at ${s.lag.achievedRate} msg/s`);
  }
  for (const [part, r] of Object.entries(report)) if (r && r.error) row(part, `failed: ${r.error}`);
}
