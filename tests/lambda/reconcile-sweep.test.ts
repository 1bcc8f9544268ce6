// The reconciliation sweep's pure parts (the notification it builds from DescribeAlarms, ownership, its verdict per
// alarm, the worst-case writes, its environment, its notice and ticket text) and its orchestration against in-memory
// ports: the JIRA write cap, the time budget, the page limit and failures. The end-to-end scenarios (emulator,
// dynalite, the SDK client) are in reconcile.test.ts.
import { readReconcileConfig, LIFECYCLE_DEFAULTS, type SweepSettings } from "../../lambda_functions/jira-handler/config";
import type { KnownTicket } from "../../lambda_functions/jira-handler/decide";
import { ConfigError } from "../../lambda_functions/jira-handler/errors";
import { RecentIssues, type JiraPort, type StorePort } from "../../lambda_functions/jira-handler/handle-alarm";
import type { IssueState, Transition } from "../../lambda_functions/jira-handler/jira-client";
import { buildSweepNotice } from "../../lambda_functions/jira-handler/notices";
import { fingerprint, fromDescribedAlarm, parseRecord, type AlarmNotification, type DescribedAlarm } from "../../lambda_functions/jira-handler/notification";
import {
  MAX_DESCRIBE_PAGES,
  MIN_TIME_PER_ALARM_MS,
  ownsAlarm,
  runSweep,
  sweepStep,
  worstCaseWrites,
  type AlarmPage,
  type AlarmSource,
  type SweepDeps,
} from "../../lambda_functions/jira-handler/reconcile";
import { comment, description, type RichText } from "../../lambda_functions/jira-handler/ticket-text";
import { recordingLog, snsRecord } from "./test-helpers";

const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 15, 10, 0, 0);
const TOPIC = "arn:aws:sns:us-east-1:111122223333:monitoring-hub-alerts-dev";
const SETTINGS: SweepSettings = { ticketTopicArn: TOPIC, alarmNamePrefix: "monitoring-hub-alarm-", alarmNameSuffix: "-dev", graceMinutes: 10, maxJiraWrites: 20 };
const arn = (name: string) => `arn:aws:cloudwatch:eu-west-1:444455556666:alarm:${name}`;

function described(name: string, state: string, since: number, extra: Partial<DescribedAlarm> = {}): DescribedAlarm {
  return {
    AlarmName: name,
    AlarmArn: arn(name),
    AlarmDescription: "Member account application errors.\nRunbook: https://wiki.example.com/rb#member-application-errors",
    AlarmActions: [TOPIC],
    StateValue: state,
    StateReason: "Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (5.0).",
    StateTransitionedTimestamp: new Date(since),
    StateUpdatedTimestamp: new Date(since + 90 * MIN),
    Namespace: "MonitoringHub/dev/Application",
    MetricName: "ApplicationErrors",
    Dimensions: [{ Name: "Service", Value: "checkout" }],
    Statistic: "Sum",
    Period: 300,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
    Threshold: 5,
    ComparisonOperator: "GreaterThanThreshold",
    TreatMissingData: "breaching",
    ...extra,
  };
}

function notificationOf(alarm: DescribedAlarm): AlarmNotification {
  const parsed = fromDescribedAlarm(alarm, "run-1/x");
  if (parsed.kind === "not-an-alarm") throw new Error(parsed.reason);
  return parsed;
}

describe("fromDescribedAlarm", () => {
  it("builds the metric alarm's notification, marked as the sweep's, with region and account from the ARN", () => {
    const n = notificationOf(described("monitoring-hub-alarm-member-application-errors-444455556666-dev", "ALARM", T0));

    expect(n).toEqual({
      kind: "metric",
      messageId: "run-1/x",
      alarmName: "monitoring-hub-alarm-member-application-errors-444455556666-dev",
      alarmArn: arn("monitoring-hub-alarm-member-application-errors-444455556666-dev"),
      accountId: "444455556666",
      region: "eu-west-1",
      partition: "aws",
      fingerprint: fingerprint(arn("monitoring-hub-alarm-member-application-errors-444455556666-dev"), "444455556666", "eu-west-1", "unused"),
      consoleUrl: "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/monitoring-hub-alarm-member-application-errors-444455556666-dev",
      description: "Member account application errors.\nRunbook: https://wiki.example.com/rb#member-application-errors",
      state: "ALARM",
      reason: "Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (5.0).",
      stateChangeTime: "2025-01-15T10:00:00.000+0000",
      stateChangedAt: T0,
      runbookUrl: "https://wiki.example.com/rb#member-application-errors",
      missingData: false,
      origin: "sweep",
      metric: { namespace: "MonitoringHub/dev/Application", metricName: "ApplicationErrors", dimensions: [{ name: "Service", value: "checkout" }], statistic: "Sum", period: 300, unit: undefined },
      rule: { comparisonOperator: "GreaterThanThreshold", threshold: 5, evaluationPeriods: 3, datapointsToAlarm: 2, treatMissingData: "breaching" },
    });
  });

  it("gives the same fingerprint as CloudWatch's notification of the same alarm", () => {
    const name = "monitoring-hub-alarm-application-health-dev";
    const sns = parseRecord(snsRecord({ AlarmName: name, AlarmArn: arn(name), AWSAccountId: "444455556666", NewStateValue: "ALARM", StateChangeTime: "2025-01-15T10:00:00.000+0000" }));

    expect(sns.kind !== "not-an-alarm" && sns.fingerprint).toBe(notificationOf(described(name, "ALARM", T0)).fingerprint);
  });

  it("takes the state change time from StateTransitionedTimestamp, else StateUpdatedTimestamp", () => {
    const updatedOnly = described("monitoring-hub-alarm-x-dev", "OK", T0, { StateTransitionedTimestamp: undefined });

    expect(notificationOf(updatedOnly).stateChangedAt).toBe(T0 + 90 * MIN);
  });

  it("builds a composite alarm's rule and triggering children from AlarmRule and StateReasonData", () => {
    const child = arn("monitoring-hub-alarm-application-errors-dev");
    const n = notificationOf({
      AlarmName: "monitoring-hub-alarm-application-health-dev",
      AlarmArn: arn("monitoring-hub-alarm-application-health-dev"),
      AlarmActions: [TOPIC],
      StateValue: "ALARM",
      StateReason: `${child} transitioned to ALARM`,
      StateReasonData: JSON.stringify({ triggeringAlarms: [{ arn: child, state: { value: "ALARM", timestamp: "2025-01-15T09:59:00.000+0000" } }] }),
      StateTransitionedTimestamp: new Date(T0),
      AlarmRule: 'ALARM("monitoring-hub-alarm-application-errors-dev")',
    });

    expect(n).toMatchObject({
      kind: "composite",
      alarmRule: 'ALARM("monitoring-hub-alarm-application-errors-dev")',
      triggeringChildren: [{ arn: child, name: "monitoring-hub-alarm-application-errors-dev", state: "ALARM", timestamp: "2025-01-15T09:59:00.000+0000" }],
      missingData: false,
      origin: "sweep",
    });
  });

  it("builds a metric-math alarm's queries from Metrics", () => {
    const n = notificationOf(
      described("monitoring-hub-alarm-jira-x-dev", "ALARM", T0, {
        MetricName: undefined,
        Namespace: undefined,
        Metrics: [
          { Id: "m", ReturnData: false, MetricStat: { Metric: { Namespace: "AWS/Lambda", MetricName: "Errors", Dimensions: [{ Name: "FunctionName", Value: "f" }] }, Period: 300, Stat: "Sum" } },
          { Id: "e", Expression: "FILL(m, 0)", Label: "Errors (no data = 0)", ReturnData: true },
        ],
      }),
    );

    expect(n.kind === "metric-math" && n.queries).toEqual([
      { id: "m", expression: undefined, label: undefined, returnData: false, metric: { namespace: "AWS/Lambda", metricName: "Errors", dimensions: [{ name: "FunctionName", value: "f" }], statistic: "Sum", period: 300, unit: undefined } },
      { id: "e", expression: "FILL(m, 0)", label: "Errors (no data = 0)", returnData: true, metric: undefined },
    ]);
  });

  it.each([
    ["no ARN", { AlarmArn: undefined }, "AlarmArn is missing"],
    ["an ARN of another service", { AlarmArn: "arn:aws:sns:us-east-1:111122223333:topic" }, 'AlarmArn "arn:aws:sns:us-east-1:111122223333:topic" is not a CloudWatch alarm ARN'],
    ["no state", { StateValue: undefined }, "StateValue undefined is not an alarm state"],
    ["no timestamp", { StateTransitionedTimestamp: undefined, StateUpdatedTimestamp: undefined }, "the alarm has no state timestamp"],
  ])("refuses an entry with %s", (_case, change, reason) => {
    expect(fromDescribedAlarm(described("monitoring-hub-alarm-x-dev", "ALARM", T0, change), "run-1/x")).toEqual({ kind: "not-an-alarm", reason, messageId: "run-1/x" });
  });
});

describe("ownsAlarm", () => {
  it.each([
    ["this environment's ticketing alarm", "monitoring-hub-alarm-application-health-dev", [TOPIC], true],
    ["a member alarm", "monitoring-hub-alarm-member-application-errors-444455556666-dev", ["arn:aws:sns:x", TOPIC], true],
    ["an alarm routed to the notice topic", "monitoring-hub-alarm-application-errors-dev", ["arn:aws:sns:us-east-1:111122223333:monitoring-hub-notices-dev"], false],
    ["another environment's alarm", "monitoring-hub-alarm-application-health-prod", [TOPIC], false],
    ["a suffix that only ends like ours, on another topic", "monitoring-hub-alarm-application-health-team-dev", ["arn:aws:sns:us-east-1:111122223333:monitoring-hub-alerts-team-dev"], false],
    ["another prefix", "other-alarm-application-health-dev", [TOPIC], false],
    ["a name that is only prefix and suffix", "monitoring-hub-alarm--dev", [TOPIC], false],
    ["an alarm without actions", "monitoring-hub-alarm-application-health-dev", undefined, false],
  ])("%s: %s", (_case, name, actions, owned) => {
    expect(ownsAlarm({ AlarmName: name, AlarmActions: actions }, SETTINGS)).toBe(owned);
  });
});

describe("sweepStep", () => {
  const open: KnownTicket = { key: "OPS-1", open: true, lastHandled: { state: "ALARM", at: T0 } };
  const closed: KnownTicket = { key: "OPS-1", open: false, resolvedAt: T0 + 5 * MIN, lastHandled: { state: "OK", at: T0 + 4 * MIN } };
  const cases: [string, "ALARM" | "OK" | "INSUFFICIENT_DATA", number, KnownTicket | undefined, number, string][] = [
    // [case, state, since, stored, now, expected]
    ["ALARM without a record opens", "ALARM", T0, undefined, T0 + MIN, "open"],
    ["ALARM again after the ticket was resolved opens (reopen or successor)", "ALARM", T0 + 20 * MIN, closed, T0 + 21 * MIN, "open"],
    ["ALARM with an open ticket is ticketed", "ALARM", T0 + 20 * MIN, open, T0 + 21 * MIN, "skip:ticketed"],
    ["ALARM already handled while the ticket was closed by a person is left alone", "ALARM", T0, { ...open, open: false }, T0 + 21 * MIN, "skip:handled"],
    ["OK past the grace period with an open ticket resolves", "OK", T0 + 10 * MIN, open, T0 + 20 * MIN + 1, "resolve"],
    ["OK exactly at the grace period waits", "OK", T0 + 10 * MIN, open, T0 + 20 * MIN, "skip:in-grace"],
    ["OK without an open ticket does nothing", "OK", T0 + 10 * MIN, closed, T0 + 60 * MIN, "skip:no-open-ticket"],
    ["OK without a record does nothing (fresh deployment)", "OK", T0, undefined, T0 + 60 * MIN, "skip:no-open-ticket"],
    ["OK already handled (resolve on OK off) is left alone", "OK", T0 + 10 * MIN, { ...open, lastHandled: { state: "OK", at: T0 + 10 * MIN } }, T0 + 60 * MIN, "skip:handled"],
    ["a state older than the last handled change is left alone", "OK", T0 - MIN, open, T0 + 60 * MIN, "skip:handled"],
    ["INSUFFICIENT_DATA is left to notifications", "INSUFFICIENT_DATA", T0 + 10 * MIN, open, T0 + 60 * MIN, "skip:insufficient-data"],
  ];

  it.each(cases)("%s", (_case, state, since, stored, now, expected) => {
    const step = sweepStep({ state, stateChangedAt: since }, stored, now, 10);
    expect(step.kind === "skip" ? `skip:${step.reason}` : step.kind).toBe(expected);
  });
});

describe("worstCaseWrites", () => {
  it("counts a create as one, a reopen as two, a resolve as a comment and a transition", () => {
    const closed: KnownTicket = { key: "OPS-1", open: false };
    expect(worstCaseWrites({ kind: "open" }, undefined, LIFECYCLE_DEFAULTS)).toBe(1);
    expect(worstCaseWrites({ kind: "open" }, closed, LIFECYCLE_DEFAULTS)).toBe(2);
    expect(worstCaseWrites({ kind: "resolve" }, { key: "OPS-1", open: true }, LIFECYCLE_DEFAULTS)).toBe(2);
    expect(worstCaseWrites({ kind: "resolve" }, { key: "OPS-1", open: true }, { resolveOnOk: false })).toBe(1);
  });
});

describe("readReconcileConfig", () => {
  const BASE = {
    JIRA_BASE_URL: "https://example.atlassian.net",
    JIRA_API: "cloud",
    JIRA_PROJECT_KEY: "OPS",
    JIRA_ISSUE_TYPE: "Task",
    JIRA_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:111122223333:secret:jira-AbCdEf",
    FALLBACK_TOPIC_ARN: "arn:aws:sns:us-east-1:111122223333:monitoring-hub-notices-dev",
    TICKETS_TABLE_NAME: "monitoring-hub-jira-tickets-dev",
  };

  it("reads the handler's variables and the sweep's, with the stack's defaults", () => {
    const config = readReconcileConfig({ ...BASE, TICKET_TOPIC_ARN: TOPIC, ALARM_NAME_PREFIX: "monitoring-hub-alarm-", ALARM_NAME_SUFFIX: "-dev" });

    expect(config.sweep).toEqual({ ...SETTINGS, graceMinutes: 10, maxJiraWrites: 20 });
    expect(config.ticketsTableName).toBe("monitoring-hub-jira-tickets-dev");
  });

  it("reads the grace period and the cap", () => {
    const config = readReconcileConfig({ ...BASE, TICKET_TOPIC_ARN: TOPIC, ALARM_NAME_PREFIX: "p-", ALARM_NAME_SUFFIX: "-s", RECONCILE_GRACE_MINUTES: "0", RECONCILE_MAX_JIRA_WRITES: "500" });

    expect(config.sweep).toMatchObject({ graceMinutes: 0, maxJiraWrites: 500 });
  });

  it("lists the handler's and the sweep's problems together", () => {
    const attempt = () => readReconcileConfig({ ...BASE, JIRA_API: "server", TICKET_TOPIC_ARN: "alerts", ALARM_NAME_SUFFIX: "-dev", RECONCILE_MAX_JIRA_WRITES: "0" });

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      [
        "Invalid reconciliation sweep environment:",
        '- JIRA_API must be one of "cloud", "datacenter", got "server".',
        '- TICKET_TOPIC_ARN must be an SNS topic ARN, got "alerts".',
        "- ALARM_NAME_PREFIX is required but not set.",
        '- RECONCILE_MAX_JIRA_WRITES must be a whole number of 1 or more, got "0".',
      ].join("\n"),
    );
  });
});

describe("the sweep's texts", () => {
  const n = notificationOf(described("monitoring-hub-alarm-member-application-errors-444455556666-dev", "ALARM", T0));

  it("says in the ticket that the reconciliation sweep opened it, and why", () => {
    const [intro, list] = description(n);
    const items = list.type === "list" ? list.items.map((spans) => spans.map((s) => s.text).join("")) : [];

    expect(intro.type === "paragraph" && intro.spans.map((s) => s.text).join("")).toBe(
      "Opened by the reconciliation sweep: CloudWatch alarm monitoring-hub-alarm-member-application-errors-444455556666-dev has been in ALARM since 2025-01-15T10:00:00.000+0000 in account 444455556666, region eu-west-1, and no notification of it was handled (lost, or muted by a maintenance window).",
    );
    expect(items.slice(0, 3)).toEqual([
      "Alarm: monitoring-hub-alarm-member-application-errors-444455556666-dev",
      "State: ALARM since 2025-01-15T10:00:00.000+0000",
      "Opened by: the reconciliation sweep, which compares the hub's alarms with their tickets on a schedule",
    ]);
  });

  it.each([
    ["reopen", {}, "Reopened by the reconciliation sweep: the alarm has been in ALARM again since 2025-01-15T10:00:00.000+0000, and no notification of it was handled."],
    ["recover", { resolving: true }, "Found by the reconciliation sweep: the alarm has been OK since 2025-01-15T10:00:00.000+0000, and no notification of it was handled. Resolving this ticket."],
  ] as const)("starts a %s comment by naming the sweep", (kind, options, headline) => {
    const first = (comment(n, kind, options)[0] as Extract<RichText[number], { type: "paragraph" }>).spans[0].text;
    expect(first).toBe(headline);
  });
});

describe("buildSweepNotice", () => {
  it("lists each failed alarm with what was attempted, and says the next sweep retries", () => {
    const notice = buildSweepNotice(
      [
        { alarmName: "monitoring-hub-alarm-application-health-dev", state: "ALARM", attempted: "create a ticket", error: Object.assign(new Error("JIRA answered 400"), { name: "JiraRejectedError" }) },
        { alarmName: "monitoring-hub-alarm-*", attempted: "list the hub's alarms (DescribeAlarms)", error: Object.assign(new Error("denied"), { name: "AccessDenied" }) },
      ],
      { functionName: "monitoring-hub-jira-reconcile-dev", requestId: "req-9", remaining: 3 },
    );

    expect(notice.subject).toBe("Reconciliation sweep failed on 2 alarm(s)");
    expect(notice.message.split("\n")).toEqual([
      "The reconciliation sweep could not bring 2 alarm(s) in line with JIRA. Alarms in ALARM may have no ticket, and tickets of alarms that are OK again may still be open.",
      "",
      "- monitoring-hub-alarm-application-health-dev (ALARM): tried to create a ticket; JiraRejectedError: JIRA answered 400",
      "- monitoring-hub-alarm-*: tried to list the hub's alarms (DescribeAlarms); AccessDenied: denied",
      "",
      "3 further alarm(s) were left for the next sweep (JIRA write cap or time budget of one run).",
      "",
      "Request id:     req-9",
      "Function:       monitoring-hub-jira-reconcile-dev",
      "",
      "Nothing needs replaying: the next scheduled sweep tries these alarms again. Fix the cause shown in the function's",
      "log group (JIRA unreachable, credentials, workflow, permissions) and watch the next run.",
    ]);
  });

  it("lists at most 20 failures and counts the rest", () => {
    const failures = Array.from({ length: 25 }, (_, i) => ({ alarmName: `a${i}`, attempted: "create a ticket", error: new Error("x") }));

    expect(buildSweepNotice(failures, { remaining: 0 }).message).toContain("- and 5 more (see the log group of the reconciliation sweep)");
  });
});

/** The tickets table in memory, with the claim semantics the lifecycle relies on. */
class MemoryStore implements StorePort {
  readonly records = new Map<string, { ticket?: KnownTicket; lease?: string }>();

  async get(fp: string): Promise<KnownTicket | undefined> {
    return this.records.get(fp)?.ticket;
  }

  async claim(fp: string, _name: string, token: string) {
    const record = this.records.get(fp) ?? {};
    if (record.lease !== undefined) return { claimed: false as const };
    this.records.set(fp, { ...record, lease: token });
    return { claimed: true as const, ticket: record.ticket };
  }

  async save(record: { fingerprint: string; ticket?: KnownTicket }): Promise<boolean> {
    this.records.set(record.fingerprint, { ticket: record.ticket });
    return true;
  }

  async release(fp: string): Promise<void> {
    const record = this.records.get(fp);
    if (record !== undefined) this.records.set(fp, { ticket: record.ticket });
  }
}

/** JIRA in memory: every write is one entry of `writes`. */
class MemoryJira implements JiraPort {
  readonly writes: string[] = [];
  readonly open = new Set<string>();
  failCreateFor: string | undefined;
  #next = 0;

  async getIssue(key: string): Promise<IssueState> {
    return { key, statusCategory: this.open.has(key) ? "new" : "done", open: this.open.has(key) };
  }
  async findOpenTicket(): Promise<IssueState | undefined> {
    return undefined;
  }
  async createIssue(input: { summary: string }): Promise<{ id: string; key: string }> {
    this.writes.push(`create ${input.summary}`);
    if (this.failCreateFor !== undefined && input.summary.includes(this.failCreateFor)) throw new Error("JIRA said no");
    this.#next += 1;
    this.open.add(`OPS-${this.#next}`);
    return { id: String(this.#next), key: `OPS-${this.#next}` };
  }
  async addComment(key: string): Promise<void> {
    this.writes.push(`comment ${key}`);
  }
  async resolve(key: string): Promise<Transition> {
    this.writes.push(`resolve ${key}`);
    this.open.delete(key);
    return { id: "31", name: "Done" };
  }
  async reopen(key: string): Promise<Transition> {
    this.writes.push(`reopen ${key}`);
    this.open.add(key);
    return { id: "41", name: "Reopen" };
  }
}

/** DescribeAlarms over a fixed list, `pageSize` a page; `muted` names are muted. */
function alarmSource(alarms: readonly DescribedAlarm[], options: { pageSize?: number; muted?: readonly string[]; endless?: boolean; muteFails?: string } = {}): AlarmSource & { pages: number } {
  const size = options.pageSize ?? 100;
  const source = {
    pages: 0,
    async describeAlarms(_prefix: string, token?: string): Promise<AlarmPage> {
      source.pages += 1;
      const start = Number(token ?? 0);
      const page = alarms.slice(start, start + size);
      const more = options.endless === true || start + size < alarms.length;
      return { compositeAlarms: [], metricAlarms: page, nextToken: more ? String(start + size) : undefined };
    },
    async isMuted(name: string): Promise<boolean> {
      if (name === options.muteFails) throw Object.assign(new Error("not authorized to perform: cloudwatch:ListAlarmMuteRules"), { name: "AccessDenied" });
      return (options.muted ?? []).includes(name);
    },
  };
  return source;
}

describe("runSweep", () => {
  const name = (i: number) => `monitoring-hub-alarm-member-application-errors-${String(400000000000 + i)}-dev`;
  let store: MemoryStore;
  let jira: MemoryJira;
  let log: ReturnType<typeof recordingLog>;

  beforeEach(() => {
    store = new MemoryStore();
    jira = new MemoryJira();
    log = recordingLog();
  });

  const deps = (alarms: AlarmSource, overrides: Partial<SweepDeps> = {}): SweepDeps => ({
    alarms,
    store,
    jira,
    lifecycle: LIFECYCLE_DEFAULTS,
    settings: SETTINGS,
    log,
    recentIssues: new RecentIssues(),
    remainingTimeMs: () => 250_000,
    safetyMarginMs: 3000,
    runId: "run-1",
    now: () => T0 + 60 * MIN,
    ...overrides,
  });

  /** Alarm i has an open ticket OPS-(100+i) handled at T0 and is OK since T0 + 10 minutes. */
  function recovered(i: number): DescribedAlarm {
    const alarm = described(name(i), "OK", T0 + 10 * MIN);
    const key = `OPS-${100 + i}`;
    store.records.set(notificationOf(alarm).fingerprint, { ticket: { key, open: true, lastHandled: { state: "ALARM", at: T0 } } });
    jira.open.add(key);
    return alarm;
  }

  it("never passes the cap when resolving (two writes each) and opening (one each) mix, and counts what is left", async () => {
    const alarms = [recovered(0), described(name(1), "ALARM", T0), recovered(2), described(name(3), "ALARM", T0), described(name(4), "ALARM", T0)];

    const report = await runSweep(deps(alarmSource(alarms), { settings: { ...SETTINGS, maxJiraWrites: 5 } }));

    expect(jira.writes).toEqual(["comment OPS-100", "resolve OPS-100", `create ALARM: ${name(1)} (444455556666, eu-west-1)`, "comment OPS-102", "resolve OPS-102"]);
    expect(report).toMatchObject({ owned: 5, resolved: 2, opened: 1, remaining: 2, jiraWrites: 5, failures: [] });
    expect(log.lines.find((l) => l.level === "warn")).toMatchObject({ message: expect.stringContaining("left for the next sweep"), fields: { remaining: 2, maxJiraWrites: 5 } });
  });

  it("leaves a step that needs more writes than the whole cap for later rather than pass the cap", async () => {
    const report = await runSweep(deps(alarmSource([recovered(0), described(name(1), "ALARM", T0)]), { settings: { ...SETTINGS, maxJiraWrites: 1 } }));

    expect(jira.writes).toEqual([`create ALARM: ${name(1)} (444455556666, eu-west-1)`]);
    expect(report).toMatchObject({ resolved: 0, opened: 1, remaining: 1, jiraWrites: 1 });
    expect(log.lines.filter((l) => l.level === "warn").map((l) => l.message)[0]).toBe(
      "Sweep: this step needs more JIRA writes than one run may make; raise RECONCILE_MAX_JIRA_WRITES (reconcileMaxJiraWrites)",
    );
  });

  it("starts no alarm with less than the time one needs left", async () => {
    let left = MIN_TIME_PER_ALARM_MS + 1;
    const alarms = [described(name(0), "ALARM", T0), described(name(1), "ALARM", T0)];

    const report = await runSweep(
      deps(alarmSource(alarms), {
        remainingTimeMs: () => left,
        jira: Object.assign(jira, {
          createIssue: async (input: { summary: string }) => {
            left = MIN_TIME_PER_ALARM_MS - 1;
            return MemoryJira.prototype.createIssue.call(jira, input);
          },
        }),
      }),
    );

    expect(report).toMatchObject({ opened: 1, remaining: 1 });
  });

  it("stops listing at the page limit", async () => {
    const source = alarmSource([described(name(0), "OK", T0)], { endless: true, pageSize: 1 });

    const report = await runSweep(deps(source));

    expect(source.pages).toBe(MAX_DESCRIBE_PAGES);
    expect(report.pages).toBe(MAX_DESCRIBE_PAGES);
    expect(log.lines.map((l) => l.message)).toContain("Sweep: stopped listing alarms at the page limit; the rest waits for the next sweep");
  });

  it("records a failure per alarm and goes on: a mute rule it cannot read, a JIRA error, an alarm it cannot read", async () => {
    jira.failCreateFor = name(2);
    const alarms = [described(name(0), "ALARM", T0), described(name(1), "ALARM", T0), described(name(2), "ALARM", T0), described(name(3), "ALARM", T0, { StateValue: "BROKEN" })];

    const report = await runSweep(deps(alarmSource(alarms, { muteFails: name(0) })));

    expect(report.failures.map((f) => [f.alarmName, f.attempted, f.error.message])).toEqual([
      [name(0), "list the alarm's active mute rules", "not authorized to perform: cloudwatch:ListAlarmMuteRules"],
      [name(2), "create a ticket", "JIRA said no"],
      [name(3), "read the alarm's description", 'StateValue "BROKEN" is not an alarm state'],
    ]);
    expect(report).toMatchObject({ owned: 4, opened: 1 });
  });

  it("checks the mute rules only of alarms it is about to ticket", async () => {
    const source = alarmSource([described(name(0), "ALARM", T0), recovered(1)], { muted: [name(0), name(1)] });
    const isMuted = jest.spyOn(source, "isMuted");

    const report = await runSweep(deps(source));

    expect(isMuted.mock.calls).toEqual([[name(0)]]);
    expect(report).toMatchObject({ muted: 1, resolved: 1 });
  });
});
