-- A deleted account keeps its row, so its id stays resolvable and its username stays taken, but
-- loses every credential (email, phone, external id, password, 2FA) and every session.
ALTER TABLE users ADD COLUMN deleted_at timestamptz;
