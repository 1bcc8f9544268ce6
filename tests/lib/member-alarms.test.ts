/**
 * Proves the member-account alarms we send with memberAccountAlarms on: one per member account on that member's
 * metric (accountId on the query), names, ticket text, routing, and that they wait for the OAM sink policy and the
 * StackSet instances that create the links. Not that CloudWatch evaluates a linked metric (that needs a live link).
 */
import * as aws from "@pulumi/aws";
import { ALARM_SPECS } from "../../lib/alarm-specs";
import { createAlarms, type Alarms } from "../../lib/alarms";
import { explicitDependencies, MOCK_HUB_ACCOUNT_ID, record, valueOf, type RecordingMonitor } from "../../scripts/recorder";
import { testAlarmsArgs } from "../helpers/alarms-args";
import { TEST_STACK, TEST_TAGS, testParent } from "../helpers/stack-context";

const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";
const ticketArn = `arn:aws:sns:us-east-1:${MOCK_HUB_ACCOUNT_ID}:monitoring-hub-tickets-test`;
const noticeArn = `arn:aws:sns:us-east-1:${MOCK_HUB_ACCOUNT_ID}:monitoring-hub-notices-test`;
/** Deliberately unsorted: the alarms come out by account id. */
const MEMBERS = ["666677778888", "444455556666", "555566667777"];
const FIVE_MEMBERS = [...MEMBERS, "777788889999", "888899990000"];

/** The ticket text of the member alarm of 444455556666, written out so a change of wording fails here. */
const MEMBER_TICKET_TEXT = [
  "Member account application errors in account 444455556666: The application in this member account logged more ERROR events than usual, or the hub stopped receiving its metric.",
  "Condition: Sum above 5 in 2 of 3 5-minute periods; no data counts as breaching.",
  "Why it matters: Users of this account's application are probably seeing failed requests; no data means the application, its log shipping or the account's OAM link to the hub is down.",
  "First steps: In the hub, search the member's application log group (shared through OAM) for ERROR around the alarm time. If there is no data at all, check that the application runs in the account and that its OAM link to the hub's sink is active.",
  "Runbook: https://wiki.example.com/runbooks/monitoring-hub#member-application-errors",
].join("\n");

describe("createAlarms with memberAccountAlarms", () => {
  let monitor: RecordingMonitor;
  let three: Alarms;
  let five: Alarms;
  let off: Alarms;
  const ofPrefix = (prefix: string) => monitor.ofType(METRIC_ALARM).filter((a) => a.name.startsWith(`${prefix}-`));
  const members = (prefix: string) => ofPrefix(prefix).filter((a) => a.name.includes("-member-"));

  beforeAll(async () => {
    const recorded = await record(() => {
      const parent = testParent();
      // Stand-ins for what lib/cross-account.ts creates: the sink policy and one StackSet instance.
      const sinkPolicy = new aws.oam.SinkPolicy("sink-policy", { sinkIdentifier: "sink", policy: "{}" }, { parent });
      const instance = new aws.cloudformation.StackSetInstance("instance", { stackSetName: "members" }, { parent });
      const upstream = new aws.sns.Topic("upstream", {}, { parent });
      const args = testAlarmsArgs(parent, { memberAccountIds: MEMBERS, memberAccountAlarms: true, memberMetricDependencies: [sinkPolicy, instance] });
      const opts = { parent, dependsOn: [upstream] };
      return {
        three: createAlarms("three", args, opts),
        five: createAlarms("five", { ...args, memberAccountIds: FIVE_MEMBERS }, opts),
        off: createAlarms("off", { ...args, memberAccountIds: FIVE_MEMBERS, memberAccountAlarms: false }, opts),
      };
    }, TEST_STACK);
    monitor = recorded.monitor;
    ({ three, five, off } = recorded.result);
  });

  it("creates exactly one alarm per member account, on top of the hub's own alarms", () => {
    expect(ofPrefix("off")).toHaveLength(ALARM_SPECS.length);
    expect(ofPrefix("three")).toHaveLength(ALARM_SPECS.length + 3);
    expect(ofPrefix("five")).toHaveLength(ALARM_SPECS.length + 5);
    expect([off.memberAlarms.length, three.memberAlarms.length, five.memberAlarms.length]).toEqual([0, 3, 5]);
  });

  it("names each member alarm with the account id and the suffix, in account order", () => {
    expect(members("three").map((a) => [a.name, a.inputs.name])).toEqual([
      ["three-member-application-errors-444455556666", "monitoring-hub-alarm-member-application-errors-444455556666-test"],
      ["three-member-application-errors-555566667777", "monitoring-hub-alarm-member-application-errors-555566667777-test"],
      ["three-member-application-errors-666677778888", "monitoring-hub-alarm-member-application-errors-666677778888-test"],
    ]);
    expect(three.memberAlarms.map((m) => [m.specId, m.accountId])).toEqual([
      ["member-application-errors", "444455556666"],
      ["member-application-errors", "555566667777"],
      ["member-application-errors", "666677778888"],
    ]);
  });

  it("reads the member's own metric through its link, raw, breaching on missing data, and raises its own ticket", () => {
    expect(monitor.named("three-member-application-errors-444455556666").inputs).toEqual({
      name: "monitoring-hub-alarm-member-application-errors-444455556666-test",
      alarmDescription: MEMBER_TICKET_TEXT,
      metricQueries: [
        {
          id: "m",
          accountId: "444455556666",
          label: "ApplicationErrors of 444455556666",
          returnData: true,
          metric: { namespace: "MonitoringHub/test/Application", metricName: "ApplicationErrors", period: 300, stat: "Sum" },
        },
      ],
      comparisonOperator: "GreaterThanThreshold",
      threshold: 5,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: "breaching",
      alarmActions: [ticketArn],
      okActions: [ticketArn],
      tags: { ...TEST_TAGS, severity: "warning", "member-account": "444455556666" },
    });
  });

  it("sends nothing of a member alarm to the notice topic, and keeps the hub's alarms on it", () => {
    for (const alarm of members("three")) expect(JSON.stringify(alarm.inputs)).not.toContain(noticeArn);
    for (const alarm of ofPrefix("three").filter((a) => !a.name.includes("-member-"))) expect(alarm.inputs.alarmActions).toEqual([noticeArn]);
  });

  it("makes every member alarm wait for the sink policy and the StackSet instances, keeping the caller's dependsOn", () => {
    const waitsFor = [monitor.named("upstream").urn, monitor.named("sink-policy").urn, monitor.named("instance").urn];

    expect(members("five")).toHaveLength(5);
    for (const alarm of members("five")) expect([...explicitDependencies(alarm)].sort()).toEqual([...waitsFor].sort());
  });

  it("leaves the hub's own alarms independent of the cross-account resources", () => {
    const crossAccount = [monitor.named("sink-policy").urn, monitor.named("instance").urn];

    for (const alarm of ofPrefix("three").filter((a) => !a.name.includes("-member-"))) {
      expect(alarm.dependencies.filter((d) => crossAccount.includes(d))).toEqual([]);
    }
  });

  it("keeps member alarms out of the composite, and lists them before it", async () => {
    const composite = monitor.ofType(COMPOSITE).find((c) => c.name === "three-application-health")!;
    const names = await Promise.all(three.alarmNames.map((n) => valueOf(n)));

    expect(composite.inputs.alarmRule).toBe(
      'ALARM("monitoring-hub-alarm-application-errors-test") OR ALARM("monitoring-hub-alarm-application-critical-errors-test")',
    );
    expect(names).toHaveLength(ALARM_SPECS.length + 3 + 1);
    expect(names.slice(ALARM_SPECS.length)).toEqual([
      "monitoring-hub-alarm-member-application-errors-444455556666-test",
      "monitoring-hub-alarm-member-application-errors-555566667777-test",
      "monitoring-hub-alarm-member-application-errors-666677778888-test",
      "monitoring-hub-alarm-application-health-test",
    ]);
  });
});
