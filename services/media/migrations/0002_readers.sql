-- Video and audio length, where the container's header tells it.
ALTER TABLE media ADD COLUMN duration_ms integer;

-- Each user's current profile photo (rpc.media.claim-avatar): readable by whoever may see it.
CREATE TABLE avatars (
  app_id uuid NOT NULL,
  user_id uuid NOT NULL,
  media_id uuid NOT NULL REFERENCES media (id) ON DELETE CASCADE,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, user_id)
);
CREATE INDEX avatars_media ON avatars (media_id);

-- Releasing the attachments of a deleted message.
CREATE INDEX attachments_message ON attachments (message_id);
-- Every media of an account (pending and hidden ones too), for its deletion.
CREATE INDEX media_owner ON media (app_id, owner_id, id);
