-- A phone number is the account's own, private claim until a texted code proves the account holds
-- it. Only verified numbers are unique: an unverified one cannot squat a number someone else owns.
-- Numbers stored before this migration were never checked, so they start unverified.
ALTER TABLE users ADD COLUMN phone_verified boolean NOT NULL DEFAULT false;
DROP INDEX users_app_phone;
CREATE UNIQUE INDEX users_app_verified_phone ON users (app_id, phone) WHERE phone_verified;
-- Finds the unverified claims of a number when someone verifies it.
CREATE INDEX users_app_phone ON users (app_id, phone) WHERE phone IS NOT NULL;

-- The one pending phone code of an account: hashed, expiring, deleted when used.
CREATE TABLE phone_codes (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  phone text NOT NULL,
  code_hash text NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
