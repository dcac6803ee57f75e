-- The text indexes lead with the hour a message was sent (btree_gin lets a GIN index hold it): a
-- search over many chats asks them for one time slice at a time, so a word or fragment found in
-- thousands of older messages no longer reads them all to return the newest. The expressions are
-- `hourOf`, `DOC` and `RUNS` in src/store/message-search.store.ts.
CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA search;

-- The runs of letters and digits of a text, lowercased: a fragment made of letters and digits only
-- is part of a text exactly when it is part of one of its runs. Its cost is declared (and the
-- fixed search_path keeps it from being inlined with the default cost of 1): the planner must know
-- that splitting every row of a time range costs far more than asking `messages_hour_runs`.
CREATE FUNCTION alnum_runs(doc text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 500
  SET search_path = pg_catalog
  AS $$ SELECT regexp_split_to_array(lower(doc), '[^[:alnum:]]+') $$;

-- Every run a message has held (src/store/words.store.ts): a fragment finds the runs that contain
-- it here, then the messages that hold them through `messages_hour_runs`, with no false match
-- to read and drop (a trigram index hands over every row that has the fragment's trigrams anywhere).
CREATE TABLE words (word text PRIMARY KEY);
INSERT INTO words
  SELECT DISTINCT w FROM messages, unnest(alnum_runs(body || ' ' || files)) AS w WHERE NOT deleted AND w <> '' ORDER BY w;
CREATE INDEX words_trgm ON words USING gin (word gin_trgm_ops);

CREATE INDEX messages_hour_tsv ON messages
  USING gin (date_trunc('hour', created_at AT TIME ZONE 'UTC'), tsv) WHERE NOT deleted;
CREATE INDEX messages_hour_runs ON messages
  USING gin (date_trunc('hour', created_at AT TIME ZONE 'UTC'), alnum_runs(body || ' ' || files)) WHERE NOT deleted;
-- Fragments with other characters (codes, paths, other scripts) still go through trigrams.
CREATE INDEX messages_hour_doc_trgm ON messages
  USING gin (date_trunc('hour', created_at AT TIME ZONE 'UTC'), (body || ' ' || files) gin_trgm_ops) WHERE NOT deleted;
-- The "files" filter: the same for the tenth of messages with attachments.
CREATE INDEX messages_attachments_hour_tsv ON messages
  USING gin (date_trunc('hour', created_at AT TIME ZONE 'UTC'), tsv) WHERE has_attachment AND NOT deleted;
CREATE INDEX messages_attachments_hour_runs ON messages
  USING gin (date_trunc('hour', created_at AT TIME ZONE 'UTC'), alnum_runs(body || ' ' || files)) WHERE has_attachment AND NOT deleted;
-- Dropped last: the lock a drop takes stops searches too, but only until the commit that follows.
DROP INDEX messages_tsv;
DROP INDEX messages_doc_trgm;
