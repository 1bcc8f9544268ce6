/**
 * Measures the JIRA Lambda bundle: size (minified, zipped), load time in a fresh Node process against bare Node, warm
 * handling time per notification against the local JIRA emulator, and peak RSS over 1,000 notifications (the highest
 * of three runs, each in a fresh process). Prints figures beside their targets; it never fails on a missed target
 * (timing is machine-dependent, so no test asserts it).
 * It does fail, without printing figures, when a memory run did not handle every notification as the lifecycle
 * requires (tickets, comments, resolutions and table records counted in the emulators): a bundle that crashes, skips
 * or short-cuts notifications must not report a good peak RSS.
 *
 *   node -r ./scripts/register-ts.js scripts/bench-lambda.ts [--json] [--runs N] [--warm N] [--notifications N] [--memory-runs N]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { deflateRawSync } from "node:zlib";
import type { SNSEvent } from "aws-lambda";
import { BUNDLE_PROCESS_ENVIRONMENT } from "../lib/jira-lambda";
import { writeJiraHandlerBundle } from "../lib/lambda-bundle";
import { BundleProcess, LAMBDA_128MB_NODE_FLAGS, type ChildMemory, type InvokeResult } from "../tests/support/bundle-process";
import { alarmEvent, alarmMessage, fixtureMessage, identityLabel, type AlarmMessage } from "../tests/support/events";
import { AMBIENT_AWS_VARIABLES, handlerEnvironment, lambdaContext } from "../tests/support/handler-env";
import { JiraEmulator } from "../tests/support/jira-emulator";
import { startLocalAws, type LocalAws } from "../tests/support/local-aws";

/** The budgets the figures are printed against. */
export const TARGETS = {
  /** The deployment package, zipped (bytes). */
  maxZipBytes: 250_000,
  /** Process start with the bundle loaded, relative to `node -e ''`. */
  maxLoadRatio: 2,
  /** Peak RSS over the memory run (MB); the function has 128 MB. */
  maxPeakRssMb: 100,
} as const;

/** How much to measure. */
export interface BenchOptions {
  /** Fresh-process load runs per variant (the median is reported). @default 15 */
  readonly runs: number;
  /** Warm notifications timed in-process, in ALARM / repeat / OK triples. @default 300 */
  readonly warm: number;
  /** Notifications in each child-process memory run. @default 1000 */
  readonly notifications: number;
  /** Memory runs, each in a fresh process; the highest peak is the figure. @default 3 */
  readonly memoryRuns: number;
}

/** Median and 95th percentile of a series, in ms. */
export interface Spread {
  readonly count: number;
  readonly medianMs: number;
  readonly p95Ms: number;
}

/** Everything `main` measured; `--json` prints exactly this. */
export interface BenchFigures {
  readonly bundle: { readonly minifiedBytes: number; readonly deflatedBytes: number; readonly zipBytes: number; readonly maxZipBytes: number };
  readonly load: { readonly runs: number; readonly bareNodeMs: number; readonly bundleMs: number; readonly ratio: number; readonly maxRatio: number };
  readonly warm: { readonly all: Spread; readonly create: Spread; readonly repeat: Spread; readonly resolve: Spread };
  readonly memory: {
    /** Notifications per run. */
    readonly notifications: number;
    readonly nodeFlags: readonly string[];
    /** The functions' own process variables (BUNDLE_PROCESS_ENVIRONMENT), which the runs get too. */
    readonly processEnvironment: Readonly<Record<string, string>>;
    /** The highest peak of all runs: the figure held against the target. */
    readonly peakRssMb: number;
    /** Each run's peak, in run order. */
    readonly peakRssMbByRun: readonly number[];
    /** RSS once the bundle loaded, and the heap left after a full collection: the highest of the runs'. */
    readonly afterLoadRssMb: number;
    readonly heapAfterGcMb: number;
    readonly maxPeakRssMb: number;
  };
}

const DEFAULTS: BenchOptions = { runs: 15, warm: 300, notifications: 1000, memoryRuns: 3 };

/** The value at quantile `q` (0..1) of `values`, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error("quantile of an empty series");
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Median and p95 of `values`, rounded to 0.01 ms. */
export function spread(values: readonly number[]): Spread {
  const round = (n: number) => Math.round(n * 100) / 100;
  return { count: values.length, medianMs: round(quantile(values, 0.5)), p95Ms: round(quantile(values, 0.95)) };
}

/** Size of a one-entry zip archive holding `name` deflated to `deflatedBytes` (local header, central directory, end record). */
export function zipSize(name: string, deflatedBytes: number): number {
  const nameBytes = Buffer.byteLength(name);
  return 30 + nameBytes + deflatedBytes + 46 + nameBytes + 22;
}

const COUNT_ARGUMENTS: Record<string, keyof BenchOptions> = {
  "--runs": "runs",
  "--warm": "warm",
  "--notifications": "notifications",
  "--memory-runs": "memoryRuns",
};

/** Parses `--json`, `--runs N`, `--warm N`, `--notifications N`, `--memory-runs N`. */
export function parseArgs(argv: readonly string[]): { json: boolean; options: BenchOptions } {
  const options: Record<keyof BenchOptions, number> = { ...DEFAULTS };
  let json = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === "--json") {
      json = true;
    } else if (Object.hasOwn(COUNT_ARGUMENTS, arg)) {
      const value = Number(argv[i + 1]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`${arg} needs a positive whole number`);
      options[COUNT_ARGUMENTS[arg]] = value;
      i += 1;
    } else {
      throw new Error(`unknown argument ${arg}`);
    }
  }
  return { json, options };
}

const BASE = fixtureMessage("sns-metric-alarm-ALARM.json");

/** ALARM (a new ticket), a repeat ALARM (inside the comment cooldown) and OK (comment + resolve) for alarm `i`. */
export function lifecycle(i: number, startMs: number): Array<{ kind: "create" | "repeat" | "resolve"; event: SNSEvent }> {
  const name = `bench-alarm-${i}`;
  const message = (state: "ALARM" | "OK", offsetMs: number): AlarmMessage =>
    alarmMessage(BASE, { name, state, oldState: state === "OK" ? "ALARM" : "OK", at: startMs + offsetMs });
  return [
    { kind: "create", event: alarmEvent(message("ALARM", 0)) },
    { kind: "repeat", event: alarmEvent(message("ALARM", 1000)) },
    { kind: "resolve", event: alarmEvent(message("OK", 2000)) },
  ];
}

const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

function median(values: readonly number[]): number {
  return Math.round(quantile(values, 0.5) * 10) / 10;
}

function timeProcess(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${result.stderr.toString()}`);
  return elapsed;
}

/** The Lambda 128 MB runtime's node flags, which the memory run uses (defined beside the runner that applies them). */
export { LAMBDA_128MB_NODE_FLAGS };

/** One notification of an alarm's lifecycle (see {@link lifecycle}). */
export type Step = ReturnType<typeof lifecycle>[number];

/** Totals of the memory run's invocations; `errors` holds the first three failures. */
export interface InvokeTally {
  readonly invocations: number;
  /** Sum of the handler's `handled` counts. */
  readonly handled: number;
  /** Sum of the handler's `skipped` counts. */
  readonly skipped: number;
  /** Invocations that threw. */
  readonly failed: number;
  readonly errors: ReadonlyArray<{ readonly name: string; readonly message: string }>;
}

/** Adds up what the invocations returned (the handler's `{handled, skipped}`) or threw. */
export function tallyOf(results: readonly InvokeResult[]): InvokeTally {
  let handled = 0;
  let skipped = 0;
  const errors: Array<{ name: string; message: string }> = [];
  for (const result of results) {
    if (result.ok) {
      const summary = result.result as { handled?: number; skipped?: number } | undefined;
      handled += summary?.handled ?? 0;
      skipped += summary?.skipped ?? 0;
    } else {
      errors.push(result.error);
    }
  }
  return { invocations: results.length, handled, skipped, failed: errors.length, errors: errors.slice(0, 3) };
}

/** What the emulators saw before the memory run, so its own effects can be counted. */
export interface Before {
  readonly issues: number;
  readonly records: number;
  readonly secretReads: number;
}

/**
 * Checks that the memory run really handled `steps`: every invocation returned with its record handled, and the
 * emulators hold what the lifecycle produces, counted per alarm: one ticket for its ALARM, a comment for its repeat
 * ALARM (the first repeat has no cooldown to respect), a comment and a resolution for its OK, one table record; one
 * secret read for the whole warm process; no notice, no non-conforming JIRA request.
 * @returns the problems found, empty when the run is proven.
 */
export async function memoryRunProblems(
  steps: readonly Step[],
  tally: InvokeTally,
  jira: Pick<JiraEmulator, "issues" | "commentsOf" | "violations">,
  aws: Pick<LocalAws, "records" | "secretReads" | "notices">,
  before: Before,
): Promise<string[]> {
  const problems: string[] = [];
  if (tally.invocations !== steps.length || tally.handled !== steps.length || tally.skipped !== 0 || tally.failed !== 0) {
    problems.push(
      `${tally.invocations} invocations for ${steps.length} notifications: ${tally.handled} handled, ${tally.skipped} skipped, ${tally.failed} failed` +
        (tally.errors.length === 0 ? "" : ` (${tally.errors.map((e) => `${e.name}: ${e.message}`).join(" | ")})`),
    );
  }
  const expected = new Map<string, { comments: number; resolved: boolean }>();
  for (const step of steps) {
    const label = identityLabel((JSON.parse(step.event.Records[0].Sns.Message) as AlarmMessage).AlarmArn);
    const alarm = expected.get(label) ?? { comments: 0, resolved: false };
    if (step.kind !== "create") alarm.comments += 1;
    if (step.kind === "resolve") alarm.resolved = true;
    expected.set(label, alarm);
  }
  const created = jira.issues().slice(before.issues);
  if (created.length !== expected.size) problems.push(`${created.length} tickets created for ${expected.size} alarms`);
  let wrong = 0;
  for (const issue of created) {
    const label = issue.labels.find((l) => expected.has(l));
    const want = label === undefined ? undefined : expected.get(label);
    if (want === undefined || jira.commentsOf(issue.key).length !== want.comments || (issue.statusCategory === "done") !== want.resolved) wrong += 1;
    if (label !== undefined) expected.delete(label);
  }
  if (wrong > 0) problems.push(`${wrong} tickets with the wrong alarm, comments or status`);
  if (expected.size > 0) problems.push(`${expected.size} alarms without a ticket`);
  const records = (await aws.records()).length - before.records;
  if (records !== created.length) problems.push(`${records} table records for ${created.length} tickets`);
  const secretReads = aws.secretReads() - before.secretReads;
  if (secretReads !== 1) problems.push(`${secretReads} secret reads (one expected: the warm process caches it)`);
  if (aws.notices.length > 0) problems.push(`${aws.notices.length} failure notices, the first: ${aws.notices[0].subject ?? aws.notices[0].message}`);
  if (jira.violations.length > 0) problems.push(`non-conforming JIRA requests: ${JSON.stringify(jira.violations.slice(0, 3))}`);
  return problems;
}

/**
 * One memory run: a fresh process with the Lambda runtime's heap flags and the functions' process variables, logging
 * at INFO as deployed, handles `steps` in order, each event sent only when the previous invocation returned, as the
 * Lambda Runtime API hands a warm container one event at a time. The emulators must then show that every notification
 * was handled.
 */
async function memoryRun(bundleFile: string, env: Readonly<Record<string, string>>, steps: readonly Step[], jira: JiraEmulator, aws: LocalAws): Promise<ChildMemory> {
  const before: Before = { issues: jira.issues().length, records: (await aws.records()).length, secretReads: aws.secretReads() };
  const child = await BundleProcess.start(bundleFile, { env });
  const results: InvokeResult[] = [];
  let memory: ChildMemory;
  try {
    for (const step of steps) results.push(await child.invoke(step.event));
    memory = await child.memory();
    await child.stop();
  } finally {
    child.kill();
  }
  const problems = await memoryRunProblems(steps, tallyOf(results), jira, aws, before);
  if (problems.length > 0) throw new Error(`the notifications were not all handled, so the figures mean nothing: ${problems.join("; ")}`);
  return memory;
}

/** Builds the bundle into a temporary directory, measures it, and returns (and prints) the figures. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<BenchFigures> {
  const { json, options } = parseArgs(argv);
  const workDir = mkdtempSync(path.join(os.tmpdir(), "bench-lambda-"));
  let jira: JiraEmulator | undefined;
  let aws: LocalAws | undefined;
  try {
    const bundle = writeJiraHandlerBundle(workDir);
    const deflatedBytes = deflateRawSync(bundle.code, { level: 9 }).length;

    jira = await JiraEmulator.start({ mode: "cloud" });
    aws = await startLocalAws({ secretString: JSON.stringify({ email: "alerts-bot@example.com", apiToken: "emulator-api-token" }) });
    const handlerEnv = handlerEnvironment(jira, aws, { POWERTOOLS_LOG_LEVEL: "SILENT" });
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...handlerEnv };
    for (const name of AMBIENT_AWS_VARIABLES) delete childEnv[name];

    const bare: number[] = [];
    const loaded: number[] = [];
    for (let i = 0; i < options.runs; i += 1) {
      bare.push(timeProcess(["-e", ""], childEnv));
      loaded.push(timeProcess(["-e", `require(${JSON.stringify(bundle.file)})`], childEnv));
    }

    for (const name of AMBIENT_AWS_VARIABLES) delete process.env[name];
    Object.assign(process.env, handlerEnv);
    const { handler } = require(bundle.file) as { handler: (event: SNSEvent, context: unknown) => Promise<unknown> };
    const startMs = Date.now();
    const warmSteps = Array.from({ length: Math.ceil(options.warm / 3) }, (_, i) => lifecycle(i, startMs)).flat().slice(0, options.warm);
    for (const step of lifecycle(-1, startMs)) await handler(step.event, lambdaContext(30_000));
    const timings: Record<"create" | "repeat" | "resolve", number[]> = { create: [], repeat: [], resolve: [] };
    for (const step of warmSteps) {
      const started = performance.now();
      await handler(step.event, lambdaContext(30_000));
      timings[step.kind].push(performance.now() - started);
    }

    const memoryRuns: ChildMemory[] = [];
    for (let run = 1; run <= options.memoryRuns; run += 1) {
      const steps = Array.from({ length: Math.ceil(options.notifications / 3) }, (_, i) => lifecycle(run * 100_000 + i, startMs))
        .flat()
        .slice(0, options.notifications);
      memoryRuns.push(await memoryRun(bundle.file, { ...handlerEnv, POWERTOOLS_LOG_LEVEL: "INFO", ...BUNDLE_PROCESS_ENVIRONMENT }, steps, jira, aws));
    }
    const highest = (pick: (m: ChildMemory) => number) => mb(Math.max(...memoryRuns.map(pick)));

    const bareNodeMs = median(bare);
    const bundleMs = median(loaded);
    const figures: BenchFigures = {
      bundle: { minifiedBytes: Buffer.byteLength(bundle.code), deflatedBytes, zipBytes: zipSize("index.js", deflatedBytes), maxZipBytes: TARGETS.maxZipBytes },
      load: { runs: options.runs, bareNodeMs, bundleMs, ratio: Math.round((bundleMs / bareNodeMs) * 100) / 100, maxRatio: TARGETS.maxLoadRatio },
      warm: {
        all: spread([...timings.create, ...timings.repeat, ...timings.resolve]),
        create: spread(timings.create),
        repeat: spread(timings.repeat),
        resolve: spread(timings.resolve),
      },
      memory: {
        notifications: options.notifications,
        nodeFlags: [...LAMBDA_128MB_NODE_FLAGS],
        processEnvironment: BUNDLE_PROCESS_ENVIRONMENT,
        peakRssMb: highest((m) => m.maxRssKb),
        peakRssMbByRun: memoryRuns.map((m) => mb(m.maxRssKb)),
        afterLoadRssMb: highest((m) => m.afterLoadKb),
        heapAfterGcMb: highest((m) => m.heapAfterGcKb),
        maxPeakRssMb: TARGETS.maxPeakRssMb,
      },
    };
    process.stdout.write(json ? `${JSON.stringify(figures, null, 2)}\n` : render(figures));
    return figures;
  } finally {
    await jira?.stop();
    await aws?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

const verdict = (ok: boolean) => (ok ? "ok" : "OVER TARGET");

function render(f: BenchFigures): string {
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
  const line = (label: string, s: Spread) => `  ${label.padEnd(22)} median ${s.medianMs} ms, p95 ${s.p95Ms} ms (n=${s.count})`;
  return [
    "JIRA Lambda bundle benchmark",
    `bundle   minified ${kb(f.bundle.minifiedBytes)}, zipped ${kb(f.bundle.zipBytes)} (target < ${kb(f.bundle.maxZipBytes)}): ${verdict(f.bundle.zipBytes < f.bundle.maxZipBytes)}`,
    `load     node -e '' ${f.load.bareNodeMs} ms, with bundle ${f.load.bundleMs} ms, ratio ${f.load.ratio}x (target < ${f.load.maxRatio}x, median of ${f.load.runs}): ${verdict(f.load.ratio < f.load.maxRatio)}`,
    "warm     per notification against the local emulator:",
    line("all", f.warm.all),
    line("ALARM -> create", f.warm.create),
    line("ALARM repeat", f.warm.repeat),
    line("OK -> comment+resolve", f.warm.resolve),
    `memory   peak RSS ${f.memory.peakRssMb} MB over ${f.memory.notifications} notifications, the highest of ${f.memory.peakRssMbByRun.length} runs (target < ${f.memory.maxPeakRssMb} MB): ${verdict(f.memory.peakRssMb < f.memory.maxPeakRssMb)}`,
    `         each run: ${f.memory.peakRssMbByRun.map((v) => `${v} MB`).join(", ")}; at most ${f.memory.afterLoadRssMb} MB after load, ${f.memory.heapAfterGcMb} MB heap after a full GC`,
    `         node ${f.memory.nodeFlags.join(" ")}; ${Object.entries(f.memory.processEnvironment).map(([k, v]) => `${k}=${v}`).join(" ")}`,
    "",
  ].join("\n");
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
