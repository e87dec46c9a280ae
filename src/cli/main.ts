#!/usr/bin/env node
/**
 * `sp4n-bridge` — the one binary. Exit codes: 0 ok, 1 failure, 2 usage error.
 * Commands load their modules lazily so `--help` stays fast.
 */
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, formatProblem } from '../settings/load-settings.js';
import { redactText } from '../util/redact.js';
import { DEFAULT_CONFIG, type GlobalOptions } from './context.js';
import { UsageError } from './output.js';


function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

let exitCode = 0;

/** Wraps a command: runs it, maps errors to exit codes and messages (usage vs failure). */
function run<A extends unknown[]>(fn: (g: GlobalOptions, ...args: A) => Promise<number> | number) {
  return async (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const positional = args.slice(0, -1) as A;
    const g = globals(cmd);
    // adapter plugins named by source files load before the configuration is validated
    await (await import('../adapters/plugins.js')).preloadPlugins(g.config);
    exitCode = await fn(g, ...positional);
  };
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('sp4n-bridge')
    .description('Carries citizen complaints from local complaint apps into SP4N-LAPOR!, exactly once, with an auditable SQLite ledger.')
    .option('-c, --config <file>', 'main configuration file', DEFAULT_CONFIG)
    .option('--json', 'machine-readable output (one JSON document on stdout)')
    .addOption(new Option('--log-level <level>', 'log level (logs go to stderr)').choices(['error', 'warn', 'info', 'debug']))
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('demo')
    .description('sandbox: start simulated Bebeja and LAPOR! in-process, seed complaints, run a full cycle and show what happened')
    .option('--dir <dir>', 'where to keep the demo config and ledger (default: a new temporary folder)')
    .action(run(async (g, o: { dir?: string }) => (await import('./commands/demo.js')).demoCommand(g, o)));

  program
    .command('daemon')
    .description('run every source on its cron schedule and deliver continuously, until SIGTERM (graceful: sends in flight finish)')
    .option('--once', 'run one full cycle through the scheduler, then stop (for a cron job or a smoke test)')
    .action(run(async (g, o: { once?: boolean }) => (await import('./commands/daemon.js')).daemonCommand(g, o)));

  program
    .command('sync')
    .description('run one cycle now: pull every source (or one), then deliver what is due')
    .option('-s, --source <id>', 'only this source')
    .option('--dry-run', 'map and compare with the ledger, but write and send nothing')
    .option('--since <date>', 'backfill: read from this date (YYYY-MM-DD in WIB, or ISO 8601) instead of the saved cursor')
    .option('--full', 'full re-scan: read everything; the ledger skips what it already has')
    .action(run(async (g, o: Record<string, unknown>) => (await import('./commands/sync.js')).syncCommand(g, o)));

  program
    .command('follow')
    .description('follow delivered complaints now: read their status and follow-ups from LAPOR!, write each change back to the source once, refresh SLA deadlines')
    .option('-s, --source <id>', 'only complaints from this source')
    .option('--all', 'check unfinished complaints now even if their next check is not due (still at most follow.max_per_run)')
    .option('--retry-failed-write-backs', 'queue write-backs that failed for good again (e.g. after the source fixed what it refused); needs --reason')
    .option('--reason <text>', 'why, recorded in the ledger with your user name')
    .addHelpText('after', '\nThe daemon runs this on follow.schedule. Checks adapt: unverified complaints every follow.check_new_every,\nactive ones every check_active_every, quiet ones every check_quiet_every, closed or rejected ones never.\nOverdue complaints: sp4n-bridge ledger report --sla')
    .action(run(async (g, o: Record<string, unknown>) => (await import('./commands/follow.js')).followCommand(g, o)));

  const config = program.command('config').description('configuration tools');
  config
    .command('check')
    .description('validate every configuration file and secret reference; exit 1 on any problem')
    .action(run(async (g) => (await import('./commands/config-check.js')).configCheck(g)));

  const mapping = program.command('mapping').description('mapping tools for integration officers (read-only: never write the ledger, never call LAPOR!)');
  mapping
    .command('preview')
    .description('show source record → canonical complaint → LAPOR! payload for a few records, with each warning and quarantine reason at its field; personal data masked; exit 0 (1 with --strict if any record is quarantined)')
    .requiredOption('-s, --source <id>', 'the source whose mapping to preview')
    .option('-i, --input <file>', 'raw records from a JSON file (an array, or { "data": [...] }) instead of the live source')
    .option('--limit <n>', 'at most n records (default: 5 from the live source, all of an --input file)')
    .option('--since <date>', 'live source: read from this date (YYYY-MM-DD in WIB, or ISO 8601) instead of the oldest records')
    .option('--full', 'also print the three documents in full after each table')
    .option('--strict', 'exit 1 when any record is quarantined (for checking a mapping change)')
    .action(run(async (g, o: { source: string }) => (await import('./commands/mapping.js')).mappingPreview(g, o)));
  mapping
    .command('coverage')
    .description('count, per mapped field, the values that missed a lookup, fell back, were defaulted, dropped or failed, most frequent first — which rows to add to which lookup file')
    .requiredOption('-s, --source <id>', 'the source to count')
    .option('-i, --input <file>', 'raw records from a JSON file (an array, or { "data": [...] }) instead of the live source')
    .option('--limit <n>', 'at most n records (default: 1000 from the live source, all of an --input file)')
    .option('--since <date>', 'live source: read from this date (YYYY-MM-DD in WIB, or ISO 8601)')
    .option('--from-ledger', "count the ledger's quarantine reasons and stored warnings instead (read-only; needs no LAPOR! secrets)")
    .option('--ledger <file>', 'with --from-ledger: ledger file (default: ledger.path from --config)')
    .action(run(async (g, o: { source: string }) => (await import('./commands/mapping.js')).mappingCoverage(g, o)));

  const lapor = program.command('lapor').description('LAPOR! destination tools');
  lapor
    .command('masters')
    .description('fetch LAPOR! institutions (and categories, where offered) into lookup CSV files for mappings (lapor-v3 only)')
    .option('-o, --out <dir>', 'folder to write lapor-institutions.csv and lapor-categories.csv (default: lookups_dir of the configuration, normally config/lookups/)')
    .option('--categories-path <path>', 'category list path under the base URL (404 ⇒ skipped with a notice)', '/masters/categories')
    .option('--no-categories', 'do not fetch categories')
    .option('--page-size <n>', 'page_size asked for (pages are followed by next_page_url)', '1000')
    .action(run(async (g, o: Record<string, string | boolean>) => (await import('./commands/lapor.js')).laporMasters(g, o)));

  program
    .command('doctor')
    .description('check every source, the destination and the ledger; prints OK / WARN / FAIL with a hint each; exit 1 if anything FAILs (WARNs are printed, exit 0)')
    .option('--timeout <duration>', 'per check, e.g. 10s', '10s')
    .action(run(async (g, o: { timeout: string }) => (await import('./commands/doctor.js')).doctorCommand(g, o)));

  const ledger = program.command('ledger').description('query the ledger (read-only; needs no LAPOR! secrets)');
  const ledgerOpt = (c: Command) => c.option('--ledger <file>', 'ledger file (default: ledger.path from --config)');
  ledgerOpt(ledger.command('status').description('records by state, warnings, paused destinations, last runs')).action(
    run(async (g, o: { ledger?: string }) => (await import('./commands/ledger.js')).ledgerStatus(g, o)),
  );
  ledgerOpt(ledger.command('list').description('list records, newest first'))
    .option('--state <state>', 'only records in this state')
    .option('-s, --source <id>', 'only this source')
    .option('--limit <n>', 'at most n records', '100')
    .action(run(async (g, o: Record<string, string>) => (await import('./commands/ledger.js')).ledgerList(g, o)));
  ledgerOpt(ledger.command('verify').description('prove the event log is complete and unedited, and every record is where its history ends; exit 1 if not'))
    .option('--anchor', 'also print the head hash, to record elsewhere (e.g. in a signed monthly report)')
    .option('--expect <hash>', 'a head hash recorded earlier: it must still be in the chain')
    .action(run(async (g, o: Record<string, unknown>) => (await import('./commands/ledger.js')).ledgerVerify(g, o)));
  ledgerOpt(ledger.command('export').description('export for auditors: CSV (UTF-8 with BOM), JSON lines, or XLSX (one sheet per table)'))
    .option('--format <f>', 'csv | jsonl | xlsx', 'csv')
    .option('--table <t>', 'records | attempts | events | statuses | write_backs (csv/jsonl; xlsx has them all)', 'records')
    .option('-o, --out <file>', 'write here instead of stdout (required for xlsx)')
    .option('-s, --source <id>', 'only this source')
    .option('--state <state>', 'only records in this state')
    .option('--from <date>', 'received on or after (YYYY-MM-DD WIB, or ISO 8601)')
    .option('--to <date>', 'received before')
    .option('--agency <id>', 'target agency: LAPOR! institution id or source code')
    .option('--include-personal', 'include reporter name, phone and e-mail (recorded in the ledger; needs --reason)')
    .option('--reason <why>', 'why personal data is exported')
    .action(run(async (g, o: Record<string, unknown>) => (await import('./commands/ledger-export.js')).ledgerExport(g, o)));
  ledgerOpt(ledger.command('report').description('received / delivered / rejected / quarantined / still owed by source and category, delivery and first follow-up times, SLA breaches; with --sla the overdue and at-risk complaints by agency and source'))
    .option('--period <YYYY-MM>', 'one month (WIB); default all time (with --sla: submitted to LAPOR! in that month)')
    .option('--format <f>', 'table | json | csv')
    .option('--sla', 'overdue and at-risk complaints (SLA in working days), grouped by agency and source')
    .option('-s, --source <id>', 'with --sla: only this source')
    .option('--as-of <time>', 'evaluate the SLA at this time (ISO 8601; default now)')
    .action(run(async (g, o: Record<string, string>) => (await import('./commands/ledger.js')).ledgerReportCommand(g, o)));
  ledgerOpt(ledger.command('backup').description('write a consistent copy of the ledger (online, VACUUM INTO) and verify it').argument('<file>', 'the new backup file'))
    .action(run(async (g, file: string, o: { ledger?: string }) => (await import('./commands/ledger.js')).ledgerBackup(g, file, o)));
  ledgerOpt(ledger.command('purge-personal').description('retention: remove reporter data from settled records older than N days (events and hashes stay verifiable)'))
    .requiredOption('--older-than <days>', 'age in days')
    .option('--reason <why>', 'recorded in the ledger (required)')
    .action(run(async (g, o: Record<string, string>) => (await import('./commands/ledger.js')).ledgerPurgePersonal(g, o)));
  ledgerOpt(ledger.command('show').description('the full timeline of one complaint').argument('<ref>', 'source/external_id, LAPOR! id, or source ticket')).action(
    run(async (g, ref: string, o: { ledger?: string }) => (await import('./commands/ledger.js')).ledgerShow(g, ref, o)),
  );

  const op = (c: Command) => c.option('--ledger <file>', 'ledger file (default: ledger.path from --config)');
  op(program.command('retry').description('send failed records again now, with the same idempotency key (always safe)').argument('[ref]', 'source/external_id, LAPOR! id or ticket'))
    .option('--state <state>', `every record in this state (${['retry_wait', 'dead', 'rejected'].join(', ')})`)
    .option('--reason <why>', 'recorded in the ledger')
    .action(run(async (g, ref: string | undefined, o: Record<string, string>) => (await import('./commands/operator.js')).retryCommand(g, ref, o)));
  op(program.command('resend').description('send a complaint AGAIN as a new complaint (new key); needs --force and --reason').argument('<ref>', 'source/external_id, LAPOR! id or ticket'))
    .option('--force', 'yes, send a second copy')
    .option('--reason <why>', 'recorded in the ledger')
    .action(run(async (g, ref: string, o: Record<string, unknown>) => (await import('./commands/operator.js')).resendCommand(g, ref, o)));
  op(program.command('resolve').description('settle a record checked by hand (needs_review, in_doubt)').argument('<ref>', 'source/external_id, LAPOR! id or ticket'))
    .option('--lapor-id <id>', 'it is at LAPOR! under this id')
    .option('--resend', 'it is not at LAPOR!: send it')
    .option('--drop', 'give up on it (needs --reason)')
    .option('--reason <why>', 'recorded in the ledger')
    .action(run(async (g, ref: string, o: Record<string, unknown>) => (await import('./commands/operator.js')).resolveCommand(g, ref, o)));
  for (const paused of [true, false]) {
    op(program.command(paused ? 'pause' : 'resume').description(paused ? 'pause delivery to the destination, or intake from one source' : 'resume the destination, or one source'))
      .option('-s, --source <id>', 'this source instead of the destination')
      .option('--reason <why>', paused ? 'why (required)' : 'recorded in the ledger')
      .action(run(async (g, o: Record<string, string>) => (await import('./commands/operator.js')).pauseCommand(g, paused, o)));
  }

  program
    .command('dashboard')
    .description('serve the read-only audit dashboard alone (no daemon); needs ledger.path and dashboard.token from --config, not the LAPOR! secrets')
    .option('-p, --port <port>', 'port (0 = any free port)', '9465')
    .option('--host <host>', 'address to bind (loopback by default; put TLS in front before exposing it)', '127.0.0.1')
    .option('--ledger <file>', 'ledger file (default: ledger.path from --config)')
    .action(run(async (g, o: { port: string; host: string; ledger?: string }) => (await import('./commands/dashboard.js')).dashboardCommand(g, o)));

  const simulate = program.command('simulate').description('run a simulator as a standalone server, to try a config before going live (until SIGINT/SIGTERM)');
  type SimulateOpts = { port: string; host: string }; // and the optional flags; commander fills in what was given
  simulate
    .command('lapor')
    .description('LAPOR! integration API simulator (v3 JSON, or the older XML dialect with --dialect legacy-xml); with --json prints one line {"simulator","base_url","origin","env",...} once listening')
    .option('-p, --port <port>', 'port (0 = any free port)', '8081')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--faults <spec>', 'random faults: match:kind[=status]@rate[:retry-after=N],... e.g. create:status=503@0.1,create:store-then-hang@0.02')
    .option('--fault-seed <n>', 'seed of the fault dice (default 1): same seed, same faults')
    .option('--latency-ms <ms>', 'added delay before every API reply')
    .option('--rate-limit <rps>', 'API requests accepted per second; over it 429 with Retry-After: 1')
    .option('--dialect <v3|legacy-xml>', 'which LAPOR! API to speak: v3 (JSON) or legacy-xml (POST /api/stream/addstream, XML)', 'v3')
    .option('--nest-id', 'answer a create with { data: { complaint_id } } (v3 only)')
    .option('--lifecycle', 'move complaints through statuses and agency follow-ups over time (seeded plans: ~60% completed, 10% each rejected, never verified, never followed up, stalled; outcome shown in /_sim/complaints)')
    .option('--lifecycle-seed <n>', 'with --lifecycle: seed of the plans (default 1): same seed and complaint id, same plan')
    .option('--time-scale <x>', 'with --lifecycle: the simulated clock runs x times faster than real time from start, e.g. 3600 = one simulated hour per second')
    .action(run(async (g, o: SimulateOpts) => (await import('./commands/simulate.js')).simulateCommand(g, 'lapor', o)));
  simulate
    .command('bebeja')
    .description('Bebeja complaint API simulator (demo complaints, or --records generated ones)')
    .option('-p, --port <port>', 'port (0 = any free port)', '8082')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--records <n>', 'serve n generated complaints instead of the demo seed')
    .option('--ties <n>', 'with --records: n of them share one updated_at (paging through a tie group)')
    .option('--shuffle <rate>', 'probability (0..1) that a list request first edits a random record, moving it to the end')
    .action(run(async (g, o: SimulateOpts) => (await import('./commands/simulate.js')).simulateCommand(g, 'bebeja', o)));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`sp4n-bridge: ${redactText(err.message)}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`sp4n-bridge: configuration is invalid:\n${err.problems.map(formatProblem).join('\n')}\nRun "sp4n-bridge config check" for details.\n`);
      return 1;
    }
    process.stderr.write(`sp4n-bridge: ${redactText((err as Error).message ?? String(err))}\n`);
    if (process.env.SP4N_DEBUG) process.stderr.write(`${redactText((err as Error).stack ?? '')}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${(await import('node:fs')).realpathSync(process.argv[1])}`).href;
if (invokedDirectly) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`sp4n-bridge: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

