/**
 * The SLA rules and working-day calendar as configured in bridge.yaml (`sla:`), loaded once per
 * process by whoever needs deadlines: status sync, `ledger report --sla`, /metrics, the dashboard.
 */
import path from 'node:path';
import type { BridgeSettings } from '../settings/settings-schema.js';
import { slaRulesSchema, type SlaRules } from './sla-rules.js';
import { loadWorkingDayCalendar, type WorkingDayCalendar } from './working-days.js';

export type SlaSettings = BridgeSettings['sla'];

export interface SlaSetup {
  readonly rules: SlaRules;
  readonly calendar: WorkingDayCalendar;
}

/** Rules from the `sla:` section and its calendar file plus overrides (paths relative to `dir`, bridge.yaml's folder). */
export async function loadSlaSetup(dir: string, sla: SlaSettings, onWarning?: (message: string) => void): Promise<SlaSetup> {
  const { calendar: calendarFile, calendar_overrides: overrides, ...rules } = sla;
  const calendar = await loadWorkingDayCalendar({
    calendarFile: calendarFile === undefined ? undefined : path.resolve(dir, calendarFile),
    overrideFiles: overrides.map((f) => path.resolve(dir, f)),
    onWarning,
  });
  return { rules: slaRulesSchema.parse(rules), calendar };
}
