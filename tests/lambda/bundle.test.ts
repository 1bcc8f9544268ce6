// Builds the esbuild bundle the stack deploys and runs it in a real Node process started with the Lambda 128 MB
// runtime's heap flags (tests/support/bundle-process.ts), against the JIRA emulator and local AWS endpoints running
// here. Not in jest's module VM: the bundle carries the AWS SDK's ES module build, whose `await import("node:http")`
// that VM cannot run, while Node and the Lambda runtime do. Proves the shipped artifact loads and completes a ticket
// round trip in one warm process; the scenario suites prove the behaviour in depth against the sources.
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeJiraHandlerBundle, type WrittenBundle } from "../../lib/lambda-bundle";
import { BundleProcess } from "../support/bundle-process";
import { alarmEvent, alarmMessage, fixtureMessage, identityLabel } from "../support/events";
import { useHarnesses } from "../support/lambda-harness";

const METRIC = fixtureMessage("sns-metric-alarm-ALARM.json");

const start = useHarnesses();
let outDir: string;
let bundle: WrittenBundle;
let child: BundleProcess | undefined;

beforeAll(() => {
  outDir = mkdtempSync(path.join(os.tmpdir(), "jira-handler-bundle-"));
  bundle = writeJiraHandlerBundle(outDir);
});

afterEach(() => {
  child?.kill();
  child = undefined;
});

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe("the bundled JIRA handler", () => {
  it("is one CommonJS file in the requested directory", () => {
    expect(bundle.file).toBe(path.join(outDir, "index.js"));
    expect(bundle.code.length).toBeGreaterThan(0);
  });

  it("opens a ticket on ALARM and resolves it on OK, in a Node process with the Lambda heap flags", async () => {
    const h = await start();
    child = await BundleProcess.start(bundle.file, { env: h.env });
    // The child runs on the real clock, so both state changes lie in the recent past, 15 minutes apart.
    const t0 = Date.now() - 16 * 60_000;
    const deliver = (minutes: number, state: "ALARM" | "OK") =>
      child!.invoke(alarmEvent(alarmMessage(METRIC, { state, oldState: state === "OK" ? "ALARM" : "OK", at: t0 + minutes * 60_000 })));

    const alarm = await deliver(0, "ALARM");
    const opened = h.jira.issues();
    const ok = await deliver(15, "OK");
    await child.stop();

    expect([alarm, ok]).toEqual([
      { ok: true, result: { handled: 1, skipped: 0 } },
      { ok: true, result: { handled: 1, skipped: 0 } },
    ]);
    expect(opened).toEqual([expect.objectContaining({ key: "OPS-1", statusCategory: "new", labels: expect.arrayContaining([identityLabel(METRIC.AlarmArn)]) })]);
    expect(h.jira.issue("OPS-1")).toMatchObject({ statusCategory: "done", resolution: "Done" });
    expect(h.jira.commentsOf("OPS-1")).toHaveLength(1);
    expect((await h.aws.records()).map((r) => r.fingerprint)).toHaveLength(1);
    expect(h.aws.secretReads()).toBe(1);
    expect(h.aws.notices).toEqual([]);
    expect(h.jira.violations).toEqual([]);
  });
});
