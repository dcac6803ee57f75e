import { messageRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { MessageDeps } from '../deps.js';
import { callerOf } from '../domain/caller.js';
import { deleteMessage, editMessage, react, setPin, vote } from '../domain/changes.js';
import { getDrafts, putDraft } from '../domain/drafts.js';
import { getReceipts, getUnread, markChat } from '../domain/read-state.js';
import { getEdits, getEvents, getHistory, getMessage, getPins, getReactions, getReplies } from '../domain/reads.js';
import { sendMessage } from '../domain/send.js';
import { viewMessage } from '../domain/views.js';

/** `/chats/unread` first: it would otherwise match `/chats/:id`-style routes of other methods. */
export function mountMessageRoutes(mount: MountRoute, deps: MessageDeps): void {
  const r = messageRoutes;
  mount(r.unread, ({ auth }) => getUnread(deps, callerOf(auth)));
  mount(r.send, async ({ auth, params, body, setStatus }) => {
    const { message, created } = await sendMessage(deps, callerOf(auth), params.id, body);
    if (!created) setStatus(200);
    return message;
  });
  mount(r.history, ({ auth, params, query }) => getHistory(deps, callerOf(auth), params.id, query));
  mount(r.events, ({ auth, params, query }) => getEvents(deps, callerOf(auth), params.id, query.after, query.limit));
  mount(r.pins, ({ auth, params }) => getPins(deps, callerOf(auth), params.id));
  mount(r.read, ({ auth, params, body }) => markChat(deps, callerOf(auth), params.id, 'read', body.seq));
  mount(r.delivered, ({ auth, params, body }) => markChat(deps, callerOf(auth), params.id, 'delivered', body.seq));
  mount(r.putDraft, ({ auth, params, body }) => putDraft(deps, callerOf(auth), params.id, body.text));
  mount(r.drafts, ({ auth }) => getDrafts(deps, callerOf(auth)));
  mount(r.get, ({ auth, params }) => getMessage(deps, callerOf(auth), params.id));
  mount(r.edit, ({ auth, params, body }) => editMessage(deps, callerOf(auth), params.id, body.text));
  mount(r.edits, ({ auth, params }) => getEdits(deps, callerOf(auth), params.id));
  mount(r.delete, ({ auth, params, query }) => deleteMessage(deps, callerOf(auth), params.id, query.for ?? 'me'));
  mount(r.react, async ({ auth, params, body }) => viewMessage(deps.platform.db, await react(deps, callerOf(auth), params.id, body.emoji, true), auth.sub));
  mount(r.unreact, async ({ auth, params }) => {
    await react(deps, callerOf(auth), params.id, params.emoji, false);
  });
  mount(r.reactions, ({ auth, params }) => getReactions(deps, callerOf(auth), params.id));
  mount(r.pin, ({ auth, params }) => setPin(deps, callerOf(auth), params.id, true));
  mount(r.unpin, ({ auth, params }) => setPin(deps, callerOf(auth), params.id, false));
  mount(r.replies, ({ auth, params, query }) => getReplies(deps, callerOf(auth), params.id, query));
  mount(r.receipts, ({ auth, params }) => getReceipts(deps, callerOf(auth), params.id));
  mount(r.vote, ({ auth, params, body }) => vote(deps, callerOf(auth), params.id, body.optionIds));
}
