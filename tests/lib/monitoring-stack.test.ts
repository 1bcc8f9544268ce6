/**
 * The whole program (index.ts -> config -> MonitoringStack) under Pulumi mocks, with the dev stack's config, member
 * account alarms on (whatever Pulumi.dev.yaml says) and a secret credential. Proves the resources, inputs, parents and dependency edges we send; it does not prove that AWS
 * accepts them (the IAM simulator and template validator tests check semantics separately).
 */
import { countByType, record, type RecordedResource, type RecordingMonitor } from "../../scripts/recorder";
import { buildPlan } from "../../scripts/plan-model";
import { readStackConfig } from "../../scripts/stack-config";

const CREDENTIAL = JSON.stringify({ email: "bot@example.com", apiToken: "tok-4f1e2d3c-never-in-plaintext" });
const stackConfig = readStackConfig("dev");
const MEMBERS = JSON.parse(stackConfig.config["monitoring-hub:memberAccountIds"]) as string[];
let monitor: RecordingMonitor;
let all: RecordedResource[];

beforeAll(async () => {
  ({ monitor } = await record(() => require("../../index"), {
    ...stackConfig,
    config: { ...stackConfig.config, "monitoring-hub:memberAccountAlarms": "true", "monitoring-hub:jiraCredentials": CREDENTIAL },
    secretKeys: ["monitoring-hub:jiraCredentials"],
  }));
  all = monitor.all();
});

const dependsOn = (from: RecordedResource, to: RecordedResource) => from.dependencies.includes(to.urn);
/** The notification path's function (the other one, `index.reconcile`, is the reconciliation sweep). */
const jiraFunction = () => monitor.ofType("aws:lambda/function:Function").find((fn) => fn.inputs.handler === "index.handler")!;
const stack = () => monitor.one("monitoring-hub:index:MonitoringStack");

describe("MonitoringStack", () => {
  it("creates exactly the expected resources", () => {
    expect(countByType(all)).toEqual(EXPECTED_COUNTS);
  });

  it("parents every resource to the stack component", () => {
    const root = stack();

    expect(root.parent).toBeNull();
    expect(all.filter((r) => r !== root && r.parent !== root.urn)).toEqual([]);
  });

  it("protects and retains nothing, so pulumi destroy removes everything", () => {
    expect(all.filter((r) => r.options.protect || r.options.retainOnDelete).map((r) => r.name)).toEqual([]);
  });

  it("subscribes the Lambda only after the function and its invoke permission exist", () => {
    const subscription = monitor.ofType("aws:sns/topicSubscription:TopicSubscription").find((s) => s.inputs.protocol === "lambda")!;

    expect(dependsOn(subscription, jiraFunction())).toBe(true);
    expect(dependsOn(subscription, monitor.one("aws:lambda/permission:Permission"))).toBe(true);
  });

  it("creates each function's log group before the function", () => {
    const functions = monitor.ofType("aws:lambda/function:Function");

    expect(functions.map((fn) => fn.inputs.handler).sort()).toEqual(["index.handler", "index.reconcile"]);
    for (const fn of functions) {
      const logGroup = monitor.ofType("aws:cloudwatch/logGroup:LogGroup").find((g) => g.inputs.name === `/aws/lambda/${String(fn.inputs.name)}`)!;
      expect(dependsOn(fn, logGroup)).toBe(true);
    }
  });

  it("runs the reconciliation sweep on the configured schedule through a role that may invoke only the sweep", () => {
    const schedule = monitor.one("aws:scheduler/schedule:Schedule");
    const sweep = monitor.ofType("aws:lambda/function:Function").find((fn) => fn.inputs.handler === "index.reconcile")!;
    const role = monitor.ofType("aws:iam/role:Role").find((r) => r.state.arn === (schedule.inputs.target as { roleArn: string }).roleArn)!;
    const rolePolicy = monitor.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => p.propertyDependencies.role?.includes(role.urn))!;

    expect(schedule.inputs).toMatchObject({ scheduleExpression: "rate(5 minutes)", target: { arn: sweep.state.arn, input: '{"source":"monitoring-hub.reconcile"}' } });
    expect(JSON.parse(rolePolicy.inputs.policy as string).Statement).toEqual([
      { Sid: "InvokeReconcileSweep", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: sweep.state.arn },
    ]);
    expect(dependsOn(schedule, rolePolicy)).toBe(true);
    expect((sweep.inputs.environment as { variables: Record<string, string> }).variables).toMatchObject({
      TICKET_TOPIC_ARN: "arn:aws:sns:us-east-1:111122223333:monitoring-hub-alerts-dev",
      ALARM_NAME_PREFIX: "monitoring-hub-alarm-",
      ALARM_NAME_SUFFIX: "-dev",
    });
  });

  it("mutes the alarms of the dev stack's maintenance window, after they exist", () => {
    const rule = monitor.one("aws:cloudwatch/alarmMuteRule:AlarmMuteRule");
    const composite = monitor.one("aws:cloudwatch/compositeAlarm:CompositeAlarm");

    expect(rule.inputs).toMatchObject({
      name: "monitoring-hub-mute-weekly-patching-dev",
      rule: { schedule: { expression: "cron(0 2 * * SUN)", duration: "PT2H", timezone: "Europe/Berlin" } },
      muteTargets: { alarmNames: ["monitoring-hub-alarm-application-health-dev"] },
    });
    expect(dependsOn(rule, composite)).toBe(true);
  });

  it("makes every alarm depend on the topic it notifies", () => {
    const topics = monitor.ofType("aws:sns/topic:Topic");
    for (const alarm of [...monitor.ofType("aws:cloudwatch/metricAlarm:MetricAlarm"), ...monitor.ofType("aws:cloudwatch/compositeAlarm:CompositeAlarm")]) {
      const actions = alarm.inputs.alarmActions as string[];
      const targets = topics.filter((t) => actions.includes(String(t.state.arn)));

      expect(targets.length).toBeGreaterThan(0);
      for (const topic of targets) expect(dependsOn(alarm, topic)).toBe(true);
    }
  });

  it("makes the composite depend on every child it names", () => {
    const composite = monitor.one("aws:cloudwatch/compositeAlarm:CompositeAlarm");
    const children = monitor.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) =>
      String(composite.inputs.alarmRule).includes(`"${String(a.inputs.name)}"`),
    );

    expect(children.length).toBeGreaterThanOrEqual(2);
    for (const child of children) expect(dependsOn(composite, child)).toBe(true);
  });

  it("starts the audit trail only after EventBridge may write to its log group", () => {
    expect(dependsOn(monitor.one("aws:cloudwatch/eventTarget:EventTarget"), monitor.one("aws:cloudwatch/logResourcePolicy:LogResourcePolicy"))).toBe(true);
  });

  it("ships the alarm's whole ticket lifecycle: every alarm breaching on missing data, with alarm and OK actions", () => {
    for (const alarm of monitor.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) {
      expect(alarm.inputs.treatMissingData).toBe("breaching");
      expect(alarm.inputs.alarmActions).toHaveLength(1);
      expect(alarm.inputs.okActions).toEqual(alarm.inputs.alarmActions);
    }
  });

  it("never routes an alarm about the JIRA Lambda or its queues through the Lambda", () => {
    const alertTopic = monitor.ofType("aws:sns/topic:Topic").find((t) => String(t.inputs.name).includes("alerts"))!;
    const aboutLambda = monitor.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => /jira|queue/.test(String(a.inputs.name)));

    expect(aboutLambda.length).toBeGreaterThanOrEqual(3);
    for (const alarm of aboutLambda) expect(alarm.inputs.alarmActions).not.toContain(alertTopic.state.arn);
  });

  it("opens one ticket per incident: only the composite and each member account's alarm notify the ticketing topic", () => {
    const alertTopic = monitor.ofType("aws:sns/topic:Topic").find((t) => String(t.inputs.name).includes("alerts"))!;
    const ticketing = [...monitor.ofType("aws:cloudwatch/compositeAlarm:CompositeAlarm"), ...monitor.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")].filter(
      (a) => (a.inputs.alarmActions as string[]).includes(String(alertTopic.state.arn)),
    );

    expect(ticketing.map((a) => String(a.inputs.alarmName ?? a.inputs.name))).toEqual([
      "monitoring-hub-alarm-application-health-dev",
      ...MEMBERS.map((id) => `monitoring-hub-alarm-member-application-errors-${id}-dev`),
    ]);
  });

  it("creates one alarm per member account on its metric, after the sink policy and the StackSet instances", () => {
    const memberAlarms = monitor.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.includes("-member-"));
    const waitsFor = [monitor.one("aws:oam/sinkPolicy:SinkPolicy"), ...monitor.ofType("aws:cloudformation/stackSetInstance:StackSetInstance")];

    expect(memberAlarms.map((a) => (a.inputs.metricQueries as { accountId: string }[])[0].accountId)).toEqual([...MEMBERS].sort());
    for (const alarm of memberAlarms) for (const r of waitsFor) expect(dependsOn(alarm, r)).toBe(true);
  });

  it("carries the environment suffix in every physical name", () => {
    const nameKeys = ["name", "alarmName", "ruleName", "dashboardName"];
    const names = all.flatMap((r) => nameKeys.map((k) => r.inputs[k]).filter((v): v is string => typeof v === "string"));

    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((n) => !/(^|[-/])dev($|[-/])/.test(n) && !n.includes("-dev-"))).toEqual([]);
  });

  it("tags every taggable resource with project and environment", () => {
    const taggable = all.filter((r) => r.custom && "tags" in r.inputs);
    const untagged = all.filter((r) => r.custom && TAGGABLE_TYPES.has(r.type) && !("tags" in r.inputs));

    expect(untagged.map((r) => `${r.type} ${r.name}`)).toEqual([]);
    for (const r of taggable) {
      expect(r.inputs.tags).toEqual(expect.objectContaining({ project: "monitoring-hub", environment: "dev", team: "sre" }));
    }
  });

  it("keeps the JIRA credential out of every input but the secret version, where it stays a secret", async () => {
    const plan = await buildPlan("monitoring-hub", "dev", all, {});
    const secretVersion = plan.resources.find((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion")!;

    expect(JSON.stringify(plan)).not.toContain("tok-4f1e2d3c");
    expect(secretVersion.inputs.secretString).toBe("[secret]");
    for (const fn of monitor.ofType("aws:lambda/function:Function")) expect(JSON.stringify(fn.inputs)).not.toContain("tok-4f1e2d3c");
  });
});

/** Resource types whose AWS resource takes tags; each must get them. */
const TAGGABLE_TYPES = new Set([
  "aws:kms/key:Key",
  "aws:sns/topic:Topic",
  "aws:sqs/queue:Queue",
  "aws:dynamodb/table:Table",
  "aws:secretsmanager/secret:Secret",
  "aws:lambda/function:Function",
  "aws:iam/role:Role",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  "aws:cloudwatch/eventRule:EventRule",
  "aws:cloudwatch/contributorInsightRule:ContributorInsightRule",
  "aws:cloudwatch/alarmMuteRule:AlarmMuteRule",
  "aws:oam/sink:Sink",
  "aws:cloudformation/stackSet:StackSet",
]);

const EXPECTED_COUNTS: Record<string, number> = {
  "aws:cloudformation/stackSet:StackSet": 1,
  "aws:cloudformation/stackSetInstance:StackSetInstance": 1,
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": 1,
  "aws:cloudwatch/contributorInsightRule:ContributorInsightRule": 2,
  "aws:cloudwatch/dashboard:Dashboard": 1,
  "aws:cloudwatch/eventRule:EventRule": 1,
  "aws:cloudwatch/eventTarget:EventTarget": 1,
  "aws:cloudwatch/alarmMuteRule:AlarmMuteRule": 1,
  "aws:cloudwatch/logGroup:LogGroup": 5,
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": 2,
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": 1,
  "aws:cloudwatch/metricAlarm:MetricAlarm": 7 + MEMBERS.length,
  "aws:dynamodb/table:Table": 1,
  "aws:iam/role:Role": 3,
  "aws:iam/rolePolicy:RolePolicy": 3,
  "aws:kms/alias:Alias": 1,
  "aws:kms/key:Key": 1,
  "aws:lambda/function:Function": 2,
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": 2,
  "aws:lambda/permission:Permission": 1,
  "aws:oam/sink:Sink": 1,
  "aws:oam/sinkPolicy:SinkPolicy": 1,
  "aws:scheduler/schedule:Schedule": 1,
  "aws:secretsmanager/secret:Secret": 1,
  "aws:secretsmanager/secretVersion:SecretVersion": 1,
  "aws:sns/topic:Topic": 2,
  "aws:sns/topicPolicy:TopicPolicy": 2,
  "aws:sns/topicSubscription:TopicSubscription": 3,
  "aws:sqs/queue:Queue": 2,
  "aws:sqs/queuePolicy:QueuePolicy": 1,
  "monitoring-hub:index:MonitoringStack": 1,
};
