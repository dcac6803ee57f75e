-- The search service's projection of other services' events. Nothing here is a source of truth:
-- `npm run rebuild -w @chat/search` derives it again from the owning services.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA search;

-- One row per message; a message deleted for everyone stays as a tombstone (empty text) so that a
-- late or repeated `created` cannot bring it back.
CREATE TABLE messages (
  chat_id uuid NOT NULL,
  id uuid NOT NULL,
  app_id uuid NOT NULL,
  seq bigint NOT NULL,
  sender_id uuid NOT NULL,
  kind text NOT NULL,
  body text NOT NULL DEFAULT '',
  -- Attachment file names, one a line.
  files text NOT NULL DEFAULT '',
  has_attachment boolean NOT NULL DEFAULT false,
  mentions uuid[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  edited_at timestamptz,
  -- A shadow-banned sender's message: found by that sender only.
  visible_to uuid,
  deleted boolean NOT NULL DEFAULT false,
  -- Whole words of the text weigh more than words of attachment names.
  tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', body), 'A') || setweight(to_tsvector('simple', files), 'B')
  ) STORED,
  PRIMARY KEY (chat_id, id)
);
CREATE INDEX messages_tsv ON messages USING gin (tsv) WHERE NOT deleted;
-- Substrings, prefixes, codes and paths; the expression is `DOC` in src/store/message-search.store.ts.
CREATE INDEX messages_doc_trgm ON messages USING gin ((body || ' ' || files) gin_trgm_ops) WHERE NOT deleted;
CREATE INDEX messages_recent ON messages (app_id, created_at DESC, id DESC) WHERE NOT deleted;
CREATE INDEX messages_chat_recent ON messages (chat_id, created_at DESC, id DESC) WHERE NOT deleted;
CREATE INDEX messages_sender_recent ON messages (sender_id, created_at DESC, id DESC) WHERE NOT deleted;

-- Deleted for one user only.
CREATE TABLE hidden_messages (
  user_id uuid NOT NULL,
  chat_id uuid NOT NULL,
  message_id uuid NOT NULL,
  PRIMARY KEY (user_id, chat_id, message_id)
);

-- Membership as last reported; `changed_at` (event time) keeps an older event from undoing a newer one.
CREATE TABLE members (
  user_id uuid NOT NULL,
  chat_id uuid NOT NULL,
  app_id uuid NOT NULL,
  active boolean NOT NULL,
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, chat_id)
);
CREATE INDEX members_chat ON members (chat_id) WHERE active;

CREATE TABLE chats (
  chat_id uuid PRIMARY KEY,
  app_id uuid NOT NULL,
  type text NOT NULL,
  name text,
  description text,
  is_public boolean NOT NULL DEFAULT false,
  -- History at or before this time is hidden for everyone.
  truncated_at timestamptz,
  deleted boolean NOT NULL DEFAULT false,
  changed_at timestamptz NOT NULL,
  tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', coalesce(name, '')), 'A') || setweight(to_tsvector('simple', coalesce(description, '')), 'B')
  ) STORED
);
CREATE INDEX chats_tsv ON chats USING gin (tsv) WHERE NOT deleted;
CREATE INDEX chats_doc_trgm ON chats USING gin ((coalesce(name, '') || ' ' || coalesce(description, '')) gin_trgm_ops) WHERE NOT deleted;

-- Email and phone only as SHA-256 of the normalised value: found by an exact match, never shown.
CREATE TABLE users (
  user_id uuid PRIMARY KEY,
  app_id uuid NOT NULL,
  username text NOT NULL,
  display_name text NOT NULL,
  email_hash bytea,
  phone_hash bytea,
  deleted boolean NOT NULL DEFAULT false,
  changed_at timestamptz NOT NULL
);
CREATE INDEX users_username ON users (app_id, lower(username) text_pattern_ops) WHERE NOT deleted;
CREATE INDEX users_display_trgm ON users USING gin (lower(display_name) gin_trgm_ops) WHERE NOT deleted;
CREATE INDEX users_email ON users (app_id, email_hash) WHERE email_hash IS NOT NULL;
CREATE INDEX users_phone ON users (app_id, phone_hash) WHERE phone_hash IS NOT NULL;
