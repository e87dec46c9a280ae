/**
 * Lifecycle plans of the LAPOR! simulator: with `lifecycle` on, every complaint created gets a
 * deterministic plan (from the seed and the complaint id) of what LAPOR! and the agencies will do
 * with it, and when: verify, dispose to an agency, follow up, close — or reject it, or never touch
 * it, or stop half-way. The simulator applies the steps as its (injected) clock passes them, so a
 * bridge polling status and follow-ups sees complaints move, and SLA breaches happen on purpose.
 *
 * Pure: planning needs only the options, the id, the creation time and the complaint's current
 * disposition. Step times are calendar offsets from creation; with `skipWeekends` (the default) a
 * step falling on a Saturday or Sunday (WIB) moves to the Monday after, 08:00–10:00 WIB.
 */
import { mulberry32 } from './sim-util.js';

/** What eventually happens to a complaint. */
export type LifecycleOutcome = 'completed' | 'rejected' | 'unverified' | 'no_followup' | 'stalled';

/** Every outcome, in the order the weights are rolled. */
export const LIFECYCLE_OUTCOMES: readonly LifecycleOutcome[] = ['completed', 'rejected', 'unverified', 'no_followup', 'stalled'];

/** The share of each outcome when no weights are given. */
export const DEFAULT_LIFECYCLE_WEIGHTS: Readonly<Record<LifecycleOutcome, number>> = {
  completed: 0.6,
  rejected: 0.1,
  unverified: 0.1,
  no_followup: 0.1,
  stalled: 0.1,
};

export interface LaporLifecycleOptions {
  /** Seed of the plans (default 1): same seed and complaint id, same plan. */
  seed?: number;
  /**
   * Relative weight of each outcome (need not sum to 1). Given weights replace the defaults
   * entirely: an outcome left out weighs 0, so `{ rejected: 1 }` rejects every complaint.
   */
  weights?: Partial<Record<LifecycleOutcome, number>>;
  /**
   * Probability (0..1, default 0) that a `completed` plan passes through a status the canonical
   * model does not know (e.g. 'Menunggu Tanggapan Pelapor') between its last follow-up and 'Selesai'.
   */
  unknownStatusRate?: number;
  /** Move steps falling on a Saturday or Sunday (WIB) to Monday 08:00–10:00 WIB; default true. */
  skipWeekends?: boolean;
}

/** One planned change; the simulator applies status (with disposition) first, then the follow-up. */
export interface LifecycleStep {
  /** When it happens, ISO 8601 (UTC). */
  readonly at: string;
  readonly status?: string;
  readonly disposition?: { readonly id: number; readonly name: string };
  readonly followup?: { readonly content: string; readonly institution_name: string };
}

export interface LifecyclePlan {
  readonly outcome: LifecycleOutcome;
  /** In time order (ties keep their order). */
  readonly steps: readonly LifecycleStep[];
}

/** LaporLifecycleOptions checked, with defaults filled in. */
export interface NormalisedLifecycle {
  seed: number;
  weights: Record<LifecycleOutcome, number>;
  unknownStatusRate: number;
  skipWeekends: boolean;
}

/** An institution a complaint can be disposed to. */
export interface LifecycleInstitution {
  id: number;
  name: string;
}

/** The operator account that verifies and rejects complaints. */
export const LAPOR_ADMIN_NAME = 'Admin LAPOR!';

/** Status names LAPOR! deployments have shown that the canonical model does not know. */
export const UNKNOWN_STATUS_NAMES: readonly string[] = ['Menunggu Tanggapan Pelapor', 'Menunggu Konfirmasi Pelapor', 'Dalam Peninjauan Ulang'];

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const WIB_OFFSET_MS = 7 * HOUR;

const FIRST_FOLLOWUPS: readonly string[] = [
  'Terima kasih atas laporan Anda. Laporan telah kami terima dan diteruskan kepada bidang terkait untuk dilakukan pengecekan ke lapangan.',
  'Laporan sedang kami tindak lanjuti. Petugas akan melakukan peninjauan ke lokasi dalam waktu dekat dan hasilnya kami sampaikan melalui kanal ini.',
  'Kami telah berkoordinasi dengan unit pelaksana teknis di wilayah terkait. Penanganan dijadwalkan sesuai skala prioritas.',
  'Laporan telah kami pelajari dan masuk dalam daftar penanganan pekan ini. Mohon kesediaan Saudara menunggu informasi selanjutnya.',
  'Terima kasih telah menyampaikan aduan. Tim teknis sedang menyiapkan jadwal dan kebutuhan bahan untuk penanganan di lokasi.',
];

const SECOND_FOLLOWUPS: readonly string[] = [
  'Petugas telah melakukan peninjauan lapangan. Penanganan sedang berjalan dan diperkirakan selesai dalam beberapa hari ke depan.',
  'Sebagian pekerjaan telah dilaksanakan. Sisa penanganan dijadwalkan pada pekan berikutnya setelah bahan tersedia.',
  'Hasil pengecekan menunjukkan permasalahan sesuai dengan laporan. Kami sedang menyelesaikan penanganan bersama pihak terkait.',
  'Penanganan telah dilaksanakan. Apabila masih terdapat kendala di lokasi, mohon sampaikan tanggapan melalui kanal ini.',
];

const REJECTIONS: readonly string[] = [
  'Laporan tidak dapat diproses karena informasi yang disampaikan belum lengkap (lokasi dan waktu kejadian tidak jelas). Silakan sampaikan laporan baru dengan keterangan yang lebih rinci.',
  'Laporan ini merupakan duplikasi dari laporan yang telah disampaikan sebelumnya dan sedang ditindaklanjuti oleh instansi terkait.',
  'Substansi laporan bukan merupakan kewenangan instansi pemerintah yang terhubung dengan SP4N-LAPOR!, sehingga laporan tidak dapat diteruskan.',
  'Laporan berisi permintaan informasi, bukan pengaduan. Silakan menghubungi layanan informasi publik instansi yang bersangkutan.',
];

/** Checks the options and fills in the defaults; throws an Error naming the bad option. */
export function normaliseLifecycle(options: LaporLifecycleOptions): NormalisedLifecycle {
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new Error(`[lapor-simulator] lifecycle.seed must be a whole number, not ${seed}`);
  const rate = options.unknownStatusRate ?? 0;
  if (!(rate >= 0 && rate <= 1)) throw new Error(`[lapor-simulator] lifecycle.unknownStatusRate must be between 0 and 1, not ${rate}`);
  return { seed, weights: normaliseWeights(options.weights), unknownStatusRate: rate, skipWeekends: options.skipWeekends ?? true };
}

function normaliseWeights(given: Partial<Record<LifecycleOutcome, number>> | undefined): Record<LifecycleOutcome, number> {
  if (given === undefined) return { ...DEFAULT_LIFECYCLE_WEIGHTS };
  const weights: Record<LifecycleOutcome, number> = { completed: 0, rejected: 0, unverified: 0, no_followup: 0, stalled: 0 };
  for (const [name, w] of Object.entries(given)) {
    if (!(LIFECYCLE_OUTCOMES as readonly string[]).includes(name)) {
      throw new Error(`[lapor-simulator] lifecycle.weights: unknown outcome "${name}" (expected ${LIFECYCLE_OUTCOMES.join(', ')})`);
    }
    if (w === undefined) continue;
    if (!(Number.isFinite(w) && w >= 0)) throw new Error(`[lapor-simulator] lifecycle.weights.${name} must be a number >= 0, not ${w}`);
    weights[name as LifecycleOutcome] = w;
  }
  if (LIFECYCLE_OUTCOMES.every((o) => weights[o] === 0)) throw new Error('[lapor-simulator] lifecycle.weights: at least one outcome needs a weight > 0');
  return weights;
}

/**
 * The plan of one complaint. `currentDisposition` is the institution the complaint was filed to
 * (if any): the disposition step forwards it to another one from `institutions`.
 */
export function planLifecycle(
  options: NormalisedLifecycle,
  complaintId: string,
  createdAt: Date,
  institutions: readonly LifecycleInstitution[],
  currentDisposition: string | number | null = null,
): LifecyclePlan {
  const rng = mulberry32(planSeed(options.seed, complaintId));
  // every roll is made whatever the outcome, in a fixed order, so one option changing (a weight,
  // the unknown-status rate) does not reshuffle the rest of the plan
  const rolls = {
    outcome: rng(),
    verify: rng(),
    dispose: rng(),
    firstFollowup: rng(),
    secondFollowup: rng(),
    hasSecond: rng(),
    close: rng(),
    hasUnknown: rng(),
    unknownAt: rng(),
    unknownName: rng(),
    institution: rng(),
    texts: [rng(), rng(), rng()] as const,
  };
  const outcome = pickOutcome(options.weights, rolls.outcome);
  const b = new StepBuilder(createdAt.getTime(), options.skipWeekends, rng);
  if (outcome === 'unverified') return { outcome, steps: [] };
  if (outcome === 'rejected') {
    b.after(between(4 * HOUR, 30 * HOUR, rolls.verify), { status: 'Ditolak', followup: { content: pick(REJECTIONS, rolls.texts[0]), institution_name: LAPOR_ADMIN_NAME } });
    return { outcome, steps: b.steps };
  }
  const agency = pickInstitution(institutions, currentDisposition, rolls.institution);
  b.after(between(4 * HOUR, 30 * HOUR, rolls.verify), { status: 'Terverifikasi' });
  b.after(between(2 * HOUR, 24 * HOUR, rolls.dispose), { status: 'Terverifikasi', disposition: { id: agency.id, name: agency.name } });
  if (outcome === 'no_followup') return { outcome, steps: b.steps };
  b.after(between(DAY, 4 * DAY, rolls.firstFollowup), { status: 'Dalam Proses', followup: { content: pick(FIRST_FOLLOWUPS, rolls.texts[1]), institution_name: agency.name } });
  if (outcome === 'stalled') return { outcome, steps: b.steps };
  if (rolls.hasSecond < 0.5) b.after(between(DAY, 3 * DAY, rolls.secondFollowup), { followup: { content: pick(SECOND_FOLLOWUPS, rolls.texts[2]), institution_name: agency.name } });
  const gap = between(3 * DAY, 12 * DAY, rolls.close);
  const lastFollowup = b.last;
  if (rolls.hasUnknown < options.unknownStatusRate) b.after(gap * (0.3 + 0.4 * rolls.unknownAt), { status: pick(UNKNOWN_STATUS_NAMES, rolls.unknownName) });
  b.at(Math.max(lastFollowup + gap, b.last + HOUR), { status: 'Selesai' });
  return { outcome, steps: b.steps };
}

/** Builds the steps in time order, each offset from the one before (moved off weekends if asked). */
class StepBuilder {
  readonly steps: LifecycleStep[] = [];

  constructor(
    private prev: number,
    private readonly skipWeekends: boolean,
    private readonly rng: () => number,
  ) {}

  /** Time (ms) of the latest step (the creation time before the first). */
  get last(): number {
    return this.prev;
  }

  after(offsetMs: number, step: Omit<LifecycleStep, 'at'>): void {
    this.at(this.prev + offsetMs, step);
  }

  at(ms: number, step: Omit<LifecycleStep, 'at'>): void {
    const when = this.skipWeekends ? mondayIfWeekend(Math.round(ms), this.rng()) : Math.round(ms);
    this.prev = Math.max(when, this.prev);
    this.steps.push({ at: new Date(this.prev).toISOString(), ...step });
  }
}

/**
 * A time on a Saturday or Sunday (WIB) moved to the Monday after, between 08:00 and 10:00 WIB
 * (`u` in [0,1) picks the minute); other times unchanged.
 */
export function mondayIfWeekend(ms: number, u: number): number {
  const wib = new Date(ms + WIB_OFFSET_MS);
  const day = wib.getUTCDay(); // 0 Sunday … 6 Saturday, in WIB
  if (day !== 0 && day !== 6) return ms;
  const midnightWib = Date.UTC(wib.getUTCFullYear(), wib.getUTCMonth(), wib.getUTCDate()) - WIB_OFFSET_MS;
  const monday = midnightWib + (day === 6 ? 2 : 1) * DAY;
  return monday + 8 * HOUR + Math.floor(u * 120) * 60_000;
}

/** 32-bit seed of one complaint's plan: FNV-1a of `<seed>:<id>`. */
function planSeed(seed: number, complaintId: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${complaintId}`) {
    h ^= ch.codePointAt(0) as number;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function pickOutcome(weights: Record<LifecycleOutcome, number>, u: number): LifecycleOutcome {
  const total = LIFECYCLE_OUTCOMES.reduce((sum, o) => sum + weights[o], 0);
  let x = u * total;
  for (const o of LIFECYCLE_OUTCOMES) {
    if (weights[o] > 0 && x < weights[o]) return o;
    x -= weights[o];
  }
  return LIFECYCLE_OUTCOMES.filter((o) => weights[o] > 0).at(-1) as LifecycleOutcome; // rounding at the top end
}

/** Another institution than the current disposition (any, when there is no other). */
function pickInstitution(all: readonly LifecycleInstitution[], current: string | number | null, u: number): LifecycleInstitution {
  const others = all.filter((i) => current === null || String(i.id) !== String(current));
  const from = others.length ? others : all;
  if (from.length === 0) throw new Error('[lapor-simulator] lifecycle needs at least one institution');
  return pick(from, u);
}

function pick<T>(items: readonly T[], u: number): T {
  return items[Math.min(items.length - 1, Math.floor(u * items.length))] as T;
}

/** A whole number of minutes in [lo, hi) ms. */
function between(lo: number, hi: number, u: number): number {
  return Math.floor((lo + (hi - lo) * u) / 60_000) * 60_000;
}
