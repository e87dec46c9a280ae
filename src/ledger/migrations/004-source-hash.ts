/**
 * The hash of the raw source record behind each version: a new version whose source record did
 * not change (only our mapping did) is not a change of the complaint after delivery.
 */
export const sql = `
ALTER TABLE record_versions ADD COLUMN source_hash TEXT;
`;
