import { type Msg, type MsgHdrs, type NatsConnection, createInbox } from '@nats-io/transport-node';
import { ServiceUnavailableError, TimeoutError } from '../errors.js';

interface Waiting {
  subject: string;
  resolve(msg: Msg): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Request/reply over one wildcard inbox subscription per connection. Each request is a map entry
 * and a timer; the client library's own `request` also builds two `Error`s (stack traces
 * included) for every call, which on the send path cost more than the rest of the call together.
 */
class Requests {
  private readonly inbox: string;
  private next = 0;
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly nc: NatsConnection) {
    // Under the connection's inbox prefix: the only inboxes its NATS user may subscribe to.
    this.inbox = `${createInbox((nc as NatsConnection & { options?: { inboxPrefix?: string } }).options?.inboxPrefix)}.`;
    nc.subscribe(`${this.inbox}*`, { callback: (err, msg) => (err ? this.failAll(err) : this.answer(msg)) });
  }

  request(subject: string, data: string | Uint8Array, headers: MsgHdrs | undefined, timeoutMs: number): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const token = (++this.next).toString(36);
      const timer = setTimeout(() => this.expire(token), timeoutMs);
      this.waiting.set(token, { subject, resolve, reject, timer });
      try {
        this.nc.publish(subject, data, { reply: this.inbox + token, headers });
      } catch {
        this.settle(token)?.reject(new ServiceUnavailableError(`${subject} failed`));
      }
    });
  }

  private settle(token: string): Waiting | undefined {
    const w = this.waiting.get(token);
    if (!w) return undefined;
    this.waiting.delete(token);
    clearTimeout(w.timer);
    return w;
  }

  private answer(msg: Msg): void {
    const w = this.settle(msg.subject.slice(this.inbox.length));
    if (!w) return;
    // The server's status message when nobody serves the subject.
    if (msg.data.length === 0 && msg.headers?.code === 503) w.reject(new ServiceUnavailableError(`${w.subject} has no responders`));
    else w.resolve(msg);
  }

  private expire(token: string): void {
    const w = this.waiting.get(token);
    if (!w) return;
    this.waiting.delete(token);
    w.reject(new TimeoutError(`${w.subject} timed out`));
  }

  private failAll(err: Error): void {
    for (const token of [...this.waiting.keys()]) this.settle(token)?.reject(new ServiceUnavailableError(`request failed: ${err.message}`));
  }
}

const perConnection = new WeakMap<NatsConnection, Requests>();

/**
 * Publishes `data` on `subject` and resolves with the reply. No responder → `ServiceUnavailableError`
 * (503), no reply within `timeoutMs` → `TimeoutError` (504).
 */
export function request(nc: NatsConnection, subject: string, data: string | Uint8Array, headers: MsgHdrs | undefined, timeoutMs: number): Promise<Msg> {
  let requests = perConnection.get(nc);
  if (!requests) {
    requests = new Requests(nc);
    perConnection.set(nc, requests);
  }
  return requests.request(subject, data, headers, timeoutMs);
}
