-- Newest-first walks over an app's messages: with `created_at` leading, the planner sees how well
-- the index order follows the table (messages arrive in time order) and uses it for time ranges.
DROP INDEX messages_recent;
CREATE INDEX messages_recent ON messages (created_at DESC, id DESC) WHERE NOT deleted;
-- The same walk over messages with attachments only (the "files" filter), a tenth of them or fewer.
CREATE INDEX messages_attachments_recent ON messages (created_at DESC, id DESC) WHERE has_attachment AND NOT deleted;
