// What a drill sent and what each receiver saw, and the verdict: lost (prefix / middle / postfix per
// sender), duplicates shown, order violations and gaps. Every count should be zero.

/** One log event as a receiver's client showed it (after de-duplication). */
export interface Shown {
  seq: number;
  t: string;
  messageId?: string;
  text?: string;
}

export interface LostCounts {
  prefix: number;
  middle: number;
  postfix: number;
}

export interface DrillReport {
  attempted: number;
  acknowledged: number;
  /** Sends that failed with an explicit error (allowed during an outage; the client may retry). */
  refused: number;
  /** Sends never answered at all. */
  unanswered: number;
  receivers: number;
  /** Message frames received on the wire, all receivers together (duplicates included). */
  deliveredOnWire: number;
  /** Messages shown, all receivers together. */
  shown: number;
  lost: LostCounts;
  duplicatesShown: number;
  orderViolations: number;
  gaps: number;
  /** Messages shown that nobody acknowledged (a commit whose answer was lost): fine when counted once. */
  shownWithoutAck: number;
  /** Failed send attempts by HTTP status (0: no answer), retried or not. */
  failedAttempts: Record<string, number>;
}

interface Sent {
  sender: string;
  n: number;
  id?: string;
  seq?: number;
  outcome: 'pending' | 'ack' | 'refused';
}

interface Receiver {
  wire: number;
  shown: Shown[];
}

/** Texts are `<sender>#<n>`, so any shown message names who sent it and which one it was. */
export const messageText = (sender: string, n: number) => `${sender}#${n}`;

function parseText(text: string | undefined): { sender: string; n: number } | undefined {
  const match = /^(.+)#(\d+)$/.exec(text ?? '');
  return match ? { sender: match[1]!, n: Number(match[2]) } : undefined;
}

export class Ledger {
  private readonly sent = new Map<string, Sent>();
  private readonly receivers = new Map<string, Receiver>();
  private readonly failures: Record<string, number> = {};

  /** One failed attempt of a send (it may be retried). */
  failedAttempt(status: number): void {
    this.failures[status] = (this.failures[status] ?? 0) + 1;
  }

  attempt(sender: string, n: number): string {
    const text = messageText(sender, n);
    if (!this.sent.has(text)) this.sent.set(text, { sender, n, outcome: 'pending' });
    return text;
  }

  ack(sender: string, n: number, message: { id: string; seq: number }): void {
    const entry = this.sent.get(messageText(sender, n))!;
    Object.assign(entry, { id: message.id, seq: message.seq, outcome: 'ack' });
  }

  refuse(sender: string, n: number): void {
    const entry = this.sent.get(messageText(sender, n))!;
    if (entry.outcome === 'pending') entry.outcome = 'refused';
  }

  receiver(name: string): Receiver {
    let receiver = this.receivers.get(name);
    if (!receiver) this.receivers.set(name, (receiver = { wire: 0, shown: [] }));
    return receiver;
  }

  /** Counts one `message.created` frame off the wire. */
  onWire(receiver: string): void {
    this.receiver(receiver).wire += 1;
  }

  onShown(receiver: string, event: Shown): void {
    this.receiver(receiver).shown.push(event);
  }

  get acknowledged(): number {
    return [...this.sent.values()].filter((s) => s.outcome === 'ack').length;
  }

  report(): DrillReport {
    const entries = [...this.sent.values()];
    const lost: LostCounts = { prefix: 0, middle: 0, postfix: 0 };
    let duplicatesShown = 0;
    let orderViolations = 0;
    let gaps = 0;
    let shown = 0;
    let deliveredOnWire = 0;
    const shownAnywhere = new Set<string>();
    for (const receiver of this.receivers.values()) {
      deliveredOnWire += receiver.wire;
      const messages = receiver.shown.filter((e) => e.t === 'message.created');
      shown += messages.length;
      const seen = new Set<string>();
      for (const m of messages) {
        const key = m.messageId ?? m.text ?? String(m.seq);
        if (seen.has(key)) duplicatesShown += 1;
        seen.add(key);
        if (m.text) shownAnywhere.add(m.text);
      }
      for (let i = 1; i < receiver.shown.length; i++) {
        const step = receiver.shown[i]!.seq - receiver.shown[i - 1]!.seq;
        if (step <= 0) orderViolations += 1;
        else if (step > 1) gaps += step - 1;
      }
      const held = new Set<string | undefined>([...messages.map((m) => m.text), ...messages.map((m) => m.messageId)]);
      addLost(lost, entries, held);
    }
    const acked = entries.filter((e) => e.outcome === 'ack');
    return {
      attempted: entries.length,
      acknowledged: acked.length,
      refused: entries.filter((e) => e.outcome === 'refused').length,
      unanswered: entries.filter((e) => e.outcome === 'pending').length,
      receivers: this.receivers.size,
      deliveredOnWire,
      shown,
      lost,
      duplicatesShown,
      orderViolations,
      gaps,
      failedAttempts: { ...this.failures },
      shownWithoutAck: [...shownAnywhere].filter((text) => this.sent.get(text)?.outcome !== 'ack' && parseText(text)).length,
    };
  }
}

/**
 * Acknowledged messages a receiver never showed (by text, or by id for a message whose text a
 * delete removed), by where they fall in their sender's sequence.
 */
function addLost(lost: LostCounts, entries: Sent[], shown: Set<string | undefined>): void {
  const bySender = new Map<string, Sent[]>();
  for (const e of entries) if (e.outcome === 'ack') bySender.set(e.sender, [...(bySender.get(e.sender) ?? []), e]);
  for (const list of bySender.values()) {
    list.sort((a, b) => a.n - b.n);
    const held = list.map((e) => shown.has(messageText(e.sender, e.n)) || shown.has(e.id));
    const first = held.indexOf(true);
    const last = held.lastIndexOf(true);
    held.forEach((isHeld, i) => {
      if (isHeld) return;
      if (first < 0 || i < first) lost.prefix += 1;
      else if (i > last) lost.postfix += 1;
      else lost.middle += 1;
    });
  }
}

/** True when nothing was lost, shown twice, reordered or skipped. */
export function isSafe(report: DrillReport): boolean {
  const { prefix, middle, postfix } = report.lost;
  return prefix + middle + postfix + report.duplicatesShown + report.orderViolations + report.gaps === 0;
}
