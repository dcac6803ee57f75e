import type { Message } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';
import type { MessageRow, ReactionView } from '../store/messages.store.js';
import { reactionCounts, voteCounts } from '../store/reactions.store.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

interface ReaderState {
  reactions: { emoji: string; count: number; me: boolean }[];
  votes: { optionId: number; votes: number; mine: boolean }[];
  voters: number;
}

const NOTHING: ReaderState = { reactions: [], votes: [], voters: 0 };

/** The message as one reader sees it (`state`: reactions and poll votes with the reader's own marked). */
export function toMessage(row: MessageRow, state: ReaderState = NOTHING): Message {
  const poll = row.poll;
  return {
    id: row.id,
    chatId: row.chatId,
    seq: row.seq,
    senderId: row.senderId,
    clientMessageId: row.clientMessageId,
    type: row.type as Message['type'],
    text: row.text,
    attachments: row.attachments as Message['attachments'],
    replyToId: row.replyToId,
    quotedMessageId: row.quotedMessageId,
    mentions: row.mentions,
    silent: row.silent,
    forwardedFrom: row.forwardedFrom as Message['forwardedFrom'],
    location: row.location as Message['location'],
    contact: row.contact as Message['contact'],
    poll: poll && {
      question: poll.question,
      multipleChoice: poll.multipleChoice,
      options: poll.options.map((text, id) => ({ id, text, votes: state.votes.find((v) => v.optionId === id)?.votes ?? 0 })),
      totalVoters: state.voters,
      myVotes: state.votes.filter((v) => v.mine).map((v) => v.optionId),
    },
    reactions: state.reactions,
    pinned: row.pinnedAt !== null,
    replyCount: row.replyCount,
    lastReplyAt: iso(row.lastReplyAt),
    editedAt: iso(row.editedAt),
    deleted: row.deletedAt !== null,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Messages of one chat as `viewer` sees them, reactions and votes loaded in two queries (no
 * reaction query for rows that carry their reactions already, nor a vote query without polls).
 */
export async function toMessages(t: Executor, chatId: string, rows: (MessageRow & { reactions?: ReactionView[] })[], viewer: string): Promise<Message[]> {
  const ids = rows.filter((r) => !r.reactions).map((r) => r.id);
  const pollIds = rows.filter((r) => r.poll).map((r) => r.id);
  const [reactions, polls] = await Promise.all([reactionCounts(t, chatId, ids, viewer), voteCounts(t, chatId, pollIds, viewer)]);
  return rows.map((row) =>
    toMessage(row, {
      reactions: row.reactions ?? reactions.filter((r) => r.messageId === row.id).map(({ emoji, count, me }) => ({ emoji, count, me })),
      votes: polls.votes.filter((v) => v.messageId === row.id),
      voters: polls.voters.get(row.id) ?? 0,
    }),
  );
}

export async function viewMessage(t: Executor, row: MessageRow, viewer: string): Promise<Message> {
  return (await toMessages(t, row.chatId, [row], viewer))[0]!;
}
