// The scale benchmark's helpers and its child-process protocol; the timings themselves are machine-dependent and never
// asserted.
import { spawnSync } from "child_process";
import * as path from "path";
import {
  generatedAccountIds,
  median,
  msPerMemberAlarm,
  parseArgs,
  render,
  scaledStackConfig,
  sizeRatio,
  type Evaluation,
  type ScaleFigures,
  type ScaleRow,
} from "../../scripts/bench-scale";
import { MOCK_HUB_ACCOUNT_ID } from "../../scripts/recorder";
import { readStackConfig, REPO_ROOT } from "../../scripts/stack-config";

const rows: ScaleRow[] = [
  { accounts: 3, memberAlarms: false, evaluationMs: 400, processMs: 1300, resources: 43, planBytes: 70_000 },
  { accounts: 50, memberAlarms: false, evaluationMs: 410, processMs: 1310, resources: 43, planBytes: 78_800 },
  { accounts: 500, memberAlarms: false, evaluationMs: 500, processMs: 1400, resources: 43, planBytes: 164_600 },
  { accounts: 3, memberAlarms: true, evaluationMs: 420, processMs: 1320, resources: 46, planBytes: 81_200 },
  { accounts: 50, memberAlarms: true, evaluationMs: 800, processMs: 1700, resources: 93, planBytes: 264_900 },
  { accounts: 500, memberAlarms: true, evaluationMs: 3500, processMs: 4500, resources: 543, planBytes: 2_025_900 },
];

describe("bench-scale helpers", () => {
  it("generates distinct, sorted 12-digit member account ids, the same every time, never the hub's", () => {
    const ids = generatedAccountIds(500);

    expect(ids).toHaveLength(500);
    expect(new Set(ids).size).toBe(500);
    expect(ids.every((id) => /^\d{12}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(ids).not.toContain(MOCK_HUB_ACCOUNT_ID);
    expect(generatedAccountIds(3)).toEqual(["200000000000", "200000007919", "200000015838"]);
  });

  it("replaces only the member accounts and the member-alarm flag of the dev stack's config", () => {
    const base = readStackConfig("dev");
    const scaled = scaledStackConfig(base, ["200000000000", "200000007919", "200000015838"], true);

    expect(scaled.config).toEqual({
      ...base.config,
      "monitoring-hub:memberAccountIds": '["200000000000","200000007919","200000015838"]',
      "monitoring-hub:memberAccountAlarms": "true",
    });
    expect({ ...scaled, config: base.config }).toEqual(base);
  });

  it("takes medians of odd and even series and refuses an empty one", () => {
    expect([median([3, 1, 2]), median([4, 1, 3, 2])]).toEqual([2, 2.5]);
    expect(() => median([])).toThrow("median of an empty series");
  });

  it("parses --json and --runs, and rejects anything else", () => {
    expect(parseArgs([])).toEqual({ json: false, runs: 3 });
    expect(parseArgs(["--json", "--runs", "5"])).toEqual({ json: true, runs: 5 });
    expect(() => parseArgs(["--runs", "0"])).toThrow("--runs needs a positive whole number");
    expect(() => parseArgs(["--fast"])).toThrow("unknown argument --fast");
  });

  it("computes the 500/3 ratios and the cost of one member alarm", () => {
    expect([sizeRatio(rows, "evaluationMs", false), sizeRatio(rows, "evaluationMs", true), sizeRatio(rows, "processMs", true)]).toEqual([1.25, 8.33, 3.41]);
    expect(msPerMemberAlarm(rows)).toBe(6);
  });

  it("prints a table and a verdict per time and flag", () => {
    const figures: ScaleFigures = {
      runs: 3,
      rows,
      ratios: { evaluation: { memberAlarmsOff: 1.25, memberAlarmsOn: 8.33 }, process: { memberAlarmsOff: 1.08, memberAlarmsOn: 2.95 } },
      msPerMemberAlarm: 6,
      targetRatio: 3,
    };

    expect(render(figures).split("\n")).toEqual([
      "Scale: the program under mocks, dev stack config with generated member accounts (median of 3 child processes)",
      "accounts  member alarms     evaluation     process  resources    plan JSON",
      "       3  off                   400 ms     1300 ms         43      70.0 KB",
      "      50  off                   410 ms     1310 ms         43      78.8 KB",
      "     500  off                   500 ms     1400 ms         43     164.6 KB",
      "       3  on                    420 ms     1320 ms         46      81.2 KB",
      "      50  on                    800 ms     1700 ms         93     264.9 KB",
      "     500  on                   3500 ms     4500 ms        543    2025.9 KB",
      "500/3 accounts, target < 3x:",
      "  evaluation  1.25x with member alarms off (ok), 8.33x on (OVER TARGET)",
      "  process     1.08x with member alarms off (ok), 2.95x on (ok)",
      "each member alarm adds 6 ms of evaluation (one MetricAlarm registration under the mocks)",
      "",
    ]);
  });
});

describe("bench-scale child evaluation", () => {
  const evaluate = (accounts: number, memberAlarms: "on" | "off"): Evaluation => {
    const run = spawnSync(process.execPath, ["-r", "./scripts/register-ts.js", path.join("scripts", "bench-scale.ts"), "--evaluate", String(accounts), memberAlarms], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout.trim()) as Evaluation;
  };

  it("records the real program in a child and reports one more resource per member account with member alarms on", () => {
    const off = evaluate(3, "off");
    const on = evaluate(5, "on");

    expect([off.accounts, off.memberAlarms, on.accounts, on.memberAlarms]).toEqual([3, false, 5, true]);
    expect(on.resources - off.resources).toBe(5);
    expect(on.planBytes).toBeGreaterThan(off.planBytes);
    expect(off.evaluationMs).toBeGreaterThan(0);
  });
});
