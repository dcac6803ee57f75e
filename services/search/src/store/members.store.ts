import type { Executor } from '@chat/service-kit';

export interface MembershipChange {
  chatId: string;
  userIds: string[];
  appId: string;
  active: boolean;
  /** Event time: a change older than the one stored is ignored. */
  at: string;
}

export async function setMembership(t: Executor, c: MembershipChange): Promise<void> {
  if (c.userIds.length === 0) return;
  await t.none(
    `INSERT INTO members (user_id, chat_id, app_id, active, changed_at)
     SELECT u, $<chatId>, $<appId>, $<active>, $<at> FROM unnest($<userIds>::uuid[]) AS u
     ON CONFLICT (user_id, chat_id) DO UPDATE SET active = excluded.active, changed_at = excluded.changed_at
     WHERE members.changed_at <= excluded.changed_at`,
    c,
  );
}

/** Every membership of a chat ends (the chat was deleted). */
export async function endChatMemberships(t: Executor, chatId: string, at: string): Promise<void> {
  await t.none('UPDATE members SET active = false, changed_at = $2 WHERE chat_id = $1 AND changed_at <= $2', [chatId, at]);
}

/** Every membership of a user ends (the account was deleted). */
export async function endUserMemberships(t: Executor, userId: string, at: string): Promise<void> {
  await t.none('UPDATE members SET active = false, changed_at = $2 WHERE user_id = $1 AND changed_at <= $2', [userId, at]);
}

/** Replaces a chat's member list with the owning service's (rebuild). */
export async function replaceChatMembers(t: Executor, chatId: string, appId: string, userIds: string[], at: string): Promise<void> {
  await t.none('UPDATE members SET active = false, changed_at = $2 WHERE chat_id = $1 AND NOT (user_id = ANY($3::uuid[]))', [chatId, at, userIds]);
  await setMembership(t, { chatId, appId, userIds, active: true, at });
}

/** Users the projection knows of (rebuild seeds from them). */
export async function listKnownUsers(t: Executor, after: string | null, limit: number): Promise<{ userId: string; appId: string }[]> {
  return t.any(`SELECT user_id AS "userId", app_id AS "appId" FROM users WHERE NOT deleted AND ($1::uuid IS NULL OR user_id > $1) ORDER BY user_id LIMIT $2`, [
    after,
    limit,
  ]);
}
