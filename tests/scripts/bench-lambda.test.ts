// The benchmark's pure helpers and the check that its memory run handled every notification; the figures themselves
// are machine-dependent and never asserted.
import { lifecycle, memoryRunProblems, parseArgs, quantile, spread, tallyOf, zipSize, type Step } from "../../scripts/bench-lambda";
import { identityLabel, messageOf } from "../support/events";
import type { EmulatedIssue } from "../support/jira-emulator";

describe("bench-lambda helpers", () => {
  it("takes nearest-rank quantiles", () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];

    expect([quantile(values, 0.5), quantile(values, 0.95), quantile(values, 0), quantile(values, 1)]).toEqual([5, 10, 1, 10]);
  });

  it("summarises a series as median and p95 rounded to 0.01 ms", () => {
    expect(spread([1.234, 2.345, 3.456])).toEqual({ count: 3, medianMs: 2.35, p95Ms: 3.46 });
  });

  it("refuses an empty series", () => {
    expect(() => quantile([], 0.5)).toThrow("quantile of an empty series");
  });

  it("sizes a one-entry zip as the deflated bytes plus headers, central directory and end record", () => {
    expect(zipSize("index.js", 1000)).toBe(1000 + 30 + 8 + 46 + 8 + 22);
  });

  it("parses --json and the counts, and rejects anything else", () => {
    expect(parseArgs(["--json", "--runs", "3", "--warm", "30", "--notifications", "100", "--memory-runs", "5"])).toEqual({
      json: true,
      options: { runs: 3, warm: 30, notifications: 100, memoryRuns: 5 },
    });
    expect(parseArgs([])).toEqual({ json: false, options: { runs: 15, warm: 300, notifications: 1000, memoryRuns: 3 } });
    expect(() => parseArgs(["--runs", "zero"])).toThrow("--runs needs a positive whole number");
    expect(() => parseArgs(["--memory-runs", "0"])).toThrow("--memory-runs needs a positive whole number");
    expect(() => parseArgs(["--fast"])).toThrow("unknown argument --fast");
    expect(() => parseArgs(["--toString", "1"])).toThrow("unknown argument --toString");
  });

  it("tallies what the invocations returned or threw, keeping the first three errors", () => {
    const failure = (message: string) => ({ ok: false as const, error: { name: "Error", message } });
    const results = [
      { ok: true as const, result: { handled: 2, skipped: 1 } },
      failure("one"),
      { ok: true as const, result: { handled: 1, skipped: 0 } },
      failure("two"),
      failure("three"),
      failure("four"),
    ];

    expect(tallyOf(results)).toEqual({
      invocations: 6,
      handled: 3,
      skipped: 1,
      failed: 4,
      errors: [failure("one").error, failure("two").error, failure("three").error],
    });
  });

  describe("memoryRunProblems", () => {
    const steps: Step[] = [...lifecycle(1, Date.now()), ...lifecycle(2, Date.now()).slice(0, 2)];
    const labelOf = (step: Step) => identityLabel(messageOf(step.event.Records[0]).AlarmArn);
    const issue = (key: string, step: Step, statusCategory: "new" | "done") => ({ key, labels: [labelOf(step)], statusCategory }) as unknown as EmulatedIssue;
    const proven = { invocations: 5, handled: 5, skipped: 0, failed: 0, errors: [] };
    const fakes = (issues: EmulatedIssue[], comments: Record<string, number>, records: number) => ({
      jira: { issues: () => issues, commentsOf: (key: string) => Array.from({ length: comments[key] ?? 0 }), violations: [] } as never,
      aws: { records: async () => Array.from({ length: records }, () => ({})), secretReads: () => 1, notices: [] } as never,
    });

    it("finds nothing when every alarm has its ticket, comments, resolution and record", async () => {
      const { jira, aws } = fakes([issue("OPS-1", steps[0], "done"), issue("OPS-2", steps[3], "new")], { "OPS-1": 2, "OPS-2": 1 }, 2);

      expect(await memoryRunProblems(steps, proven, jira, aws, { issues: 0, records: 0, secretReads: 0 })).toEqual([]);
    });

    it("lists failed invocations, missing tickets and records, and wrong comments", async () => {
      const { jira, aws } = fakes([issue("OPS-1", steps[0], "new")], { "OPS-1": 1 }, 1);
      const failing = { invocations: 5, handled: 3, skipped: 0, failed: 2, errors: [{ name: "Error", message: "JIRA down" }] };

      expect(await memoryRunProblems(steps, failing, jira, aws, { issues: 0, records: 0, secretReads: 0 })).toEqual([
        "5 invocations for 5 notifications: 3 handled, 0 skipped, 2 failed (Error: JIRA down)",
        "1 tickets created for 2 alarms",
        "1 tickets with the wrong alarm, comments or status",
        "1 alarms without a ticket",
      ]);
    });
  });
});
