/**
 * How the program scales with the number of member accounts: the real program (index.ts) under the Pulumi mocks with
 * the dev stack's configuration, but 3, 50 and 500 generated member account ids, with `memberAccountAlarms` off and
 * on. For each it prints two times (medians of a few runs), the resource count and the size of the plan JSON
 * (`npm run plan -- --json`), and the 500/3 time ratios against the target (under 3x). It never fails on a missed
 * target: timing is machine-dependent, so no test asserts it.
 *
 * Every evaluation runs in a fresh child process, because the Pulumi runtime (mocks, config, the resource registry)
 * is global to a process. The two times:
 * - evaluation: inside the child, what the program does once its own modules are loaded: reading and validating the
 *   config, registering every resource (bundling the JIRA Lambda, loading the SDK modules of the resource types on
 *   first use) and building the plan JSON. The stricter figure: most of what is constant is left out.
 * - process: the child's wall clock (Node start and every module included), what `npm run plan -- --json` costs at
 *   that size; the figure the plan's own 3-second target (scripts/bench.ts) is measured on.
 *
 *   node -r ./scripts/register-ts.js scripts/bench-scale.ts [--json] [--runs N]
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { performance } from "perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import { buildPlan, SECRET_MASK } from "./plan-model";
import { MOCK_HUB_ACCOUNT_ID, record, valueOf } from "./recorder";
import { readStackConfig, REPO_ROOT, type StackConfig } from "./stack-config";

/** The member account counts measured. */
export const SIZES = [3, 50, 500] as const;

/** Evaluating 500 member accounts may take less than this many times as long as 3 (the target). */
export const TARGET_RATIO = 3;

/** What one evaluation measured (one child process). */
export interface Evaluation {
  readonly accounts: number;
  readonly memberAlarms: boolean;
  /** Program evaluation and plan building, modules already loaded. */
  readonly evaluationMs: number;
  /** Every resource of the plan, the stack component included (what `npm run plan` counts). */
  readonly resources: number;
  /** Bytes of the plan JSON as `npm run plan -- --json` prints it. */
  readonly planBytes: number;
}

/** The medians of one size and flag over the runs. */
export interface ScaleRow {
  readonly accounts: number;
  readonly memberAlarms: boolean;
  readonly evaluationMs: number;
  /** Wall clock of the whole child process (Node start and module loading included). */
  readonly processMs: number;
  readonly resources: number;
  readonly planBytes: number;
}

/** Everything `main` measured; `--json` prints exactly this. */
export interface ScaleFigures {
  readonly runs: number;
  readonly rows: readonly ScaleRow[];
  /** The largest size's time over the smallest's, per time and flag. */
  readonly ratios: {
    readonly evaluation: { readonly memberAlarmsOff: number; readonly memberAlarmsOn: number };
    readonly process: { readonly memberAlarmsOff: number; readonly memberAlarmsOn: number };
  };
  /** What each member alarm adds to the evaluation at the largest size, in ms (on minus off, per account). */
  readonly msPerMemberAlarm: number;
  readonly targetRatio: number;
}

/**
 * `n` distinct 12-digit account ids, sorted and the same on every run, none of them the mocked hub account (so a
 * member can never be the hub).
 */
export function generatedAccountIds(n: number): string[] {
  const ids = Array.from({ length: n }, (_, i) => String(200_000_000_000 + i * 7_919));
  if (ids.includes(MOCK_HUB_ACCOUNT_ID)) throw new Error("a generated member account id is the hub's");
  return ids;
}

/** `base` with the member accounts and the member-alarm flag replaced, as the engine would pass them. */
export function scaledStackConfig(base: StackConfig, memberAccountIds: readonly string[], memberAlarms: boolean): StackConfig {
  return {
    ...base,
    config: {
      ...base.config,
      [`${base.project}:memberAccountIds`]: JSON.stringify(memberAccountIds),
      [`${base.project}:memberAccountAlarms`]: String(memberAlarms),
    },
  };
}

/** The middle value (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of an empty series");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[mid];
}

/**
 * Evaluates the program once in this process, with the dev stack's config and `accounts` generated member accounts.
 * Call it once per process: the Pulumi runtime and the loaded program are process-wide.
 */
export async function evaluateOnce(accounts: number, memberAlarms: boolean): Promise<Evaluation> {
  const stackConfig = scaledStackConfig(readStackConfig("dev"), generatedAccountIds(accounts), memberAlarms);
  // Module loading is the same at any size and is not program evaluation: load the program's modules (and the SDKs
  // they import) before the clock starts. index.ts itself runs the program when required, so it is required inside.
  require("../lib/monitoring-stack");
  require("../lib/config");

  const started = performance.now();
  const { monitor, result } = await record(() => require("../index") as Record<string, unknown>, stackConfig);
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(result)) {
    if (!pulumi.Output.isInstance(value)) continue;
    outputs[name] = (await pulumi.isSecret(value)) ? SECRET_MASK : await valueOf(value);
  }
  const plan = await buildPlan(stackConfig.project, stackConfig.stack, monitor.all(), outputs);
  const text = JSON.stringify(plan, null, 2);
  const evaluationMs = performance.now() - started;
  return { accounts, memberAlarms, evaluationMs, resources: plan.resources.length, planBytes: Buffer.byteLength(`${text}\n`) };
}

/** Runs {@link evaluateOnce} in a fresh Node process and returns what it measured, with the process's wall clock. */
function evaluateInChild(accounts: number, memberAlarms: boolean): Evaluation & { readonly processMs: number } {
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    ["-r", "./scripts/register-ts.js", path.join("scripts", "bench-scale.ts"), "--evaluate", String(accounts), memberAlarms ? "on" : "off"],
    { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
  );
  const processMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`evaluating ${accounts} member accounts failed:\n${run.stderr}`);
  const lines = run.stdout.trim().split("\n");
  return { ...(JSON.parse(lines[lines.length - 1]) as Evaluation), processMs };
}

/** Options of {@link main}. */
export interface ScaleOptions {
  readonly json: boolean;
  /** Child processes per size and flag; the median is reported. @default 3 */
  readonly runs: number;
}

export function parseArgs(argv: readonly string[]): ScaleOptions {
  let json = false;
  let runs = 3;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === "--json") json = true;
    else if (arg === "--runs") {
      runs = Number(argv[++i]);
      if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs needs a positive whole number");
    } else throw new Error(`unknown argument ${arg}. Usage: bench-scale.ts [--json] [--runs N]`);
  }
  return { json, runs };
}

/** Measures every size with the member alarms off and on, and prints the table (or the figures as JSON). */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<ScaleFigures> {
  const options = parseArgs(argv);
  const rows: ScaleRow[] = [];
  for (const memberAlarms of [false, true]) {
    for (const accounts of SIZES) {
      const runs = Array.from({ length: options.runs }, () => evaluateInChild(accounts, memberAlarms));
      rows.push({
        accounts,
        memberAlarms,
        evaluationMs: Math.round(median(runs.map((r) => r.evaluationMs))),
        processMs: Math.round(median(runs.map((r) => r.processMs))),
        resources: runs[0].resources,
        planBytes: runs[0].planBytes,
      });
    }
  }
  const figures: ScaleFigures = {
    runs: options.runs,
    rows,
    ratios: {
      evaluation: { memberAlarmsOff: sizeRatio(rows, "evaluationMs", false), memberAlarmsOn: sizeRatio(rows, "evaluationMs", true) },
      process: { memberAlarmsOff: sizeRatio(rows, "processMs", false), memberAlarmsOn: sizeRatio(rows, "processMs", true) },
    },
    msPerMemberAlarm: msPerMemberAlarm(rows),
    targetRatio: TARGET_RATIO,
  };
  process.stdout.write(options.json ? `${JSON.stringify(figures, null, 2)}\n` : render(figures));
  return figures;
}

const largest = SIZES[SIZES.length - 1];
const smallest = SIZES[0];
const row = (rows: readonly ScaleRow[], accounts: number, memberAlarms: boolean) => {
  const found = rows.find((r) => r.accounts === accounts && r.memberAlarms === memberAlarms);
  if (!found) throw new Error(`no figures for ${accounts} accounts with member alarms ${memberAlarms ? "on" : "off"}`);
  return found;
};

/** The largest size's time over the smallest's, rounded to 0.01. */
export function sizeRatio(rows: readonly ScaleRow[], time: "evaluationMs" | "processMs", memberAlarms: boolean): number {
  return Math.round((row(rows, largest, memberAlarms)[time] / row(rows, smallest, memberAlarms)[time]) * 100) / 100;
}

/** Evaluation time the member alarms add at the largest size, per alarm (one per account), rounded to 0.1 ms. */
export function msPerMemberAlarm(rows: readonly ScaleRow[]): number {
  return Math.round(((row(rows, largest, true).evaluationMs - row(rows, largest, false).evaluationMs) / largest) * 10) / 10;
}

/** The figures as a table with the verdicts on the ratio target. */
export function render(f: ScaleFigures): string {
  const verdict = (ratio: number) => (ratio < f.targetRatio ? "ok" : "OVER TARGET");
  const ratios = (r: { readonly memberAlarmsOff: number; readonly memberAlarmsOn: number }) =>
    `${r.memberAlarmsOff}x with member alarms off (${verdict(r.memberAlarmsOff)}), ${r.memberAlarmsOn}x on (${verdict(r.memberAlarmsOn)})`;
  const line = (r: ScaleRow) =>
    [
      String(r.accounts).padStart(8),
      (r.memberAlarms ? "on" : "off").padEnd(13),
      `${r.evaluationMs} ms`.padStart(13),
      `${r.processMs} ms`.padStart(10),
      String(r.resources).padStart(9),
      `${(r.planBytes / 1000).toFixed(1)} KB`.padStart(11),
    ].join("  ");
  return [
    `Scale: the program under mocks, dev stack config with generated member accounts (median of ${f.runs} child processes)`,
    `${"accounts".padStart(8)}  ${"member alarms".padEnd(13)}  ${"evaluation".padStart(13)}  ${"process".padStart(10)}  ${"resources".padStart(9)}  ${"plan JSON".padStart(11)}`,
    ...f.rows.map(line),
    `${largest}/${smallest} accounts, target < ${f.targetRatio}x:`,
    `  evaluation  ${ratios(f.ratios.evaluation)}`,
    `  process     ${ratios(f.ratios.process)}`,
    `each member alarm adds ${f.msPerMemberAlarm} ms of evaluation (one MetricAlarm registration under the mocks)`,
    "",
  ].join("\n");
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const job =
    argv[0] === "--evaluate"
      ? evaluateOnce(Number(argv[1]), argv[2] === "on").then((e) => process.stdout.write(`${JSON.stringify(e)}\n`))
      : main(argv);
  job.then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
