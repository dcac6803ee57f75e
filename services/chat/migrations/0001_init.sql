-- A chat and its shared state. A deleted chat keeps its row (deleted_at set, no members) so its
-- id never resolves to anything again; a chat whose last member left keeps its row and history
-- rules (truncation) with member_count 0, and can no longer be joined.
CREATE TABLE chats (
  id uuid PRIMARY KEY,
  app_id uuid NOT NULL,
  type text NOT NULL CHECK (type IN ('direct', 'group', 'channel')),
  name text,
  description text,
  avatar_media_id uuid,
  is_public boolean NOT NULL DEFAULT false,
  members_can_add boolean NOT NULL DEFAULT false,
  -- Direct chats: the two members, lower id first, so one pair has one chat per app.
  direct_low uuid,
  direct_high uuid,
  -- Kept in step under the chat's row lock: limits are checked without counting rows.
  member_count integer NOT NULL DEFAULT 0 CHECK (member_count >= 0),
  frozen boolean NOT NULL DEFAULT false,
  slow_mode_seconds integer NOT NULL DEFAULT 0 CHECK (slow_mode_seconds >= 0),
  truncated_at timestamptz,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Created or its info updated; a member's own list also counts when that member joined.
  last_activity_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  -- Target of the (app_id, chat_id) foreign keys below: nothing joins rows of two apps.
  UNIQUE (app_id, id),
  CHECK ((type = 'direct') = (direct_low IS NOT NULL AND direct_high IS NOT NULL)),
  CHECK (direct_low < direct_high),
  CHECK (type <> 'direct' OR NOT is_public)
);
CREATE UNIQUE INDEX chats_direct_pair ON chats (app_id, direct_low, direct_high) WHERE type = 'direct';
CREATE INDEX chats_public ON chats (app_id, id DESC) WHERE is_public AND deleted_at IS NULL;

-- Membership, with the member's own settings of the chat.
CREATE TABLE members (
  chat_id uuid NOT NULL,
  user_id uuid NOT NULL,
  app_id uuid NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'moderator', 'member')),
  joined_at timestamptz NOT NULL DEFAULT now(),
  added_by uuid,
  muted_until timestamptz,
  pinned boolean NOT NULL DEFAULT false,
  archived boolean NOT NULL DEFAULT false,
  PRIMARY KEY (chat_id, user_id),
  FOREIGN KEY (app_id, chat_id) REFERENCES chats (app_id, id) ON DELETE CASCADE
);
CREATE INDEX members_of_user ON members (app_id, user_id, chat_id);
CREATE UNIQUE INDEX members_one_owner ON members (chat_id) WHERE role = 'owner';

-- One ban per chat and user (a new ban replaces it); an expired one no longer counts.
CREATE TABLE bans (
  chat_id uuid NOT NULL,
  user_id uuid NOT NULL,
  app_id uuid NOT NULL,
  reason text,
  shadow boolean NOT NULL DEFAULT false,
  expires_at timestamptz,
  banned_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chat_id, user_id),
  FOREIGN KEY (app_id, chat_id) REFERENCES chats (app_id, id) ON DELETE CASCADE
);

CREATE TABLE invite_links (
  code text PRIMARY KEY,
  app_id uuid NOT NULL,
  chat_id uuid NOT NULL,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  max_uses integer CHECK (max_uses > 0),
  uses integer NOT NULL DEFAULT 0,
  revoked_at timestamptz,
  FOREIGN KEY (app_id, chat_id) REFERENCES chats (app_id, id) ON DELETE CASCADE
);
CREATE INDEX invite_links_of_chat ON invite_links (chat_id);
