-- A phone number is matched by contact sync only once its owner verified it with a texted code
-- (auth's `user.phone_verified`); until then it is the owner's own, private claim.
ALTER TABLE profiles ADD COLUMN phone_verified boolean NOT NULL DEFAULT false;
