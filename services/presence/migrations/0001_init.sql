-- What of a user's presence outlives Redis: the status and custom status they chose, and when
-- they were last seen (written when they go offline and on every published change).
CREATE TABLE user_presence (
  app_id uuid NOT NULL,
  user_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'away', 'dnd', 'invisible')),
  custom_status text CHECK (char_length(custom_status) <= 140),
  last_seen_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, user_id)
);
