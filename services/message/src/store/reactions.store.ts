import type { Executor } from '@chat/service-kit';

export interface ReactionCount {
  messageId: string;
  emoji: string;
  count: number;
  me: boolean;
}

export async function addReaction(t: Executor, chatId: string, messageId: string, emoji: string, userId: string): Promise<boolean> {
  const row = await t.oneOrNone('INSERT INTO reactions (chat_id, message_id, emoji, user_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1', [
    chatId,
    messageId,
    emoji,
    userId,
  ]);
  return row !== null;
}

export async function removeReaction(t: Executor, chatId: string, messageId: string, emoji: string, userId: string): Promise<boolean> {
  const row = await t.oneOrNone('DELETE FROM reactions WHERE chat_id = $1 AND message_id = $2 AND emoji = $3 AND user_id = $4 RETURNING 1', [
    chatId,
    messageId,
    emoji,
    userId,
  ]);
  return row !== null;
}

/** Reaction counts of the messages, in order of each emoji's first use. */
export async function reactionCounts(t: Executor, chatId: string, messageIds: string[], viewer: string): Promise<ReactionCount[]> {
  if (messageIds.length === 0) return [];
  return t.any(
    `SELECT message_id AS "messageId", emoji, count(*)::int AS count, bool_or(user_id = $3) AS me
       FROM reactions WHERE chat_id = $1 AND message_id = ANY($2::uuid[])
      GROUP BY message_id, emoji ORDER BY min(created_at), emoji`,
    [chatId, messageIds, viewer],
  );
}

export async function reactionUsers(t: Executor, chatId: string, messageId: string): Promise<{ emoji: string; userIds: string[] }[]> {
  return t.any(
    `SELECT emoji, array_agg(user_id ORDER BY created_at) AS "userIds"
       FROM reactions WHERE chat_id = $1 AND message_id = $2 GROUP BY emoji ORDER BY min(created_at), emoji`,
    [chatId, messageId],
  );
}

export interface VoteCount {
  messageId: string;
  optionId: number;
  votes: number;
  mine: boolean;
}

export async function replaceVotes(t: Executor, chatId: string, messageId: string, userId: string, optionIds: number[]): Promise<void> {
  await t.none('DELETE FROM poll_votes WHERE chat_id = $1 AND message_id = $2 AND user_id = $3', [chatId, messageId, userId]);
  if (optionIds.length === 0) return;
  await t.none('INSERT INTO poll_votes (chat_id, message_id, user_id, option_id) SELECT $1, $2, $3, o FROM unnest($4::int[]) AS o', [
    chatId,
    messageId,
    userId,
    optionIds,
  ]);
}

export async function voteCounts(
  t: Executor,
  chatId: string,
  messageIds: string[],
  viewer: string,
): Promise<{ votes: VoteCount[]; voters: Map<string, number> }> {
  if (messageIds.length === 0) return { votes: [], voters: new Map() };
  const [votes, voters] = await Promise.all([
    t.any<VoteCount>(
      `SELECT message_id AS "messageId", option_id AS "optionId", count(*)::int AS votes, bool_or(user_id = $3) AS mine
         FROM poll_votes WHERE chat_id = $1 AND message_id = ANY($2::uuid[]) GROUP BY message_id, option_id`,
      [chatId, messageIds, viewer],
    ),
    t.any<{ messageId: string; voters: number }>(
      `SELECT message_id AS "messageId", count(DISTINCT user_id)::int AS voters
         FROM poll_votes WHERE chat_id = $1 AND message_id = ANY($2::uuid[]) GROUP BY message_id`,
      [chatId, messageIds],
    ),
  ]);
  return { votes, voters: new Map(voters.map((v) => [v.messageId, v.voters])) };
}
