-- The relay publishes payloads as stored: json keeps the text as written, with no conversion to
-- jsonb and back for every event. Event ids are UUID v7s made once each, and JetStream drops a
-- re-published id: the unique index cost every insert and guarded nothing.
ALTER TABLE outbox ALTER COLUMN payload TYPE json USING payload::json;
ALTER TABLE outbox DROP CONSTRAINT outbox_id_key;
