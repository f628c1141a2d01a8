-- API tokens expire (docs/design/security.md). Tokens made before expiry existed get the
-- longest lifetime a new token may have, counted from their creation, instead of living forever.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
UPDATE api_tokens SET expires_at = created_at + 31536000000;
-- Listing a user's tokens and revoking all of them.
CREATE INDEX api_tokens_user ON api_tokens (user_id);
-- Ending all of a user's sessions (log out everywhere, password change).
CREATE INDEX sessions_user ON sessions (user_id);
