// Builds the esbuild bundle the stack deploys and runs it (with its own bundled AWS SDK, which aws-sdk-client-mock
// could not reach) against the JIRA emulator and local AWS endpoints. Proves the shipped artifact loads and completes a
// ticket round trip; the scenario suites prove the behaviour in depth against the sources.
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeJiraHandlerBundle, type WrittenBundle } from "../../lib/lambda-bundle";
import { alarmEvent, alarmMessage, fixtureMessage, identityLabel } from "../support/events";
import { fakeDateOnly, useHarnesses } from "../support/lambda-harness";

const T0 = Date.parse("2025-01-15T10:30:12.436Z");
const at = (minutes: number) => T0 + minutes * 60_000;
const METRIC = fixtureMessage("sns-metric-alarm-ALARM.json");

const start = useHarnesses();
let outDir: string;
let bundle: WrittenBundle;

beforeAll(() => {
  outDir = mkdtempSync(path.join(os.tmpdir(), "jira-handler-bundle-"));
  bundle = writeJiraHandlerBundle(outDir);
  fakeDateOnly(T0);
});

afterAll(() => {
  jest.useRealTimers();
  rmSync(outDir, { recursive: true, force: true });
});

describe("the bundled JIRA handler", () => {
  it("is one CommonJS file in the requested directory", () => {
    expect(bundle.file).toBe(path.join(outDir, "index.js"));
    expect(bundle.code.length).toBeGreaterThan(0);
  });

  it("opens a ticket on ALARM and resolves it on OK", async () => {
    const h = await start({ entry: bundle.file });
    const deliver = async (minutes: number, state: "ALARM" | "OK") => {
      jest.setSystemTime(at(minutes) + 700);
      await h.invoke(alarmEvent(alarmMessage(METRIC, { state, oldState: state === "OK" ? "ALARM" : "OK", at: at(minutes) })));
    };

    await deliver(0, "ALARM");
    const opened = h.jira.issues();
    await deliver(15, "OK");

    expect(opened).toEqual([expect.objectContaining({ key: "OPS-1", statusCategory: "new", labels: expect.arrayContaining([identityLabel(METRIC.AlarmArn)]) })]);
    expect(h.jira.issue("OPS-1")).toMatchObject({ statusCategory: "done", resolution: "Done" });
    expect(h.jira.commentsOf("OPS-1")).toHaveLength(1);
    expect((await h.aws.records()).map((r) => r.fingerprint)).toHaveLength(1);
    expect(h.aws.secretReads()).toBe(1);
    expect(h.aws.notices).toEqual([]);
    expect(h.jira.violations).toEqual([]);
  });
});
