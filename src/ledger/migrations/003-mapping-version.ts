/** Which mapping version a source was last read with: a change triggers a full re-scan. */
export const sql = `
ALTER TABLE sources ADD COLUMN mapping_version TEXT;
`;
