/**
 * `npm run bench`: prints figures for the speed and memory targets (never asserted in tests).
 * - the offline plan against a bare Node start (target: under 3.0 s, what an equivalent CDK app takes here);
 * - program evaluation for 3, 50 and 500 member accounts (scripts/bench-scale.ts);
 * - the JIRA Lambda bundle: size, load time, warm handling time and peak memory (scripts/bench-lambda.ts).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { main as benchLambda } from "./bench-lambda";
import { main as benchScale } from "./bench-scale";
import { REPO_ROOT } from "./stack-config";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[mid];
}

/** Wall-clock milliseconds of one command, run to completion; a failing command aborts the benchmark. */
function timeCommand(command: string, args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${run.stderr}`);
  return ms;
}

function benchPlan(): void {
  const bare = median(Array.from({ length: RUNS }, () => timeCommand(process.execPath, ["-e", ""])));
  const planArgs = ["-r", "./scripts/register-ts.js", path.join("scripts", "plan.ts"), "--json"];
  const plan = median(Array.from({ length: RUNS }, () => timeCommand(process.execPath, planArgs)));
  console.log("Offline plan (npm run plan -- --json, dev stack), median of", RUNS, "runs");
  console.log(`  bare node start      ${bare.toFixed(0).padStart(6)} ms`);
  console.log(`  plan                 ${plan.toFixed(0).padStart(6)} ms   target < 3000 ms (CDK + cdk-monitoring-constructs: 3.0 s)  ${plan < 3000 ? "OK" : "MISSED"}`);
}

async function benchAll(): Promise<void> {
  benchPlan();
  console.log("");
  await benchScale([]);
  console.log("");
  await benchLambda([]);
}

if (require.main === module) {
  benchAll().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
