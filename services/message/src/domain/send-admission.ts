import { RateLimitedError } from '@chat/service-kit';

export type RefusalReason = 'queue_delay' | 'queue_full';

export interface AdmissionLimits {
  /** Queueing delay (ms) past which new sends are refused while sends are waiting. */
  targetWaitMs: number;
  /** Most sends waiting at once. */
  maxWaiting: number;
}

const DETAIL: Record<RefusalReason, string> = {
  queue_delay: 'too many messages are being sent right now: retry shortly',
  queue_full: 'too many messages are waiting to be written: retry shortly',
};

/**
 * How long a noted wait keeps refusing. Batches are not taken in arrival order (a chat's sends
 * wait while its chat is being written), so between the large batches that carry the backlog a
 * few sends of idle chats may leave the queue at once: the longest wait of the last moment counts,
 * not only the last one. About the longest a full group-commit transaction takes under load.
 */
export const WAIT_WINDOW_MS = 250;

/**
 * The last noted wait counts until the next batch is taken, but no longer than this. Under load a
 * batch is taken every few tens of milliseconds, so a wait this old means the queue is stalled
 * (transactions waiting on a lock), not slow: sends are admitted again and the cap on waiting
 * sends takes over.
 */
export const WAIT_SIGNAL_TTL_MS = 1000;

/**
 * Overload admission for the send queue, so that past capacity the sends admitted stay fast and
 * the excess is refused at once instead of every send waiting longer. Queueing delay is measured
 * where sends leave the queue (CoDel's sojourn time): each batch taken notes how long its oldest
 * send waited. While the longest wait noted in the last `WAIT_WINDOW_MS` (or the last one noted,
 * within `WAIT_SIGNAL_TTL_MS`) is over the target and sends are waiting, new sends are refused;
 * an empty queue always admits. Sends held back because their chat is being written are not
 * taken, so they add no delay until they are; a total stall is caught by the cap on waiting sends.
 */
export class SendAdmission {
  /** Noted waits, newest last, each longer than every later one (a sliding-window maximum). */
  private readonly notes: { at: number; waitMs: number }[] = [];

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly onRefused: (reason: RefusalReason) => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Throws `RateLimitedError` when a new send must be refused; `waiting` is the number of sends in the queue. */
  check(waiting: number): void {
    const reason = this.refusal(waiting);
    if (!reason) return;
    this.onRefused(reason);
    throw new RateLimitedError(retryAfterS(), DETAIL[reason]);
  }

  /** How long the oldest send of the batch just taken waited; `stillWaiting`: sends left in the queue. */
  noteWait(waitMs: number, stillWaiting: number): void {
    // Everything that waited is on its way: the backlog those waits measured is gone.
    if (stillWaiting === 0) {
      this.notes.length = 0;
      return;
    }
    while (this.notes.length > 0 && this.notes.at(-1)!.waitMs <= waitMs) this.notes.pop();
    this.notes.push({ at: this.now(), waitMs });
  }

  /** The queueing delay that refuses sends when over the target (0 when nothing recent was noted). */
  get recentWaitMs(): number {
    const now = this.now();
    // The newest note stays (until its TTL) whatever its age: it is the last word on the queue.
    while (this.notes.length > 1 && now - this.notes[0]!.at > WAIT_WINDOW_MS) this.notes.shift();
    const longest = this.notes[0];
    return longest && now - longest.at <= WAIT_SIGNAL_TTL_MS ? longest.waitMs : 0;
  }

  private refusal(waiting: number): RefusalReason | null {
    if (waiting >= this.limits.maxWaiting) return 'queue_full';
    if (waiting > 0 && this.recentWaitMs > this.limits.targetWaitMs) return 'queue_delay';
    return null;
  }
}

/** 1 or 2 seconds at random, so that refused clients do not all come back in one wave. */
const retryAfterS = () => (Math.random() < 0.5 ? 1 : 2);
