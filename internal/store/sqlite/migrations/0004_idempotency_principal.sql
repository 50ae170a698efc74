-- 0004: who first used a payment's idempotency key (the principal key the
-- tools pass: issuer, tenant and subject; NULL for the local principal and
-- for loaded data). A key replays only for that principal, invoice, amount
-- and method.
ALTER TABLE payments ADD COLUMN idempotency_principal TEXT;
