// Drives the handler from source, as a black box configured only through its environment (DESIGN.md "The JIRA
// Lambda"), against a JIRA Cloud emulator that validates every request (OpenAPI + ADF) and real local DynamoDB,
// Secrets Manager and SNS endpoints. Proves the ticket lifecycle and delivery guarantees end to end on loopback; it
// does not prove that real JIRA's workflows, rate limits or search lag match the emulated ones (FACTS 57, 60, 61).
import {
  alarmArn,
  alarmEvent,
  alarmMessage,
  fingerprintOf,
  fixtureMessage,
  fixtureNames,
  identityLabel,
  isSnsEvent,
  metricMathMessage,
  readFixture,
  snsEvent,
  snsRecord,
  type AlarmChange,
  type AlarmMessage,
} from "../support/events";
import { RESOLVE_AS_FIXED_WORKFLOW } from "../support/jira-emulator";
import { FALLBACK_TOPIC_ARN, fakeDateOnly, useHarnesses, type HarnessOptions, type LambdaHarness } from "../support/lambda-harness";

const T0 = Date.parse("2025-01-15T10:30:12.436Z");
const MINUTE = 60_000;
const at = (minutes: number) => T0 + minutes * MINUTE;

const METRIC = fixtureMessage("sns-metric-alarm-ALARM.json");
const COMPOSITE = fixtureMessage("sns-composite-alarm-ALARM.json");
const ARN = METRIC.AlarmArn;
const alarm = (minutes: number, change: AlarmChange = {}) => alarmMessage(METRIC, { state: "ALARM", oldState: "OK", at: at(minutes), ...change });
const ok = (minutes: number, change: AlarmChange = {}) => alarmMessage(METRIC, { state: "OK", oldState: "ALARM", at: at(minutes), ...change });

const startHarness = useHarnesses();
let h: LambdaHarness;

async function start(options: HarnessOptions = {}): Promise<LambdaHarness> {
  h = await startHarness(options);
  return h;
}

/** Sets the faked clock to just after the messages' state change and delivers them as one SNS event. */
async function deliver(minutes: number, ...messages: AlarmMessage[]): Promise<void> {
  jest.setSystemTime(at(minutes) + 700);
  await h.invoke(alarmEvent(...messages));
}

/** What every scenario keeps: only conforming JIRA requests, and never a comment into a done ticket. */
function expectContractKept(): void {
  expect(h.jira.violations).toEqual([]);
  const intoDone = h.jira.issues().flatMap((i) => h.jira.commentsOf(i.key).filter((c) => c.onStatusCategory === "done").map((c) => `${i.key}: ${c.text}`));
  expect(intoDone).toEqual([]);
}

beforeAll(() => fakeDateOnly(T0));

afterAll(() => jest.useRealTimers());

describe("shared fixtures", () => {
  const names = fixtureNames();

  it("covers every fixture file", () => {
    expect(names).toEqual(["eventbridge-alarm-state-change.json", "sns-composite-alarm-ALARM.json", "sns-metric-alarm-ALARM.json", "sns-metric-alarm-OK.json"]);
  });

  it.each(names.filter((n) => isSnsEvent(readFixture(n))))("handles %s as delivered", async (name) => {
    await start();
    const event = readFixture(name);
    if (!isSnsEvent(event)) throw new Error(name);
    const message = JSON.parse(event.Records[0].Sns.Message) as AlarmMessage;
    jest.setSystemTime(Date.parse(message.StateChangeTime) + 700);

    await h.invoke(event);

    if (message.NewStateValue === "ALARM") {
      expect(h.jira.issues()).toEqual([expect.objectContaining({ key: "OPS-1", labels: expect.arrayContaining(["cloudwatch-alarm", identityLabel(message.AlarmArn)]) })]);
      expect(h.jira.issue("OPS-1").summary).toContain(message.AlarmName);
    } else {
      expect(h.jira.requests).toEqual([]);
    }
    expect(h.aws.notices).toEqual([]);
    expectContractKept();
  });

  it("treats the EventBridge state-change fixture, published to the topic, as the same alarm as its SNS notification", async () => {
    await start();
    const eventBridge = readFixture("eventbridge-alarm-state-change.json");
    expect(isSnsEvent(eventBridge)).toBe(false);
    jest.setSystemTime(Date.parse(METRIC.StateChangeTime) + 700);

    await h.invoke(snsEvent(snsRecord(JSON.stringify(eventBridge))));
    await h.invoke(alarmEvent(METRIC));

    expect(h.jira.issues()).toHaveLength(1);
    expect(h.jira.issue("OPS-1").labels).toContain(identityLabel(ARN));
    expectContractKept();
  });
});

describe("ticket lifecycle", () => {
  it("creates one ticket on ALARM, labelled with the fingerprint, and records it in the table", async () => {
    await start();

    await deliver(0, alarm(0));

    const [issue] = h.jira.issues();
    expect(h.jira.issues()).toHaveLength(1);
    expect(issue.labels).toEqual(expect.arrayContaining(["cloudwatch-alarm", `alarm-${fingerprintOf(ARN)}`]));
    expect(issue.labels.every((l) => /^\S{1,255}$/.test(l))).toBe(true);
    expect(issue.issueType).toBe("Task");
    expect(issue.statusCategory).toBe("new");
    expect(issue.descriptionText).toContain("us-east-1");
    const records = await h.aws.records();
    expect(records.map((r) => r.fingerprint)).toEqual([fingerprintOf(ARN)]);
    expect(Object.values(records[0])).toContain("OPS-1");
    expectContractKept();
  });

  it("comments on a repeat ALARM outside the cooldown, then comments and resolves on OK", async () => {
    await start();

    await deliver(0, alarm(0));
    await deliver(20, alarm(20));
    const afterRepeat = h.jira.commentsOf("OPS-1").length;
    await deliver(30, ok(30));

    expect(h.jira.issues()).toHaveLength(1);
    expect(afterRepeat).toBe(1);
    expect(h.jira.commentsOf("OPS-1")).toHaveLength(2);
    expect(h.jira.issue("OPS-1")).toMatchObject({ statusCategory: "done", resolution: "Done", resolutionDate: expect.any(Number) });
    expectContractKept();
  });

  it("keeps an alarm storm to one ticket and at most one comment per 15-minute cooldown", async () => {
    await start();

    for (let minute = 0; minute < 50; minute += 1) await deliver(minute, alarm(minute));

    const comments = h.jira.commentsOf("OPS-1");
    expect(h.jira.issues()).toHaveLength(1);
    expect(comments.length).toBeGreaterThanOrEqual(3);
    expect(comments.length).toBeLessThanOrEqual(4);
    const gaps = comments.slice(1).map((c, i) => c.created - comments[i].created);
    expect(gaps.every((gap) => gap >= 15 * MINUTE)).toBe(true);
    expect(h.jira.counters.createIssue).toBe(1);
    expectContractKept();
  });

  it("reopens a ticket resolved on OK when the alarm fires again inside the reopen window", async () => {
    await start();

    await deliver(0, alarm(0));
    await deliver(10, ok(10));
    await deliver(30, alarm(30));

    expect(h.jira.issues()).toHaveLength(1);
    expect(h.jira.issue("OPS-1")).toMatchObject({ statusCategory: expect.stringMatching(/^(new|indeterminate)$/), resolution: null });
    expectContractKept();
  });

  it("opens a new ticket when the alarm fires again after the reopen window, and follows the new one", async () => {
    await start();

    await deliver(0, alarm(0));
    await deliver(10, ok(10));
    await deliver(71, alarm(71));
    await deliver(95, alarm(95));

    expect(h.jira.issues().map((i) => [i.key, i.statusCategory])).toEqual([
      ["OPS-1", "done"],
      ["OPS-2", "new"],
    ]);
    expect(h.jira.commentsOf("OPS-2")).toHaveLength(1);
    expect(Object.values((await h.aws.records())[0])).toContain("OPS-2");
    expectContractKept();
  });

  it("never reopens when JIRA_REOPEN_WINDOW_MINUTES is 0", async () => {
    await start({ env: { JIRA_REOPEN_WINDOW_MINUTES: "0" } });

    await deliver(0, alarm(0));
    await deliver(10, ok(10));
    await deliver(11, alarm(11));

    expect(h.jira.issues().map((i) => [i.key, i.statusCategory])).toEqual([
      ["OPS-1", "done"],
      ["OPS-2", "new"],
    ]);
    expectContractKept();
  });

  it("only comments on OK when JIRA_RESOLVE_ON_OK is false", async () => {
    await start({ env: { JIRA_RESOLVE_ON_OK: "false" } });

    await deliver(0, alarm(0));
    await deliver(10, ok(10));

    expect(h.jira.issue("OPS-1").statusCategory).toBe("new");
    expect(h.jira.commentsOf("OPS-1")).toHaveLength(1);
    expect(h.jira.counters.doTransition).toBe(0);
    expectContractKept();
  });

  it("comments on INSUFFICIENT_DATA for an open ticket and does nothing without one", async () => {
    await start();

    await deliver(0, alarmMessage(METRIC, { name: "other-alarm", state: "INSUFFICIENT_DATA", oldState: "OK", at: at(0) }));
    const withoutTicket = h.jira.requests.length;
    await deliver(1, alarm(1));
    await deliver(2, alarmMessage(METRIC, { state: "INSUFFICIENT_DATA", oldState: "ALARM", at: at(2) }));

    expect(withoutTicket).toBe(0);
    expect(h.jira.issues()).toHaveLength(1);
    expect(h.jira.commentsOf("OPS-1")).toHaveLength(1);
    expect(h.jira.issue("OPS-1").statusCategory).toBe("new");
    expectContractKept();
  });
});

describe("tickets changed by people", () => {
  it("reopens a ticket a person resolved as done recently", async () => {
    await start();
    await deliver(0, alarm(0));

    h.jira.closeIssue("OPS-1", { resolution: "Done", at: at(5) });
    await deliver(25, alarm(25));

    expect(h.jira.issues()).toHaveLength(1);
    expect(h.jira.issue("OPS-1").statusCategory).not.toBe("done");
    expectContractKept();
  });

  it("opens a new ticket when a person resolved the old one long ago", async () => {
    await start();
    await deliver(0, alarm(0));

    h.jira.closeIssue("OPS-1", { resolution: "Done", at: at(5) });
    await deliver(180, alarm(180));

    expect(h.jira.issues().map((i) => [i.key, i.statusCategory])).toEqual([
      ["OPS-1", "done"],
      ["OPS-2", "new"],
    ]);
    expect(h.jira.commentsOf("OPS-1")).toEqual([]);
    expectContractKept();
  });

  it("opens a new ticket instead of reopening one closed as Won't Do", async () => {
    await start();
    await deliver(0, alarm(0));

    h.jira.closeIssue("OPS-1", { resolution: "Won't Do", at: at(5) });
    await deliver(6, alarm(6));

    expect(h.jira.issues().map((i) => [i.key, i.statusCategory, i.resolution])).toEqual([
      ["OPS-1", "done", "Won't Do"],
      ["OPS-2", "new", null],
    ]);
    expectContractKept();
  });

  it("neither comments nor transitions on OK when a person already resolved the ticket", async () => {
    await start();
    await deliver(0, alarm(0));

    h.jira.closeIssue("OPS-1", { resolution: "Done", at: at(5) });
    await deliver(10, ok(10));

    expect(h.jira.commentsOf("OPS-1")).toEqual([]);
    expect(h.jira.counters.doTransition).toBe(0);
    expect(h.jira.issue("OPS-1").resolution).toBe("Done");
    expectContractKept();
  });

  it("forgets a deleted ticket and opens a new one, updating the table", async () => {
    await start();
    await deliver(0, alarm(0));

    h.jira.deleteIssue("OPS-1");
    await deliver(20, alarm(20));

    expect(h.jira.issues().map((i) => i.key)).toEqual(["OPS-2"]);
    expect(Object.values((await h.aws.records())[0])).toContain("OPS-2");
    expectContractKept();
  });
});

describe("workflow names", () => {
  it.each([
    ["by status category", {}],
    ["by JIRA_RESOLVE_TRANSITION", { JIRA_RESOLVE_TRANSITION: "Resolve as fixed" }],
  ])("resolves through 'Resolve as fixed' %s and reopens through 'Reopen'", async (_how, env) => {
    await start({ workflow: RESOLVE_AS_FIXED_WORKFLOW, env });

    await deliver(0, alarm(0));
    await deliver(10, ok(10));
    const resolved = h.jira.issue("OPS-1");
    await deliver(20, alarm(20));

    expect(resolved).toMatchObject({ status: "Fixed", statusCategory: "done", resolution: "Done" });
    expect(h.jira.issues()).toHaveLength(1);
    expect(h.jira.issue("OPS-1")).toMatchObject({ status: "Open", statusCategory: "new", resolution: null });
    expectContractKept();
  });
});

describe("notification shapes", () => {
  it("makes zero JIRA requests for a fresh deployment (INSUFFICIENT_DATA -> OK for many alarms)", async () => {
    await start();
    const fresh = Array.from({ length: 40 }, (_, i) => alarmMessage(METRIC, { name: `fresh-alarm-${i}`, state: "OK", oldState: "INSUFFICIENT_DATA", at: at(0) }));

    await deliver(0, ...fresh.slice(0, 20));
    for (const message of fresh.slice(20)) await deliver(1, message);

    expect(h.jira.requests).toEqual([]);
    expect(h.aws.notices).toEqual([]);
  });

  it("tickets a composite alarm and names its triggering child", async () => {
    await start();

    await deliver(0, alarmMessage(COMPOSITE, { at: at(0) }));

    expect(h.jira.issues()).toHaveLength(1);
    expect(h.jira.issue("OPS-1").descriptionText).toContain("monitoring-stack-app-error-count");
    expect(h.jira.issue("OPS-1").labels).toContain(identityLabel(COMPOSITE.AlarmArn));
    expectContractKept();
  });

  it("tickets a metric-math alarm", async () => {
    await start();

    await deliver(0, metricMathMessage(alarm(0)));

    expect(h.jira.issues()).toHaveLength(1);
    expectContractKept();
  });

  it("tickets an alarm breaching on missing data", async () => {
    await start();
    const reason = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].";

    await deliver(0, alarm(0, { reason }));

    expect(h.jira.issues()).toHaveLength(1);
    expectContractKept();
  });

  it("tickets an alarm with a null description without writing 'null'", async () => {
    await start();

    await deliver(0, alarm(0, { description: null }));

    expect(h.jira.issues()).toHaveLength(1);
    expect(h.jira.issue("OPS-1").descriptionText).not.toMatch(/\bnull\b/);
    expectContractKept();
  });

  it("handles a 255-character alarm name with spaces and quotes: one ticket, summary within 255, labels without spaces", async () => {
    await start();
    const name = `App "checkout" p99 latency > 2s (i-0abc) 'prod' `.padEnd(255, "x");
    expect(name).toHaveLength(255);

    await deliver(0, alarm(0, { name }));
    await deliver(1, alarm(1, { name }));

    const [issue] = h.jira.issues();
    expect(h.jira.issues()).toHaveLength(1);
    expect(issue.summary.length).toBeLessThanOrEqual(255);
    expect(issue.labels).toContain(identityLabel(alarmArn("us-east-1", "111122223333", name)));
    expect(issue.labels.every((l) => /^\S{1,255}$/.test(l))).toBe(true);
    expectContractKept();
  });

  it("opens separate tickets for the same alarm name in two accounts", async () => {
    await start();

    await deliver(0, alarm(0), alarm(0, { account: "444455556666" }));

    expect(h.jira.issues()).toHaveLength(2);
    expectContractKept();
  });

  it("skips malformed and non-alarm records and still handles the good ones in the same event", async () => {
    await start();
    jest.setSystemTime(at(0) + 700);
    const stateChange = readFixture("eventbridge-alarm-state-change.json") as Record<string, unknown>;
    const configurationChange = JSON.stringify({ ...stateChange, "detail-type": "CloudWatch Alarm Configuration Change", detail: { alarmName: "x", operation: "update" } });

    await h.invoke(
      snsEvent(
        snsRecord(alarm(0, { name: "first-good-alarm" })),
        snsRecord("this is not JSON {"),
        snsRecord(JSON.stringify({ hello: "world" })),
        snsRecord(configurationChange),
        snsRecord(JSON.stringify({ ...alarm(0), AlarmArn: 42, NewStateValue: "ON_FIRE" })),
        snsRecord(alarm(0, { name: "second-good-alarm" })),
      ),
    );

    expect(h.jira.issues().map((i) => i.summary.includes("first-good-alarm") || i.summary.includes("second-good-alarm"))).toEqual([true, true]);
    expectContractKept();
  });
});

describe("delivery guarantees", () => {
  it("creates one ticket and no comment when SNS delivers the same message twice", async () => {
    await start();
    jest.setSystemTime(at(0) + 700);
    const event = alarmEvent(alarm(0));

    await h.invoke(event);
    await h.invoke(event);

    expect(h.jira.issues()).toHaveLength(1);
    expect(h.jira.commentsOf("OPS-1")).toEqual([]);
    expectContractKept();
  });

  it.each([
    ["the same message", alarm(0)],
    ["a second message for the same alarm", alarm(0, { reason: "a second state change a moment later" })],
  ])("creates one ticket when two invocations deliver %s concurrently", async (_what, second) => {
    await start();
    jest.setSystemTime(at(0) + 700);
    h.jira.setLatency(50);

    await Promise.all([h.invoke(alarmEvent(alarm(0))), h.invoke(alarmEvent(second))]);

    expect(h.jira.issues()).toHaveLength(1);
    expect(h.jira.counters.createIssue).toBe(1);
    expectContractKept();
  });

  it("does not duplicate when the table record is lost and JIRA search lags behind the create", async () => {
    await start();
    await deliver(0, alarm(0));
    await h.aws.deleteRecord(fingerprintOf(ARN));
    h.jira.setSearchLag(10 * MINUTE);

    await deliver(1, alarm(1));

    expect(h.jira.issues()).toHaveLength(1);
    expectContractKept();
  });

  it("recovers a lost table record from JIRA search after a cold start", async () => {
    await start();
    await deliver(0, alarm(0));
    await h.aws.deleteRecord(fingerprintOf(ARN));
    h.coldStart();

    await deliver(20, alarm(20));

    expect(h.jira.issues()).toHaveLength(1);
    expect(h.jira.commentsOf("OPS-1")).toHaveLength(1);
    expect(Object.values((await h.aws.records())[0])).toContain("OPS-1");
    expectContractKept();
  });

  it.each([
    ["answers 503", "503", 2],
    ["refuses connections", "refuse", 0],
  ] as const)("retries, then sends one notice and rejects when JIRA %s for the whole timeout; a replay makes one ticket", async (_what, how, minAttempts) => {
    await start();
    jest.setSystemTime(at(0) + 700);
    const event = alarmEvent(alarm(0));
    await h.jira.down(how);

    const started = performance.now();
    await expect(h.invoke(event, { budgetMs: 4000 })).rejects.toThrow();
    const elapsed = performance.now() - started;
    const attemptsSeen = h.jira.requests.length;
    await h.jira.up();
    await h.invoke(event);
    await h.invoke(event);

    expect(elapsed).toBeLessThan(4000);
    expect(attemptsSeen).toBeGreaterThanOrEqual(minAttempts);
    expect(h.aws.notices).toHaveLength(1);
    expect(h.aws.notices[0].topicArn).toBe(FALLBACK_TOPIC_ARN);
    expect(h.aws.notices[0].message).toContain(METRIC.AlarmName);
    expect(h.jira.issues()).toHaveLength(1);
    expectContractKept();
  });

  it("waits for Retry-After on 429 and then succeeds", async () => {
    await start();
    jest.setSystemTime(at(0) + 700);
    h.jira.failNext(1, { status: 429, headers: { "Retry-After": "1" } }, { method: "POST", path: "/rest/api/3/issue" });

    await h.invoke(alarmEvent(alarm(0)));

    const creates = h.jira.requests.filter((r) => r.method === "POST" && r.path === "/rest/api/3/issue");
    expect(creates.map((r) => r.status)).toEqual([429, 201]);
    expect(creates[1].time - creates[0].time).toBeGreaterThanOrEqual(1000);
    expect(h.jira.issues()).toHaveLength(1);
    expect(h.aws.notices).toEqual([]);
    expectContractKept();
  });

  it("retries a dropped connection", async () => {
    await start();
    jest.setSystemTime(at(0) + 700);
    h.jira.dropNextConnections(1);

    await h.invoke(alarmEvent(alarm(0)));

    expect(h.jira.requests[0].status).toBe(0);
    expect(h.jira.issues()).toHaveLength(1);
    expect(h.aws.notices).toEqual([]);
    expectContractKept();
  });

  it("does not retry a 401: one request, one notice, and the invocation fails", async () => {
    await start({ secretString: JSON.stringify({ email: "alerts-bot@example.com", apiToken: "revoked-token" }) });
    jest.setSystemTime(at(0) + 700);

    await expect(h.invoke(alarmEvent(alarm(0)))).rejects.toThrow();

    expect(h.jira.requests.map((r) => r.status)).toEqual([401]);
    expect(h.aws.notices).toHaveLength(1);
    expectContractKept();
  });

  it("does not retry a 400 for an issue type the project lacks: one create, one notice, and the invocation fails", async () => {
    await start({ env: { JIRA_ISSUE_TYPE: "Incident" } });
    jest.setSystemTime(at(0) + 700);

    await expect(h.invoke(alarmEvent(alarm(0)))).rejects.toThrow();

    expect(h.jira.counters.createIssue).toBe(1);
    expect(h.jira.issues()).toEqual([]);
    expect(h.aws.notices).toHaveLength(1);
    expectContractKept();
  });

  it("reads the secret once per cold start", async () => {
    await start();

    await deliver(0, alarm(0));
    await deliver(20, alarm(20));
    await deliver(30, ok(30));

    expect(h.aws.secretReads()).toBe(1);
  });
});
