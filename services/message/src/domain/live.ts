import { type LiveEvent, type LogEvent, liveSubjects } from '@chat/contracts';
import { type Executor, JsonText, type Platform, publishLive, withJsonField } from '@chat/service-kit';

/** Frames to publish once the transaction that produced them has committed. */
export class LiveOutbox {
  private readonly frames: { subject: string; event: LiveEvent | JsonText }[] = [];

  toChat(chatId: string, event: LiveEvent | JsonText): void {
    this.frames.push({ subject: liveSubjects.chat(chatId), event });
  }

  toUser(userId: string, event: LiveEvent | JsonText): void {
    this.frames.push({ subject: liveSubjects.user(userId), event });
  }

  /** A log event goes to the chat, or only to the one user it is visible to (`dataJson`: its data serialised already). */
  logEvent(chatId: string, event: LogEvent, visibleTo: string | null, dataJson?: JsonText): void {
    const frame = dataJson ? logFrameJson(chatId, event, dataJson) : logFrame(chatId, event);
    if (visibleTo) this.toUser(visibleTo, frame);
    else this.toChat(chatId, frame);
  }

  publish(platform: Platform): void {
    for (const f of this.frames) publishLive(platform.bus, f.subject, f.event);
  }
}

export function logFrame(chatId: string, e: LogEvent): LiveEvent {
  return { op: 'event', t: e.type, chatId, seq: e.seq, actorId: e.actorId, createdAt: e.createdAt, d: e.data };
}

/** `logFrame` serialised, around data serialised already: the same text, fields in the same order. */
function logFrameJson(chatId: string, e: LogEvent, dataJson: JsonText): JsonText {
  return new JsonText(
    withJsonField(JSON.stringify({ op: 'event', t: e.type, chatId, seq: e.seq, actorId: e.actorId, createdAt: e.createdAt }), 'd', dataJson.json),
  );
}

/** Runs `fn` in a transaction and publishes the live frames it queued after commit. */
export async function txThenPublish<T>(platform: Platform, fn: (t: Executor, live: LiveOutbox) => Promise<T>): Promise<T> {
  const live = new LiveOutbox();
  const result = await platform.tx((t) => fn(t, live));
  live.publish(platform);
  return result;
}
