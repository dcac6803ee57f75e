import { Timestamp, Uuid } from './common.js';
import { z } from './zod.js';

/**
 * What services publish on the core NATS subjects `rt.chat.<chatId>`, `rt.user.<userId>` and
 * `rt.presence.<appId>.<userId>` right after commit: exactly the realtime protocol's `event` frame, so a
 * realtime node forwards the bytes to its sockets without re-encoding them. Log events carry
 * `chatId` and `seq`; ephemeral and per-user events carry no `seq`.
 */
export const LiveEvent = z.object({
  op: z.literal('event'),
  t: z.string(),
  chatId: Uuid.optional(),
  seq: z.number().int().optional(),
  actorId: Uuid.nullable().optional(),
  createdAt: Timestamp.optional(),
  d: z.record(z.string(), z.unknown()),
});
export type LiveEvent = z.infer<typeof LiveEvent>;

export const liveSubjects = {
  chat: (chatId: string) => `rt.chat.${chatId}`,
  user: (userId: string) => `rt.user.${userId}`,
  /** Scoped by app, so a watch can only ever reach users of the watcher's own app. */
  presence: (appId: string, userId: string) => `rt.presence.${appId}.${userId}`,
};
