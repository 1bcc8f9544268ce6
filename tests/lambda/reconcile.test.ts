// Drives the reconciliation sweep from source (the `reconcile` export of the handler's bundle entry), configured only
// through its environment, against the JIRA Cloud emulator (every request validated against the OpenAPI contract),
// a real local DynamoDB (dynalite) and a fake CloudWatch answered through aws-sdk-client-mock. Proves that lost
// notifications are healed, that the sweep and the notification path share claims and de-duplication, the write cap,
// mute windows and ownership. It does not prove what real CloudWatch returns (field values, paging, mute rule
// statuses) beyond the SDK's types, nor real JIRA's behaviour beyond the emulator's.
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import type { Context } from "aws-lambda";
import type { ReconcileSummary } from "../../lambda_functions/jira-handler/index";
import { alarmArn, alarmEvent, alarmMessage, fingerprintOf, fixtureMessage, identityLabel, type AlarmMessage } from "../support/events";
import { FakeCloudWatch, HUB_ACCOUNT, HUB_REGION, NOTICE_TOPIC_ARN, SWEEP_ENV, TICKET_TOPIC_ARN } from "../support/fake-cloudwatch";
import { lambdaContext } from "../support/handler-env";
import { FALLBACK_TOPIC_ARN, fakeDateOnly, HANDLER_SOURCE, useHarnesses, type HarnessOptions, type LambdaHarness } from "../support/lambda-harness";

const T0 = Date.parse("2025-01-15T10:30:12.436Z");
const MINUTE = 60_000;
const at = (minutes: number) => T0 + minutes * MINUTE;

const HEALTH = "monitoring-hub-alarm-application-health-test";
const member = (i: number) => `monitoring-hub-alarm-member-application-errors-${String(400000000000 + i)}-test`;
const SWEEP_EVENT = { source: "monitoring-hub.reconcile" };

type Reconcile = (event: unknown, context?: Context) => Promise<ReconcileSummary>;

const cloudWatch = new FakeCloudWatch();
const startHarness = useHarnesses();
let h: LambdaHarness;

/** Starts the emulator and local AWS with the sweep's environment, then cold-starts the sweep. */
async function start(options: HarnessOptions = {}): Promise<LambdaHarness> {
  h = await startHarness({ ...options, env: { ...SWEEP_ENV, ...options.env } });
  reconcile = coldStartReconcile();
  return h;
}

/** A cold start of the sweep's function: its own module instance, as a second Lambda function of the same bundle. */
function coldStartReconcile(): Reconcile {
  let loaded: Reconcile | undefined;
  jest.isolateModules(() => {
    loaded = (require(HANDLER_SOURCE) as { reconcile: Reconcile }).reconcile;
  });
  if (typeof loaded !== "function") throw new Error(`${HANDLER_SOURCE} does not export reconcile`);
  return loaded;
}

let reconcile: Reconcile;

/** Sets the clock and runs one scheduled sweep. */
async function sweep(minutes: number, budgetMs = 300_000): Promise<ReconcileSummary> {
  jest.setSystemTime(at(minutes));
  return reconcile(SWEEP_EVENT, lambdaContext(budgetMs));
}

/** The notification CloudWatch sends to the ticket topic for the composite (the composite fixture, renamed). */
const COMPOSITE = fixtureMessage("sns-composite-alarm-ALARM.json");
function notification(name: string, state: "ALARM" | "OK", minutes: number): AlarmMessage {
  return alarmMessage(COMPOSITE, { name, account: HUB_ACCOUNT, region: HUB_REGION, state, oldState: state === "ALARM" ? "OK" : "ALARM", at: at(minutes) });
}

/** JIRA writes since the last reset: creates, comments and transitions. */
function jiraWrites(): number {
  const c = h.jira.counters;
  return c.createIssue + c.addComment + c.doTransition;
}

function expectContractKept(): void {
  expect(h.jira.violations).toEqual([]);
  const intoDone = h.jira.issues().flatMap((i) => h.jira.commentsOf(i.key).filter((c) => c.onStatusCategory === "done").map((c) => `${i.key}: ${c.text}`));
  expect(intoDone).toEqual([]);
}

beforeAll(() => fakeDateOnly(T0));
afterAll(() => {
  jest.useRealTimers();
  cloudWatch.stub.restore();
});
beforeEach(() => cloudWatch.reset());

describe("healing lost notifications", () => {
  it("opens the ticket of an alarm in ALARM whose notification was lost, saying the sweep opened it, once", async () => {
    await start();
    cloudWatch.set(HEALTH, { state: "ALARM", since: at(0) });

    const first = await sweep(1);
    const second = await sweep(6);

    const [issue] = h.jira.issues();
    expect(h.jira.issues()).toHaveLength(1);
    expect(issue.labels).toEqual(expect.arrayContaining(["cloudwatch-alarm", identityLabel(alarmArn(HUB_REGION, HUB_ACCOUNT, HEALTH))]));
    expect(issue.summary).toBe(`ALARM: ${HEALTH} (${HUB_ACCOUNT}, ${HUB_REGION})`);
    expect(issue.descriptionText).toContain("Opened by the reconciliation sweep");
    expect(issue.descriptionText).toContain("Alarm rule");
    expect(first).toMatchObject({ owned: 1, opened: 1, remaining: 0, jiraWrites: 1 });
    expect(second).toMatchObject({ owned: 1, opened: 0, jiraWrites: 0 });
    expect((await h.aws.records()).map((r) => [r.fingerprint, r.issueKey, r.ticketOpen])).toEqual([[fingerprintOf(alarmArn(HUB_REGION, HUB_ACCOUNT, HEALTH)), "OPS-1", true]]);
    expect(h.aws.notices).toEqual([]);
    expectContractKept();
  });

  it("resolves the ticket of an alarm whose OK was lost, only once the grace period has passed", async () => {
    await start();
    jest.setSystemTime(at(0) + 700);
    await h.invoke(alarmEvent(notification(HEALTH, "ALARM", 0)));
    cloudWatch.set(HEALTH, { state: "OK", since: at(10) });

    h.jira.resetRequests();
    const inGrace = await sweep(19);
    const requestsInGrace = h.jira.requests.length;
    const healed = await sweep(21);
    h.jira.resetRequests();
    const after = await sweep(26);

    expect(requestsInGrace).toBe(0);
    expect(inGrace).toMatchObject({ resolved: 0, jiraWrites: 0 });
    expect(healed).toMatchObject({ resolved: 1, jiraWrites: 2 });
    expect(h.jira.issue("OPS-1")).toMatchObject({ statusCategory: "done", resolution: "Done" });
    expect(h.jira.commentsOf("OPS-1").map((c) => c.text)).toEqual([expect.stringContaining("Found by the reconciliation sweep: the alarm has been OK since")]);
    expect(after).toMatchObject({ resolved: 0, jiraWrites: 0 });
    expect(h.jira.requests).toEqual([]);
    expectContractKept();
  });

  it("leaves an alarm the notification path already ticketed alone: no comment, no JIRA request", async () => {
    await start();
    jest.setSystemTime(at(0) + 700);
    await h.invoke(alarmEvent(notification(HEALTH, "ALARM", 0)));
    cloudWatch.set(HEALTH, { state: "ALARM", since: at(0) });
    h.jira.resetRequests();

    const summary = await sweep(30);

    expect(h.jira.requests).toEqual([]);
    expect(summary).toMatchObject({ owned: 1, opened: 0, inSync: 0, jiraWrites: 0 });
    expect(h.jira.commentsOf("OPS-1")).toEqual([]);
  });

  it("recovers a lost table record from JIRA's label search instead of opening a second ticket, and does not comment", async () => {
    await start();
    jest.setSystemTime(at(0) + 700);
    await h.invoke(alarmEvent(notification(HEALTH, "ALARM", 0)));
    await h.aws.deleteRecord(fingerprintOf(alarmArn(HUB_REGION, HUB_ACCOUNT, HEALTH)));
    // DescribeAlarms' timestamp need not equal the notification's StateChangeTime to the millisecond.
    cloudWatch.set(HEALTH, { state: "ALARM", since: at(0) + 1234 });
    h.jira.resetRequests();

    const summary = await sweep(30);

    expect(h.jira.counters).toMatchObject({ search: 1, createIssue: 0, addComment: 0, doTransition: 0 });
    expect(summary).toMatchObject({ opened: 0, inSync: 1, jiraWrites: 0 });
    expect((await h.aws.records()).map((r) => [r.issueKey, r.ticketOpen])).toEqual([["OPS-1", true]]);
    expectContractKept();
  });

  it.each(["the notification", "the sweep"])("makes one ticket when a sweep races the ALARM notification of the same state change (%s first)", async (first) => {
    await start();
    h.jira.setLatency(40);
    cloudWatch.set(HEALTH, { state: "ALARM", since: at(0) });
    const handler = h.coldStart();
    jest.setSystemTime(at(0) + 700);
    const deliver = () => handler(alarmEvent(notification(HEALTH, "ALARM", 0)), lambdaContext(60_000));
    const runSweep = () => reconcile(SWEEP_EVENT, lambdaContext(300_000));

    const summary = first === "the sweep" ? (await Promise.all([runSweep(), deliver()]))[0] : (await Promise.all([deliver(), runSweep()]))[1];
    await h.invoke(alarmEvent(notification(HEALTH, "ALARM", 0)));
    await sweep(5);

    expect(h.jira.issues()).toHaveLength(1);
    expect(h.jira.counters.createIssue).toBe(1);
    expect(h.jira.counters.addComment).toBe(0);
    expect(summary.owned).toBe(1);
    expect((await h.aws.records()).map((r) => [r.issueKey, r.ticketOpen, r.leaseToken])).toEqual([["OPS-1", true, undefined]]);
    expect(h.aws.notices).toEqual([]);
    expectContractKept();
  });

  it("works a storm of 200 alarms in ALARM through across runs, never passing the cap of JIRA writes per run", async () => {
    await start();
    for (let i = 0; i < 200; i += 1) cloudWatch.set(member(i), { state: "ALARM", since: at(0) });

    const perRun: number[] = [];
    const remaining: number[] = [];
    for (let run = 0; run < 11; run += 1) {
      h.jira.resetRequests();
      const summary = await sweep(1 + run * 5);
      perRun.push(jiraWrites());
      remaining.push(summary.remaining);
      expect(summary.jiraWrites).toBe(jiraWrites());
    }

    expect(perRun).toEqual([20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 0]);
    expect(remaining).toEqual([180, 160, 140, 120, 100, 80, 60, 40, 20, 0, 0]);
    expect(h.jira.issues()).toHaveLength(200);
    expect(new Set(h.jira.issues().map((i) => i.summary)).size).toBe(200);
    expect(h.jira.violations).toEqual([]);
  }, 180_000);
});

describe("maintenance windows", () => {
  it("keeps a muted alarm without a ticket while its window is open, and tickets it on the first sweep after", async () => {
    await start();
    cloudWatch.set(HEALTH, { state: "ALARM", since: at(0) });
    cloudWatch.mute(HEALTH);

    const during = await sweep(5);
    const requestsDuring = h.jira.requests.length;
    cloudWatch.unmute(HEALTH);
    const after = await sweep(125);

    expect(requestsDuring).toBe(0);
    expect(during).toMatchObject({ owned: 1, muted: 1, opened: 0, jiraWrites: 0 });
    expect(after).toMatchObject({ muted: 0, opened: 1 });
    expect(h.jira.issues()).toHaveLength(1);
    expect(h.jira.issue("OPS-1").descriptionText).toContain("muted by a maintenance window");
    expect(cloudWatch.muteCalls).toEqual([
      { AlarmName: HEALTH, Statuses: ["ACTIVE"], NextToken: undefined },
      { AlarmName: HEALTH, Statuses: ["ACTIVE"], NextToken: undefined },
    ]);
    expectContractKept();
  });
});

describe("ownership", () => {
  it("never touches alarms it does not own: another environment, another topic, another prefix", async () => {
    await start();
    cloudWatch.set("monitoring-hub-alarm-application-health-prod", { state: "ALARM", since: at(0), actions: [TICKET_TOPIC_ARN.replace("-test", "-prod")] });
    cloudWatch.set("monitoring-hub-alarm-application-health-team-test", { state: "ALARM", since: at(0), actions: [TICKET_TOPIC_ARN.replace("-test", "-team-test")] });
    cloudWatch.set("monitoring-hub-alarm-application-errors-test", { state: "ALARM", since: at(0), actions: [NOTICE_TOPIC_ARN] });
    cloudWatch.set("other-app-alarm-health-test", { state: "ALARM", since: at(0) });

    const summary = await sweep(5);

    expect(summary).toMatchObject({ owned: 0, ignored: 3, opened: 0, jiraWrites: 0 });
    expect(h.jira.requests).toEqual([]);
    expect(await h.aws.records()).toEqual([]);
    expect(cloudWatch.muteCalls).toEqual([]);
    expect(cloudWatch.describeCalls).toEqual([{ AlarmNamePrefix: "monitoring-hub-alarm-", AlarmTypes: ["CompositeAlarm", "MetricAlarm"], MaxRecords: 100, NextToken: undefined }]);
  });

  it("ignores an event that is not the schedule's", async () => {
    await start();
    cloudWatch.set(HEALTH, { state: "ALARM", since: at(0) });
    jest.setSystemTime(at(5));

    const summary = await reconcile({ Records: [] }, lambdaContext(300_000));

    expect(summary).toMatchObject({ pages: 0, owned: 0 });
    expect(cloudWatch.describeCalls).toEqual([]);
    expect(h.jira.requests).toEqual([]);
  });
});

describe("paging and failures", () => {
  it("pages through DescribeAlarms with NextToken and works the alarms of every page", async () => {
    await start();
    cloudWatch.pageSize = 2;
    for (let i = 0; i < 5; i += 1) cloudWatch.set(member(i), { state: "ALARM", since: at(0) });

    const summary = await sweep(5);

    expect(cloudWatch.describeCalls.map((c) => c.NextToken)).toEqual([undefined, "page-2", "page-4"]);
    expect(summary).toMatchObject({ pages: 3, owned: 5, opened: 5 });
    expect(h.jira.issues()).toHaveLength(5);
  });

  it("goes on after a JIRA failure on one alarm, then sends one notice and fails, keeping what it did", async () => {
    await start();
    for (let i = 0; i < 3; i += 1) cloudWatch.set(member(i), { state: "ALARM", since: at(0) });
    h.jira.failNext(1, { status: 400, body: { errorMessages: [], errors: { customfield_10001: "Team is required." } } }, { method: "POST", path: "/rest/api/3/issue" });

    jest.setSystemTime(at(5));
    await expect(reconcile(SWEEP_EVENT, lambdaContext(300_000))).rejects.toThrow(/failed on 1 alarm\(s\) \(monitoring-hub-alarm-member-application-errors-400000000000-test\)/);

    expect(h.jira.issues().map((i) => i.summary)).toEqual([expect.stringContaining(member(1)), expect.stringContaining(member(2))]);
    expect(h.aws.notices).toHaveLength(1);
    expect(h.aws.notices[0]).toMatchObject({ topicArn: FALLBACK_TOPIC_ARN, subject: "Reconciliation sweep failed on 1 alarm(s)" });
    expect(h.aws.notices[0].message).toContain(`${member(0)} (ALARM): tried to create a ticket; JiraRejectedError`);
    expect(h.aws.notices[0].message).toContain("the next scheduled sweep tries these alarms again");

    const next = await sweep(10);

    expect(next).toMatchObject({ opened: 1, jiraWrites: 1 });
    expect(h.jira.issues()).toHaveLength(3);
    expect(h.aws.notices).toHaveLength(1);
    expectContractKept();
  });

  it("sends one notice and fails when DescribeAlarms itself fails", async () => {
    await start();
    cloudWatch.stub.on(DescribeAlarmsCommand).rejects(Object.assign(new Error("User is not authorized to perform: cloudwatch:DescribeAlarms"), { name: "AccessDenied" }));

    jest.setSystemTime(at(5));
    await expect(reconcile(SWEEP_EVENT, lambdaContext(300_000))).rejects.toThrow(/failed on 1 alarm/);

    expect(h.aws.notices).toHaveLength(1);
    expect(h.aws.notices[0].message).toContain("tried to list the hub's alarms (DescribeAlarms); AccessDenied");
    expect(h.jira.requests).toEqual([]);
  });
});
