/**
 * Audit queries by period (issue #9): `ledger export --from/--to` and `ledger report --period`
 * compare instants with julianday() (values carry different offsets), so they are indexed on
 * exactly those expressions.
 */
export const sql = `
CREATE INDEX records_by_received_day ON records (julianday(received_at));
CREATE INDEX records_by_report_day ON records (julianday(coalesce(received_at, first_seen_at)));
`;
