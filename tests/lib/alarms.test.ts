/**
 * Proves the alarms we send: counts, actions and routing, missing-data treatment, metric math, names, descriptions,
 * parents and ordering edges. Not that CloudWatch accepts them or evaluates FILL as documented.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ALARM_SPECS } from "../../lib/alarm-specs";
import { createAlarms, type Alarms, type AlarmsArgs } from "../../lib/alarms";
import { MOCK_HUB_ACCOUNT_ID, record, settle, valueOf, type RecordingMonitor } from "../../scripts/recorder";
import { APPLICATION_ERRORS_TICKET_TEXT, TEST_RUNBOOK_URL } from "../helpers/alarm-text";
import { testAlarmsArgs } from "../helpers/alarms-args";
import { TEST_STACK, TEST_TAGS, testParent } from "../helpers/stack-context";

const runbookUrl = TEST_RUNBOOK_URL;
const ticketArn = `arn:aws:sns:us-east-1:${MOCK_HUB_ACCOUNT_ID}:monitoring-hub-tickets-test`;
const noticeArn = `arn:aws:sns:us-east-1:${MOCK_HUB_ACCOUNT_ID}:monitoring-hub-notices-test`;
const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";

describe("createAlarms", () => {
  let monitor: RecordingMonitor;
  let parentUrn: string;
  let result: Alarms;
  let args: AlarmsArgs;

  beforeAll(async () => {
    const recorded = await record(
      () => {
        const parent = testParent();
        // Member accounts are known but memberAccountAlarms is off: no alarm may read them (tests/lib/member-alarms.test.ts has it on).
        args = testAlarmsArgs(parent, { memberAccountIds: ["444455556666", "555566667777", "666677778888"], memberAccountAlarms: false, memberMetricDependencies: [] });
        const upstream = new aws.sns.Topic("upstream", {}, { parent });
        return { parent, alarms: createAlarms("hub-alarms", args, { parent, dependsOn: [upstream] }) };
      },
      TEST_STACK,
    );
    monitor = recorded.monitor;
    result = recorded.result.alarms;
    parentUrn = await valueOf(recorded.result.parent.urn);
  });

  it("creates no member-account alarm when memberAccountAlarms is off", () => {
    expect(result.memberAlarms).toEqual([]);
    expect(monitor.ofType(METRIC_ALARM).filter((a) => JSON.stringify(a.inputs).includes("444455556666"))).toEqual([]);
  });

  it("creates one metric alarm per spec and one composite, all children of the parent", () => {
    const alarms = [...monitor.ofType(METRIC_ALARM), ...monitor.ofType(COMPOSITE)];

    expect(monitor.ofType(METRIC_ALARM)).toHaveLength(ALARM_SPECS.length);
    expect(monitor.ofType(METRIC_ALARM)).toHaveLength(7);
    expect(monitor.ofType(COMPOSITE)).toHaveLength(1);
    expect(alarms.map((r) => r.parent)).toEqual(Array(8).fill(parentUrn));
  });

  it("treats missing data as breaching on every metric alarm (composites have no such setting)", () => {
    expect(monitor.ofType(METRIC_ALARM).map((r) => r.inputs.treatMissingData)).toEqual(Array(7).fill("breaching"));
    expect(Object.keys(monitor.ofType(COMPOSITE)[0].inputs)).not.toContain("treatMissingData");
  });

  it("sends ALARM and OK, and nothing else, of every metric alarm to the notice topic only", () => {
    expect(monitor.ofType(METRIC_ALARM)).toHaveLength(7);
    for (const alarm of monitor.ofType(METRIC_ALARM)) {
      expect(alarm.inputs.alarmActions).toEqual([noticeArn]);
      expect(alarm.inputs.okActions).toEqual([noticeArn]);
      expect(alarm.inputs).not.toHaveProperty("insufficientDataActions");
      expect(JSON.stringify(alarm.inputs)).not.toContain(ticketArn);
    }
  });

  it("sends ALARM and OK of the composite, and nothing else, to the ticket topic", () => {
    const composite = monitor.ofType(COMPOSITE)[0];

    expect(composite.inputs.alarmActions).toEqual([ticketArn]);
    expect(composite.inputs.okActions).toEqual([ticketArn]);
    expect(composite.inputs).not.toHaveProperty("insufficientDataActions");
  });

  it("makes every alarm depend on the topic it publishes to", () => {
    const notices = monitor.named("notices").urn;
    const tickets = monitor.named("tickets").urn;

    expect(monitor.ofType(METRIC_ALARM)).toHaveLength(7);
    for (const alarm of monitor.ofType(METRIC_ALARM)) {
      expect(alarm.propertyDependencies.alarmActions).toEqual([notices]);
      expect(alarm.propertyDependencies.okActions).toEqual([notices]);
    }
    expect(monitor.ofType(COMPOSITE)[0].propertyDependencies.alarmActions).toEqual([tickets]);
    expect(monitor.ofType(COMPOSITE)[0].propertyDependencies.okActions).toEqual([tickets]);
  });

  it("alarms on the error filter metric directly", () => {
    expect(monitor.named("hub-alarms-application-errors").inputs).toEqual({
      name: "monitoring-hub-alarm-application-errors-test",
      alarmDescription: APPLICATION_ERRORS_TICKET_TEXT,
      namespace: "MonitoringHub/test/Application",
      metricName: "ApplicationErrors",
      statistic: "Sum",
      period: 300,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 5,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: "breaching",
      alarmActions: [noticeArn],
      okActions: [noticeArn],
      tags: { ...TEST_TAGS, severity: "warning" },
    });
    expect(monitor.named("hub-alarms-application-critical-errors").inputs).toMatchObject({
      namespace: "MonitoringHub/test/Application",
      metricName: "ApplicationCriticalErrors",
      statistic: "Sum",
      threshold: 0,
      tags: { ...TEST_TAGS, severity: "critical" },
    });
  });

  it("alarms on sparse Lambda and SQS metrics through FILL(m, 0), dimensioned by our resources", () => {
    const fill = (namespace: string, metricName: string, dimensions: Record<string, string>, stat: string) => [
      { id: "m", returnData: false, metric: { namespace, metricName, dimensions, period: 300, stat } },
      { id: "e", expression: "FILL(m, 0)", label: `${metricName} (no data = 0)`, returnData: true },
    ];

    expect(monitor.named("hub-alarms-jira-lambda-errors").inputs.metricQueries).toEqual(fill("AWS/Lambda", "Errors", { FunctionName: "monitoring-hub-jira-test" }, "Sum"));
    expect(monitor.named("hub-alarms-jira-lambda-throttles").inputs.metricQueries).toEqual(
      fill("AWS/Lambda", "Throttles", { FunctionName: "monitoring-hub-jira-test" }, "Sum"),
    );
    expect(monitor.named("hub-alarms-jira-failure-queue-messages").inputs.metricQueries).toEqual(
      fill("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "monitoring-hub-jira-failures-test" }, "Maximum"),
    );
    expect(monitor.named("hub-alarms-jira-redrive-queue-messages").inputs.metricQueries).toEqual(
      fill("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "monitoring-hub-jira-redrive-test" }, "Maximum"),
    );
    expect(monitor.named("hub-alarms-jira-reconcile-errors").inputs.metricQueries).toEqual(
      fill("AWS/Lambda", "Errors", { FunctionName: "monitoring-hub-jira-reconcile-test" }, "Sum"),
    );
    for (const id of ["jira-lambda-errors", "jira-lambda-throttles", "jira-failure-queue-messages", "jira-redrive-queue-messages", "jira-reconcile-errors"]) {
      const inputs = monitor.named(`hub-alarms-${id}`).inputs;
      expect([inputs.namespace, inputs.metricName, inputs.statistic, inputs.period]).toEqual([undefined, undefined, undefined, undefined]);
      expect([inputs.comparisonOperator, inputs.threshold]).toEqual(["GreaterThanThreshold", 0]);
    }
  });

  it("names every alarm with the suffix and keeps every description within 1,024 characters with a runbook link", () => {
    const names = [...monitor.ofType(METRIC_ALARM).map((r) => r.inputs.name), monitor.ofType(COMPOSITE)[0].inputs.alarmName];

    expect(names).toEqual([
      "monitoring-hub-alarm-application-errors-test",
      "monitoring-hub-alarm-application-critical-errors-test",
      "monitoring-hub-alarm-jira-lambda-errors-test",
      "monitoring-hub-alarm-jira-lambda-throttles-test",
      "monitoring-hub-alarm-jira-failure-queue-messages-test",
      "monitoring-hub-alarm-jira-redrive-queue-messages-test",
      "monitoring-hub-alarm-jira-reconcile-errors-test",
      "monitoring-hub-alarm-application-health-test",
    ]);
    for (const alarm of [...monitor.ofType(METRIC_ALARM), ...monitor.ofType(COMPOSITE)]) {
      const description = alarm.inputs.alarmDescription as string;
      expect(description.length).toBeLessThanOrEqual(1024);
      expect(description).toMatch(/\nRunbook: https:\/\/wiki\.example\.com\/runbooks\/monitoring-hub#[a-z-]+$/);
    }
  });

  it("combines the two application alarms in the composite rule, through their name outputs and dependsOn", () => {
    const composite = monitor.ofType(COMPOSITE)[0];
    const children = [monitor.named("hub-alarms-application-errors").urn, monitor.named("hub-alarms-application-critical-errors").urn];

    expect(composite.inputs.alarmRule).toBe(
      'ALARM("monitoring-hub-alarm-application-errors-test") OR ALARM("monitoring-hub-alarm-application-critical-errors-test")',
    );
    expect(composite.propertyDependencies.alarmRule).toEqual(children);
    expect(composite.dependencies).toEqual(expect.arrayContaining(children));
    expect(composite.inputs.tags).toEqual(TEST_TAGS);
  });

  it("keeps the caller's dependsOn on every alarm, the composite included", () => {
    const upstream = monitor.named("upstream").urn;

    expect([...monitor.ofType(METRIC_ALARM), ...monitor.ofType(COMPOSITE)].map((alarm) => alarm.dependencies.includes(upstream))).toEqual(Array(8).fill(true));
  });

  it("returns every alarm, the composite last, by name and by ARN", async () => {
    const names = await valueOf(pulumi.all(result.alarmNames));
    const arns = await valueOf(pulumi.all(result.alarmArns));

    expect(Object.keys(result.alarms)).toEqual(ALARM_SPECS.map((s) => s.id));
    expect(names).toHaveLength(8);
    expect(names[7]).toBe("monitoring-hub-alarm-application-health-test");
    expect(arns.map((arn) => arn.replace(`arn:aws:cloudwatch:us-east-1:${MOCK_HUB_ACCOUNT_ID}:alarm:`, ""))).toEqual(names);
  });

  it("returns the alarm names behind every id a maintenance window may name, none for the member alarms when they are off", async () => {
    const byId = Object.fromEntries(
      await Promise.all(Object.entries(result.alarmNamesById).map(async ([id, names]) => [id, await valueOf(pulumi.all([...names]))] as const)),
    );

    expect(byId).toEqual({
      ...Object.fromEntries(ALARM_SPECS.map((s) => [s.id, [`monitoring-hub-alarm-${s.id}-test`]])),
      "member-application-errors": [],
      "application-health": ["monitoring-hub-alarm-application-health-test"],
    });
  });

  it("throws before registering anything when the runbook URL carries a fragment", async () => {
    const before = monitor.recorded.size;

    expect(() => createAlarms("bad", { ...args, runbookUrl: `${runbookUrl}#alarms` }, {})).toThrow(
      `invalid alarm specs:\nrunbookUrl "${runbookUrl}#alarms" must not contain a fragment: each alarm appends its own anchor`,
    );
    await settle();
    expect(monitor.recorded.size).toBe(before);
  });
});
