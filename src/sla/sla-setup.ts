/**
 * The SLA rules and working-day calendar as configured in bridge.yaml (`sla:`), loaded once per
 * process by whoever needs deadlines: status sync, `ledger report --sla`, /metrics, the dashboard.
 */
import path from 'node:path';
import type { LoadedSettings } from '../settings/load-settings.js';
import { slaRulesSchema, type SlaRules } from './sla-rules.js';
import { loadWorkingDayCalendar, type WorkingDayCalendar } from './working-days.js';

export interface SlaSetup {
  readonly rules: SlaRules;
  readonly calendar: WorkingDayCalendar;
}

/** Rules from `sla:` and the calendar file plus overrides (paths relative to bridge.yaml). */
export async function loadSlaSetup(config: Pick<LoadedSettings, 'dir' | 'settings'>, onWarning?: (message: string) => void): Promise<SlaSetup> {
  const { calendar: calendarFile, calendar_overrides: overrides, ...rules } = config.settings.sla;
  const calendar = await loadWorkingDayCalendar({
    calendarFile: calendarFile === undefined ? undefined : path.resolve(config.dir, calendarFile),
    overrideFiles: overrides.map((f) => path.resolve(config.dir, f)),
    onWarning,
  });
  return { rules: slaRulesSchema.parse(rules), calendar };
}
