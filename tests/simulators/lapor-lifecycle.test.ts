/**
 * The LAPOR! simulator's lifecycle plans, driven over real HTTP (axios on 127.0.0.1) with an
 * injected clock moved by hand: plans are deterministic per seed, each outcome produces its
 * statuses and follow-ups exactly at the planned (injected) times, stamped d-m-Y H:i:s WIB, nothing
 * happens early, a step applies once, follow-ups paginate, legacy-xml complaints get plans too, and
 * reset() forgets them. No assertion depends on wall-clock time.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import axios, { type AxiosInstance } from 'axios';
import { mondayIfWeekend } from '../../src/simulators/lapor-lifecycle.js';
import {
  LAPOR_INSTITUTIONS,
  LIFECYCLE_OUTCOMES,
  LaporSimulator,
  type LaporLifecycleOptions,
  type LaporSimulatorOptions,
  type LifecycleOutcome,
  type LifecyclePlan,
} from '../../src/simulators/lapor-simulator.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** A Monday, 09:00 WIB. */
const T0 = Date.parse('2025-01-13T09:00:00+07:00');

interface StatusReply {
  data: { status_code: number; status_name: string; disposition_id: string | number | null; disposition_name: string | null };
  data_logs: { status_name: string; created_at: string }[];
}
interface FollowupItem {
  id: number;
  content: string;
  created_at: string;
  institution_name: string | null;
}

const sims: LaporSimulator[] = [];

afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

/** A started simulator with a hand-moved clock. */
async function startSim(lifecycle: LaporLifecycleOptions | undefined, extra: LaporSimulatorOptions = {}) {
  const clock = { ms: T0 };
  const sim = new LaporSimulator({ ...extra, ...(lifecycle ? { lifecycle } : {}), now: () => new Date(clock.ms) });
  sims.push(sim);
  await sim.start();
  const http = axios.create({
    baseURL: sim.url,
    headers: { Authorization: `Bearer ${sim.bearerToken}`, token: sim.appToken },
    validateStatus: () => true,
  });
  return { sim, clock, http };
}

async function create(http: AxiosInstance, over: Record<string, unknown> = {}): Promise<string> {
  const res = await http.post<{ complaint_id: string }>('/complaints/complaint', {
    title: 'Jalan berlubang di depan pasar',
    content: 'Jalan di depan pasar berlubang besar dan membahayakan pengendara.',
    channel: 2,
    classification_id: 1,
    is_anonymous: true,
    is_secret: false,
    disposition_id: 3601001,
    ...over,
  });
  expect(res.status).toBe(201);
  return res.data.complaint_id;
}

async function status(http: AxiosInstance, id: string): Promise<StatusReply> {
  const res = await http.get<{ results: StatusReply }>(`/complaints/${id}/complaint`);
  expect(res.status).toBe(200);
  return res.data.results;
}

/** Every follow-up, following next_page_url; also returns how many pages it took. */
async function followups(http: AxiosInstance, id: string): Promise<{ items: FollowupItem[]; pages: number }> {
  const items: FollowupItem[] = [];
  let url: string | null = `/complaints/${id}/followups?page=1`;
  let pages = 0;
  while (url !== null) {
    const res: { status: number; data: { results: { data: FollowupItem[]; next_page_url: string | null } } } = await http.get(url);
    expect(res.status).toBe(200);
    items.push(...res.data.results.data);
    url = res.data.results.next_page_url;
    pages++;
    if (pages > 50) throw new Error('next_page_url never ends');
  }
  return { items, pages };
}

/** `d-m-Y H:i:s` in WIB (UTC+7), written independently of the simulator's formatter. */
function wib(ms: number): string {
  const d = new Date(ms + 7 * HOUR);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}-${p(d.getUTCMonth() + 1)}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function planOf(sim: LaporSimulator, id: string): LifecyclePlan {
  const plan = sim.lifecyclePlan(id);
  if (!plan) throw new Error(`no plan for ${id}`);
  return plan;
}

describe('lifecycle plans', () => {
  it('are deterministic for a seed, differ for another seed, and follow the default weights', async () => {
    const a = await startSim({ seed: 42 });
    const b = await startSim({ seed: 42 });
    const c = await startSim({ seed: 43 });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push(await create(a.http));
      await create(b.http);
      await create(c.http);
    }
    const plansA = ids.map((id) => planOf(a.sim, id));
    expect(ids.map((id) => planOf(b.sim, id))).toEqual(plansA);
    expect(ids.map((id) => planOf(c.sim, id))).not.toEqual(plansA);

    // the same seed and id give the same plan in a fresh simulator created at the same time
    const fresh = await startSim({ seed: 42 });
    await create(fresh.http);
    expect(fresh.sim.lifecyclePlan(ids[0] as string)).toEqual(plansA[0]);

    // default weights: over 200 complaints, completed dominates and every outcome occurs
    for (let i = 0; i < 160; i++) await create(a.http);
    const counts = Object.fromEntries(LIFECYCLE_OUTCOMES.map((o) => [o, 0])) as Record<LifecycleOutcome, number>;
    for (const c2 of a.sim.complaints()) counts[planOf(a.sim, c2.id).outcome]++;
    expect(counts.completed).toBeGreaterThan(90);
    for (const o of LIFECYCLE_OUTCOMES) expect(counts[o]).toBeGreaterThan(0);
  });

  it('keep steps in time order, off weekends (Monday 08:00–10:00 WIB instead), and dispose to another institution', async () => {
    const { sim, http, clock } = await startSim({ seed: 7 });
    let moved = 0;
    for (let i = 0; i < 60; i++) {
      clock.ms = T0 + i * 7 * HOUR; // creations on every day of the week, day and night
      const id = await create(http);
      const plan = planOf(sim, id);
      const times = plan.steps.map((s) => Date.parse(s.at));
      expect([...times].sort((x, y) => x - y)).toEqual(times);
      for (const t of times) {
        const day = new Date(t + 7 * HOUR).getUTCDay();
        expect(day).not.toBe(0);
        expect(day).not.toBe(6);
        if (day === 1 && new Date(t + 7 * HOUR).getUTCHours() < 10 && new Date(t + 7 * HOUR).getUTCHours() >= 8) moved++;
      }
      for (const s of plan.steps) if (s.disposition) expect(s.disposition.id).not.toBe(3601001);
    }
    expect(moved).toBeGreaterThan(0);
    // Saturday 14:00 WIB → Monday 08:00 + u·2h WIB; Friday unchanged
    const saturday = Date.parse('2025-01-18T14:00:00+07:00');
    expect(new Date(mondayIfWeekend(saturday, 0.5)).toISOString()).toBe(new Date(Date.parse('2025-01-20T09:00:00+07:00')).toISOString());
    const friday = Date.parse('2025-01-17T23:59:00+07:00');
    expect(mondayIfWeekend(friday, 0.5)).toBe(friday);
  });

  it('reject bad options', () => {
    expect(() => new LaporSimulator({ lifecycle: { weights: { completed: 0 } } })).toThrow(/at least one outcome/);
    expect(() => new LaporSimulator({ lifecycle: { weights: { finished: 1 } as never } })).toThrow(/unknown outcome "finished"/);
    expect(() => new LaporSimulator({ lifecycle: { weights: { rejected: -1 } } })).toThrow(/rejected must be a number >= 0/);
    expect(() => new LaporSimulator({ lifecycle: { unknownStatusRate: 2 } })).toThrow(/unknownStatusRate/);
    expect(() => new LaporSimulator({ lifecycle: { seed: 1.5 } })).toThrow(/seed/);
  });
});

describe('applying plans over injected time', () => {
  /**
   * Walks every step of a complaint's plan: one second before the step nothing has changed; at
   * the step the status, disposition, data log and follow-ups show it, stamped with the step's time.
   */
  async function walk(setup: Awaited<ReturnType<typeof startSim>>, id: string, plan: LifecyclePlan): Promise<void> {
    const { sim, http, clock } = setup;
    let logs = 1;
    let followupCount = 0;
    let statusName = 'Belum Terverifikasi';
    for (const step of plan.steps) {
      const at = Date.parse(step.at);
      clock.ms = at - 1000;
      const before = await status(http, id);
      expect(before.data.status_name).toBe(statusName);
      expect(before.data_logs).toHaveLength(logs);
      expect((await followups(http, id)).items).toHaveLength(followupCount);

      clock.ms = at;
      const after = await status(http, id);
      if (step.status !== undefined) {
        statusName = step.status;
        logs++;
        expect(after.data_logs.at(-1)).toEqual({ status_name: step.status, created_at: wib(at) });
      }
      expect(after.data.status_name).toBe(statusName);
      expect(after.data_logs).toHaveLength(logs);
      if (step.disposition) expect(after.data).toMatchObject({ disposition_id: step.disposition.id, disposition_name: step.disposition.name });
      const items = (await followups(http, id)).items;
      if (step.followup) {
        followupCount++;
        expect(items.at(-1)).toMatchObject({ content: step.followup.content, institution_name: step.followup.institution_name, created_at: wib(at) });
      }
      expect(items).toHaveLength(followupCount);
      // applied once: asking again (or advancing by hand) changes nothing
      expect(sim.advance()).toBe(0);
      expect((await status(http, id)).data_logs).toHaveLength(logs);
    }
    // nothing more, ever
    clock.ms = Math.max(clock.ms, ...plan.steps.map((s) => Date.parse(s.at))) + 120 * DAY;
    expect((await status(http, id)).data_logs).toHaveLength(logs);
    expect((await followups(http, id)).items).toHaveLength(followupCount);
  }

  it('completed: verified 4–30 h, disposed 2–24 h later, followed up 1–4 days later (Dalam Proses), Selesai 3–12 days after the last follow-up', async () => {
    const setup = await startSim({ seed: 3, weights: { completed: 1 }, skipWeekends: false });
    let sawSecond = false;
    for (let i = 0; i < 6; i++) {
      const id = await create(setup.http);
      const plan = planOf(setup.sim, id);
      expect(plan.outcome).toBe('completed');
      const s = plan.steps;
      const t = s.map((x) => Date.parse(x.at));
      const created = setup.clock.ms;
      expect(s.map((x) => x.status ?? null)).toEqual(['Terverifikasi', 'Terverifikasi', 'Dalam Proses', ...(s.length === 5 ? [null] : []), 'Selesai']);
      expect(t[0]! - created).toBeGreaterThanOrEqual(4 * HOUR);
      expect(t[0]! - created).toBeLessThanOrEqual(30 * HOUR);
      expect(t[1]! - t[0]!).toBeGreaterThanOrEqual(2 * HOUR);
      expect(t[1]! - t[0]!).toBeLessThanOrEqual(24 * HOUR);
      expect(t[2]! - t[1]!).toBeGreaterThanOrEqual(DAY);
      expect(t[2]! - t[1]!).toBeLessThanOrEqual(4 * DAY);
      const agency = s[1]!.disposition!;
      expect(agency.id).not.toBe(3601001);
      expect(LAPOR_INSTITUTIONS).toContainEqual(agency);
      expect(s[2]!.followup?.institution_name).toBe(agency.name);
      if (s.length === 5) {
        sawSecond = true;
        expect(t[3]! - t[2]!).toBeGreaterThanOrEqual(DAY);
        expect(t[3]! - t[2]!).toBeLessThanOrEqual(3 * DAY);
        expect(s[3]!.followup?.institution_name).toBe(agency.name);
        expect(s[3]!.followup?.content).not.toBe(s[2]!.followup?.content);
      }
      const last = t.length - 1;
      expect(t[last]! - t[last - 1]!).toBeGreaterThanOrEqual(3 * DAY);
      expect(t[last]! - t[last - 1]!).toBeLessThanOrEqual(12 * DAY);
      await walk(setup, id, plan);
      const final = await status(setup.http, id);
      expect(final.data).toMatchObject({ status_code: 3, status_name: 'Selesai', disposition_id: agency.id, disposition_name: agency.name });
      setup.clock.ms = T0 + (i + 1) * 200 * DAY; // next complaint well after this one
    }
    expect(sawSecond).toBe(true);
  });

  it('completed, on a known example: the data log reads as LAPOR! would show it', async () => {
    const setup = await startSim({ seed: 1, weights: { completed: 1 }, skipWeekends: false });
    const id = await create(setup.http);
    const plan = planOf(setup.sim, id);
    setup.clock.ms = T0 + 60 * DAY;
    const final = await status(setup.http, id);
    expect(final.data_logs[0]).toEqual({ status_name: 'Belum Terverifikasi', created_at: '13-01-2025 09:00:00' });
    expect(final.data_logs.slice(1)).toEqual(plan.steps.filter((s) => s.status).map((s) => ({ status_name: s.status, created_at: wib(Date.parse(s.at)) })));
    for (const item of (await followups(setup.http, id)).items) expect(item.created_at).toMatch(/^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}$/);
  });

  it('rejected: Ditolak 4–30 h after creation, with an explanation from Admin LAPOR!', async () => {
    const setup = await startSim({ seed: 5, weights: { rejected: 1 }, skipWeekends: false });
    const id = await create(setup.http);
    const plan = planOf(setup.sim, id);
    expect(plan.outcome).toBe('rejected');
    expect(plan.steps).toHaveLength(1);
    const step = plan.steps[0]!;
    expect(step.status).toBe('Ditolak');
    expect(step.followup?.institution_name).toBe('Admin LAPOR!');
    expect(step.followup?.content.length).toBeGreaterThan(40);
    const dt = Date.parse(step.at) - T0;
    expect(dt).toBeGreaterThanOrEqual(4 * HOUR);
    expect(dt).toBeLessThanOrEqual(30 * HOUR);
    await walk(setup, id, plan);
    expect((await status(setup.http, id)).data).toMatchObject({ status_code: 4, status_name: 'Ditolak', disposition_id: 3601001 });
  });

  it('unverified: nothing changes, even 60 simulated days later', async () => {
    const setup = await startSim({ seed: 9, weights: { unverified: 1 } });
    const id = await create(setup.http);
    expect(planOf(setup.sim, id)).toEqual({ outcome: 'unverified', steps: [] });
    for (const days of [1, 7, 30, 60]) {
      setup.clock.ms = T0 + days * DAY;
      const s = await status(setup.http, id);
      expect(s.data).toMatchObject({ status_code: 0, status_name: 'Belum Terverifikasi', disposition_id: 3601001 });
      expect(s.data_logs).toEqual([{ status_name: 'Belum Terverifikasi', created_at: '13-01-2025 09:00:00' }]);
      expect((await followups(setup.http, id)).items).toEqual([]);
    }
  });

  it('no_followup: verified and disposed, never followed up', async () => {
    const setup = await startSim({ seed: 11, weights: { no_followup: 1 } });
    const id = await create(setup.http);
    const plan = planOf(setup.sim, id);
    expect(plan.outcome).toBe('no_followup');
    expect(plan.steps.map((s) => [s.status, s.disposition !== undefined, s.followup !== undefined])).toEqual([
      ['Terverifikasi', false, false],
      ['Terverifikasi', true, false],
    ]);
    await walk(setup, id, plan);
    setup.clock.ms = T0 + 60 * DAY;
    const s = await status(setup.http, id);
    expect(s.data.status_name).toBe('Terverifikasi');
    expect(s.data.disposition_id).toBe(plan.steps[1]!.disposition!.id);
    expect((await followups(setup.http, id)).items).toEqual([]);
  });

  it('stalled: one follow-up and Dalam Proses, never closed', async () => {
    const setup = await startSim({ seed: 13, weights: { stalled: 1 } });
    const id = await create(setup.http);
    const plan = planOf(setup.sim, id);
    expect(plan.outcome).toBe('stalled');
    expect(plan.steps.map((s) => s.status)).toEqual(['Terverifikasi', 'Terverifikasi', 'Dalam Proses']);
    expect(plan.steps[2]!.followup?.institution_name).toBe(plan.steps[1]!.disposition!.name);
    await walk(setup, id, plan);
    setup.clock.ms = T0 + 60 * DAY;
    expect((await status(setup.http, id)).data).toMatchObject({ status_code: 2, status_name: 'Dalam Proses' });
    expect((await followups(setup.http, id)).items).toHaveLength(1);
  });

  it('unknownStatusRate: a completed plan passes through a status the canonical model does not know (code 99) before Selesai', async () => {
    const setup = await startSim({ seed: 17, weights: { completed: 1 }, unknownStatusRate: 1 });
    const id = await create(setup.http);
    const plan = planOf(setup.sim, id);
    const statuses = plan.steps.map((s) => s.status).filter((s) => s !== undefined);
    expect(statuses.at(-1)).toBe('Selesai');
    const unknown = statuses.at(-2) as string;
    expect(['Belum Terverifikasi', 'Terverifikasi', 'Dalam Proses', 'Selesai', 'Ditolak']).not.toContain(unknown);
    await walk(setup, id, plan);
    // another complaint, looked at while it is in the unknown status
    const other = await create(setup.http);
    const otherPlan = planOf(setup.sim, other);
    const step = otherPlan.steps.at(-2)!;
    expect(otherPlan.steps.at(-1)!.status).toBe('Selesai');
    setup.clock.ms = Date.parse(step.at);
    expect((await status(setup.http, other)).data).toMatchObject({ status_code: 99, status_name: step.status });
  });

  it('applies due steps of several complaints in time order, each stamped with its own time, once', async () => {
    const setup = await startSim({ seed: 21, weights: { completed: 1 } });
    const ids = [await create(setup.http), await create(setup.http), await create(setup.http)];
    const total = ids.reduce((n, id) => n + planOf(setup.sim, id).steps.length, 0);
    setup.clock.ms = T0 + 90 * DAY;
    expect(setup.sim.advance()).toBe(total);
    expect(setup.sim.advance()).toBe(0);
    for (const id of ids) {
      const plan = planOf(setup.sim, id);
      const s = await status(setup.http, id);
      expect(s.data_logs.slice(1).map((l) => l.created_at)).toEqual(plan.steps.filter((x) => x.status).map((x) => wib(Date.parse(x.at))));
    }
  });

  it('paginates many follow-ups (planned and added by hand) via next_page_url', async () => {
    const setup = await startSim({ seed: 23, weights: { completed: 1 } }, { followupPageSize: 2 });
    let id = '';
    for (let i = 0; i < 30 && !id; i++) {
      const candidate = await create(setup.http);
      if (planOf(setup.sim, candidate).steps.filter((s) => s.followup).length === 2) id = candidate;
    }
    expect(id).not.toBe('');
    const plan = planOf(setup.sim, id);
    const firstFollowupAt = Date.parse(plan.steps.find((s) => s.followup)!.at);
    // hand-added follow-ups alongside the plan, stamped by their own times
    setup.clock.ms = firstFollowupAt + HOUR; // the first planned follow-up applies before these
    setup.sim.addFollowup(id, { content: 'Tanggapan tambahan 1', institution_name: 'Dinas Sosial Kabupaten Pandeglang' });
    setup.sim.addFollowup(id, { content: 'Tanggapan tambahan 2', created_at: new Date(firstFollowupAt + 2 * HOUR) });
    setup.sim.addFollowup(id, { content: 'Tanggapan tambahan 3' });
    setup.clock.ms = T0 + 90 * DAY;
    const { items, pages } = await followups(setup.http, id);
    expect(pages).toBe(3);
    expect(items.map((f) => f.content)).toEqual([
      plan.steps.filter((s) => s.followup)[0]!.followup!.content,
      'Tanggapan tambahan 1',
      'Tanggapan tambahan 2',
      'Tanggapan tambahan 3',
      plan.steps.filter((s) => s.followup)[1]!.followup!.content,
    ]);
    expect(items[1]!.created_at).toBe(wib(firstFollowupAt + HOUR));
    expect(items[2]!.created_at).toBe(wib(firstFollowupAt + 2 * HOUR));
  });

  it('setStatus by hand works alongside a plan, stamped at a given time or now', async () => {
    const setup = await startSim({ seed: 29, weights: { stalled: 1 } });
    const id = await create(setup.http);
    const plan = planOf(setup.sim, id);
    setup.clock.ms = Date.parse(plan.steps[0]!.at) + HOUR; // verification is due: applied before the manual change
    setup.sim.setStatus(id, 'Dalam Proses');
    setup.sim.setStatus(id, 'Dalam Proses', { id: 3601014 }, new Date(setup.clock.ms + 60_000));
    const s = await status(setup.http, id);
    expect(s.data_logs.map((l) => l.status_name)).toEqual(['Belum Terverifikasi', 'Terverifikasi', 'Dalam Proses', 'Dalam Proses']);
    expect(s.data_logs[1]!.created_at).toBe(wib(Date.parse(plan.steps[0]!.at)));
    expect(s.data_logs[2]!.created_at).toBe(wib(setup.clock.ms));
    expect(s.data_logs[3]!.created_at).toBe(wib(setup.clock.ms + 60_000));
    expect(s.data.disposition_name).toBe('Dinas Lingkungan Hidup Kabupaten Pandeglang');
    setup.clock.ms = T0 + 60 * DAY;
    expect((await status(setup.http, id)).data_logs).toHaveLength(6); // the plan's other two steps still apply
  });

  it('shows the outcome in /_sim/complaints; without lifecycle nothing moves and there is no plan', async () => {
    const on = await startSim({ seed: 31, weights: { no_followup: 1 } });
    const id = await create(on.http);
    const view = await axios.get<{ data: { id: string; lifecycle_outcome?: string }[] }>(`${on.sim.origin}/_sim/complaints`);
    expect(view.data.data).toEqual([expect.objectContaining({ id, lifecycle_outcome: 'no_followup' })]);

    const off = await startSim(undefined);
    const offId = await create(off.http);
    off.clock.ms = T0 + 60 * DAY;
    expect(off.sim.lifecyclePlan(offId)).toBeUndefined();
    expect((await status(off.http, offId)).data_logs).toHaveLength(1);
    const offView = await axios.get<{ data: Record<string, unknown>[] }>(`${off.sim.origin}/_sim/complaints`);
    expect(offView.data.data[0]).not.toHaveProperty('lifecycle_outcome');
  });

  it('gives legacy-xml complaints plans too', async () => {
    const { sim, clock } = await startSim({ seed: 37, weights: { rejected: 1 } }, { dialect: 'legacy-xml' });
    const res = await axios.post<string>(`${sim.url}/api/stream/addstream`, `<lapor token="${sim.bearerToken}"><laporan rahasia="0" anonim="1"><isi>Lampu jalan padam sejak seminggu.</isi></laporan></lapor>`, {
      headers: { 'Content-Type': 'text/xml; charset=utf-8' },
      responseType: 'text',
    });
    expect(res.status).toBe(200);
    const id = /<trackingid>(\d+)<\/trackingid>/.exec(res.data)?.[1] as string;
    const plan = planOf(sim, id);
    expect(plan.outcome).toBe('rejected');
    clock.ms = Date.parse(plan.steps[0]!.at) - 1000;
    let view = await axios.get<{ data: { id: string; status_name: string; lifecycle_outcome: string; followups: FollowupItem[] }[] }>(`${sim.origin}/_sim/complaints`);
    expect(view.data.data[0]).toMatchObject({ id, status_name: 'Belum Terverifikasi', lifecycle_outcome: 'rejected', followups: [] });
    clock.ms += 1000;
    view = await axios.get(`${sim.origin}/_sim/complaints`);
    expect(view.data.data[0]).toMatchObject({ status_name: 'Ditolak', followups: [expect.objectContaining({ institution_name: 'Admin LAPOR!', created_at: wib(clock.ms) })] });
  });

  it('reset() forgets the plans; ids and plans start over', async () => {
    const { sim, http, clock } = await startSim({ seed: 41 });
    const id = await create(http);
    const plan = planOf(sim, id);
    sim.reset();
    expect(sim.lifecyclePlan(id)).toBeUndefined();
    clock.ms = T0 + 60 * DAY;
    expect(sim.advance()).toBe(0);
    expect(sim.complaints()).toEqual([]);
    clock.ms = T0;
    expect(await create(http)).toBe(id);
    expect(sim.lifecyclePlan(id)).toEqual(plan);
  });
});
