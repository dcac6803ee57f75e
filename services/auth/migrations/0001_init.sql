CREATE TABLE apps (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  api_key text UNIQUE,
  api_secret_hash text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The app first-party sign-ups belong to.
INSERT INTO apps (id, name) VALUES ('00000000-0000-7000-8000-000000000001', 'default');

CREATE TABLE users (
  id uuid PRIMARY KEY,
  app_id uuid NOT NULL REFERENCES apps (id),
  username text NOT NULL,
  display_name text NOT NULL,
  email text,
  phone text,
  external_id text,
  password_hash text,
  email_verified boolean NOT NULL DEFAULT false,
  totp_secret text,
  totp_pending_secret text,
  totp_enabled boolean NOT NULL DEFAULT false,
  -- The last TOTP time step accepted: a code is good once, never again.
  totp_last_step bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_app_username ON users (app_id, lower(username));
CREATE UNIQUE INDEX users_app_email ON users (app_id, lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX users_app_phone ON users (app_id, phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX users_app_external_id ON users (app_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  app_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  device_name text,
  ip text,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoke_reason text
);
CREATE INDEX sessions_user_active ON sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_recently_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

-- Stored as SHA-256 of the token; a used row stays so that a replay is recognised as reuse.
CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Email verification and password reset tokens (hashed, single use, expiring).
CREATE TABLE one_time_tokens (
  token_hash text PRIMARY KEY,
  purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX one_time_tokens_user ON one_time_tokens (user_id, purpose);
