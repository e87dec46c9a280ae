/**
 * Operator actions: a forced resend gets a new idempotency key (a new "generation"), and a
 * source can be paused like the destination.
 */
export const sql = `
ALTER TABLE records ADD COLUMN send_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN pause_reason TEXT;
ALTER TABLE sources ADD COLUMN paused_at TEXT;
`;
