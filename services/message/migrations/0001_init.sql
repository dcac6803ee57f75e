-- Every primary key starts with chat_id, so the store can be distributed by chat.

-- The head of each chat's log. Its row lock orders every append to the chat.
CREATE TABLE chats (
  chat_id uuid PRIMARY KEY,
  app_id uuid NOT NULL,
  last_seq bigint NOT NULL DEFAULT 0,
  -- Everything at or below this seq was hidden by a truncate.
  truncated_seq bigint NOT NULL DEFAULT 0,
  deleted boolean NOT NULL DEFAULT false
);

-- The chat's event log: gap-free seq per chat. `visible_to` limits an event to one user (a
-- shadow-banned sender's messages); `source_id` is the id of the chat-service event an entry
-- was made from, so a redelivered event appends nothing.
CREATE TABLE events (
  chat_id uuid NOT NULL,
  seq bigint NOT NULL,
  type text NOT NULL,
  actor_id uuid,
  message_id uuid,
  visible_to uuid,
  source_id uuid,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chat_id, seq)
);
CREATE UNIQUE INDEX events_source ON events (chat_id, source_id) WHERE source_id IS NOT NULL;
CREATE INDEX events_message ON events (chat_id, message_id) WHERE message_id IS NOT NULL;

CREATE TABLE messages (
  chat_id uuid NOT NULL,
  seq bigint NOT NULL,
  id uuid NOT NULL,
  app_id uuid NOT NULL,
  sender_id uuid NOT NULL,
  client_message_id text NOT NULL,
  type text NOT NULL,
  text text,
  attachments jsonb NOT NULL DEFAULT '[]',
  reply_to_id uuid,
  -- The first message of the reply's thread (replyCount and lastReplyAt live on it).
  thread_root_id uuid,
  quoted_message_id uuid,
  mentions uuid[] NOT NULL DEFAULT '{}',
  silent boolean NOT NULL DEFAULT false,
  forwarded_from jsonb,
  location jsonb,
  contact jsonb,
  poll jsonb,
  visible_to uuid,
  reply_count integer NOT NULL DEFAULT 0,
  last_reply_at timestamptz,
  pinned_at timestamptz,
  pinned_by uuid,
  edited_at timestamptz,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chat_id, seq)
);
CREATE UNIQUE INDEX messages_client_id ON messages (chat_id, sender_id, client_message_id);
CREATE INDEX messages_id ON messages (id);
CREATE INDEX messages_thread ON messages (chat_id, thread_root_id, seq) WHERE thread_root_id IS NOT NULL;
CREATE INDEX messages_pinned ON messages (chat_id, pinned_at) WHERE pinned_at IS NOT NULL;

-- Previous texts, one row per edit (version 1 holds the original text).
CREATE TABLE message_edits (
  chat_id uuid NOT NULL,
  message_id uuid NOT NULL,
  version integer NOT NULL,
  text text,
  edited_at timestamptz NOT NULL,
  PRIMARY KEY (chat_id, message_id, version)
);

CREATE TABLE reactions (
  chat_id uuid NOT NULL,
  message_id uuid NOT NULL,
  emoji text NOT NULL,
  user_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chat_id, message_id, emoji, user_id)
);

CREATE TABLE poll_votes (
  chat_id uuid NOT NULL,
  message_id uuid NOT NULL,
  user_id uuid NOT NULL,
  option_id integer NOT NULL,
  PRIMARY KEY (chat_id, message_id, user_id, option_id)
);

-- Members as the chat service reports them, with their read and delivery markers (one row per
-- member, never one per message).
CREATE TABLE members (
  chat_id uuid NOT NULL,
  user_id uuid NOT NULL,
  app_id uuid NOT NULL,
  read_seq bigint NOT NULL DEFAULT 0,
  read_at timestamptz,
  delivered_seq bigint NOT NULL DEFAULT 0,
  delivered_at timestamptz,
  last_post_at timestamptz,
  PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

-- Messages a user deleted for themself.
CREATE TABLE hidden_messages (
  chat_id uuid NOT NULL,
  user_id uuid NOT NULL,
  message_id uuid NOT NULL,
  PRIMARY KEY (chat_id, user_id, message_id)
);

CREATE TABLE drafts (
  chat_id uuid NOT NULL,
  user_id uuid NOT NULL,
  app_id uuid NOT NULL,
  text text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX drafts_user ON drafts (user_id);
