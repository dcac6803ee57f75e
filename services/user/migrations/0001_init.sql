-- One profile per account (the id is the auth account's id). Email and phone are the account's
-- own, kept for contact discovery; a deleted account keeps its row, anonymised, so its id still
-- resolves to "Deleted user".
CREATE TABLE profiles (
  id uuid PRIMARY KEY,
  app_id uuid NOT NULL,
  username text,
  display_name text NOT NULL,
  bio text,
  avatar_media_id uuid,
  status_text text,
  email text,
  email_verified boolean NOT NULL DEFAULT false,
  phone text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  -- Target of the (app_id, …) foreign keys below: contacts and blocks never cross apps.
  UNIQUE (app_id, id)
);
CREATE INDEX profiles_discovery_phone ON profiles (app_id, phone) WHERE phone IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX profiles_discovery_email ON profiles (app_id, email) WHERE email IS NOT NULL AND deleted_at IS NULL;

-- The defaults of every setting live here, and only here.
CREATE TABLE settings (
  user_id uuid PRIMARY KEY,
  app_id uuid NOT NULL,
  last_seen text NOT NULL DEFAULT 'everyone' CHECK (last_seen IN ('everyone', 'contacts', 'nobody')),
  profile_photo text NOT NULL DEFAULT 'everyone' CHECK (profile_photo IN ('everyone', 'contacts', 'nobody')),
  read_receipts boolean NOT NULL DEFAULT true,
  add_to_groups text NOT NULL DEFAULT 'everyone' CHECK (add_to_groups IN ('everyone', 'contacts')),
  discoverable_by_phone boolean NOT NULL DEFAULT true,
  discoverable_by_email boolean NOT NULL DEFAULT true,
  notifications jsonb NOT NULL DEFAULT '{"directMessages": true, "groupMessages": true, "mentions": true, "showPreview": true}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (app_id, user_id) REFERENCES profiles (app_id, id) ON DELETE CASCADE
);

CREATE TABLE contacts (
  app_id uuid NOT NULL,
  owner_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  alias text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, owner_id, contact_id),
  FOREIGN KEY (app_id, owner_id) REFERENCES profiles (app_id, id) ON DELETE CASCADE,
  FOREIGN KEY (app_id, contact_id) REFERENCES profiles (app_id, id) ON DELETE CASCADE,
  CHECK (owner_id <> contact_id)
);
CREATE INDEX contacts_of_contact ON contacts (app_id, contact_id);

CREATE TABLE blocks (
  app_id uuid NOT NULL,
  blocker_id uuid NOT NULL,
  blocked_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, blocker_id, blocked_id),
  FOREIGN KEY (app_id, blocker_id) REFERENCES profiles (app_id, id) ON DELETE CASCADE,
  FOREIGN KEY (app_id, blocked_id) REFERENCES profiles (app_id, id) ON DELETE CASCADE,
  CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_of_blocked ON blocks (app_id, blocked_id, blocker_id);
