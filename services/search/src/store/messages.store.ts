import type { Executor } from '@chat/service-kit';
import { addWords } from './words.store.js';

/** A message as the search projection keeps it. */
export interface IndexedMessage {
  chatId: string;
  id: string;
  appId: string;
  seq: number;
  senderId: string;
  kind: string;
  body: string;
  files: string[];
  mentions: string[];
  createdAt: string;
  editedAt: string | null;
  visibleTo: string | null;
}

// A file name never spans lines in the stored list.
const filesText = (files: string[]) => files.map((f) => f.replace(/[\r\n]+/g, ' ')).join('\n');

const params = (m: IndexedMessage) => ({ ...m, files: filesText(m.files), hasAttachment: m.files.length > 0 });
/** The searched text of a message, as SQL builds it from the stored row (`body || ' ' || files`). */
const docOf = (m: IndexedMessage) => `${m.body} ${filesText(m.files)}`;

/** First sight of a message; a row already there (edited or deleted first, or a repeat) wins. */
export async function insertMessage(t: Executor, m: IndexedMessage): Promise<void> {
  await t.none(
    `INSERT INTO messages (chat_id, id, app_id, seq, sender_id, kind, body, files, has_attachment, mentions, created_at, edited_at, visible_to)
     VALUES ($<chatId>, $<id>, $<appId>, $<seq>, $<senderId>, $<kind>, $<body>, $<files>, $<hasAttachment>, $<mentions>::uuid[], $<createdAt>, $<editedAt>, $<visibleTo>)
     ON CONFLICT (chat_id, id) DO NOTHING`,
    params(m),
  );
  await addWords(t, [docOf(m)]);
}

/** Many first sights in one statement (a burst of sends); rows already there win, as above. */
export async function insertMessages(t: Executor, ms: IndexedMessage[]): Promise<void> {
  if (ms.length === 0) return;
  await t.none(
    `INSERT INTO messages (chat_id, id, app_id, seq, sender_id, kind, body, files, has_attachment, mentions, created_at, edited_at, visible_to)
     SELECT chat_id, id, app_id, seq, sender_id, kind, body, files, has_attachment, mentions, created_at, edited_at, visible_to
       FROM jsonb_to_recordset($1::jsonb) AS x(chat_id uuid, id uuid, app_id uuid, seq bigint, sender_id uuid, kind text, body text, files text,
         has_attachment boolean, mentions uuid[], created_at timestamptz, edited_at timestamptz, visible_to uuid)
     ON CONFLICT (chat_id, id) DO NOTHING`,
    [
      JSON.stringify(
        ms.map((m) => {
          const p = params(m);
          return {
            chat_id: p.chatId,
            id: p.id,
            app_id: p.appId,
            seq: p.seq,
            sender_id: p.senderId,
            kind: p.kind,
            body: p.body,
            files: p.files,
            has_attachment: p.hasAttachment,
            mentions: p.mentions,
            created_at: p.createdAt,
            edited_at: p.editedAt,
            visible_to: p.visibleTo,
          };
        }),
      ),
    ],
  );
  await addWords(t, ms.map(docOf));
}

/** An edit replaces the text unless a newer edit or a delete is already there. */
export async function upsertEditedMessage(t: Executor, m: IndexedMessage): Promise<void> {
  await t.none(
    `INSERT INTO messages (chat_id, id, app_id, seq, sender_id, kind, body, files, has_attachment, mentions, created_at, edited_at, visible_to)
     VALUES ($<chatId>, $<id>, $<appId>, $<seq>, $<senderId>, $<kind>, $<body>, $<files>, $<hasAttachment>, $<mentions>::uuid[], $<createdAt>, $<editedAt>, $<visibleTo>)
     ON CONFLICT (chat_id, id) DO UPDATE
       SET body = excluded.body, files = excluded.files, has_attachment = excluded.has_attachment, mentions = excluded.mentions, edited_at = excluded.edited_at, visible_to = excluded.visible_to
     WHERE NOT messages.deleted
       AND (messages.edited_at IS NULL OR excluded.edited_at IS NULL OR messages.edited_at <= excluded.edited_at)`,
    params(m),
  );
  await addWords(t, [docOf(m)]);
}

/** Deleted for everyone: the text goes, a tombstone stays so a late `created` cannot revive it. */
export async function markMessageDeleted(t: Executor, d: { chatId: string; id: string; appId: string; senderId: string; at: string }): Promise<void> {
  await t.none(
    `INSERT INTO messages (chat_id, id, app_id, seq, sender_id, kind, created_at, deleted)
     VALUES ($<chatId>, $<id>, $<appId>, 0, $<senderId>, 'text', $<at>, true)
     ON CONFLICT (chat_id, id) DO UPDATE SET deleted = true, body = '', files = '', mentions = '{}'`,
    d,
  );
}

export async function hideMessage(t: Executor, h: { userId: string; chatId: string; messageId: string }): Promise<void> {
  await t.none('INSERT INTO hidden_messages (user_id, chat_id, message_id) VALUES ($<userId>, $<chatId>, $<messageId>) ON CONFLICT DO NOTHING', h);
}

export async function deleteChatMessages(t: Executor, chatId: string, opts: { keepHidden?: boolean } = {}): Promise<void> {
  await t.none('DELETE FROM messages WHERE chat_id = $1', [chatId]);
  if (!opts.keepHidden) await t.none('DELETE FROM hidden_messages WHERE chat_id = $1', [chatId]);
}
