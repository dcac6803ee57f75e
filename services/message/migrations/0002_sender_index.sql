-- A user's own messages, for the data export.
CREATE INDEX messages_sender ON messages (sender_id, id);
