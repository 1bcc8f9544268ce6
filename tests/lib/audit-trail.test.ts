/**
 * Proves the audit trail we send: the event pattern, the one log resource policy (exactly, and by IAM simulation of
 * its grant), the log group, and that the target waits for the policy. Not that EventBridge delivers: that needs AWS.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import * as pulumi from "@pulumi/pulumi";
import { alarmStateChangePattern, auditLogResourcePolicy, createAuditTrail, type AuditTrail } from "../../lib/audit-trail";
import { explicitDependencies, MOCK_HUB_ACCOUNT_ID, record, valueOf, type RecordingMonitor } from "../../scripts/recorder";
import { TEST_STACK, TEST_TAGS, testContext, testParent } from "../helpers/stack-context";

const groupArn = `arn:aws:logs:us-east-1:${MOCK_HUB_ACCOUNT_ID}:log-group:/aws/events/monitoring-hub-alarm-audit-test`;
const policy = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "EventBridgeWritesAlarmAudit",
      Effect: "Allow",
      Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${groupArn}:*`,
    },
  ],
};

describe("alarmStateChangePattern", () => {
  it("matches alarm state changes only, by source and detail-type", () => {
    expect(alarmStateChangePattern()).toEqual({ source: ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"] });
  });
});

describe("auditLogResourcePolicy", () => {
  it("grants EventBridge stream creation and writes on this log group's streams only, in the documented form", () => {
    expect(auditLogResourcePolicy(groupArn)).toEqual(policy);
  });

  it.each([
    ["events.amazonaws.com", "logs:PutLogEvents", `${groupArn}:log-stream:abc`, "Allowed"],
    ["events.amazonaws.com", "logs:CreateLogStream", `${groupArn}:log-stream:abc`, "Allowed"],
    ["delivery.logs.amazonaws.com", "logs:PutLogEvents", `${groupArn}:log-stream:abc`, "Allowed"],
    ["events.amazonaws.com", "logs:PutLogEvents", `arn:aws:logs:us-east-1:${MOCK_HUB_ACCOUNT_ID}:log-group:/monitoring-hub/test/application:log-stream:abc`, "ImplicitlyDenied"],
    ["events.amazonaws.com", "logs:DeleteLogGroup", `${groupArn}:log-stream:abc`, "ImplicitlyDenied"],
    ["sns.amazonaws.com", "logs:PutLogEvents", `${groupArn}:log-stream:abc`, "ImplicitlyDenied"],
  ])("%s calling %s on %s is %s", async (principal, action, resource, expected) => {
    const result = await runSimulation(
      {
        request: { principal, action, resource: { resource, accountId: MOCK_HUB_ACCOUNT_ID }, contextVariables: {} },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: auditLogResourcePolicy(groupArn),
      },
      {},
    );

    expect(result).toMatchObject({ resultType: "single", overallResult: expected });
  });
});

describe("createAuditTrail", () => {
  let monitor: RecordingMonitor;
  let parentUrn: string;
  let trail: AuditTrail;

  beforeAll(async () => {
    const recorded = await record(
      () => {
        const parent = testParent();
        return { parent, trail: createAuditTrail("hub-audit", { ctx: testContext() }, { parent }) };
      },
      TEST_STACK,
    );
    monitor = recorded.monitor;
    trail = recorded.result.trail;
    parentUrn = await valueOf(recorded.result.parent.urn);
  });

  it("creates exactly one rule, log group, log resource policy and target, all under the parent", () => {
    const types = [
      "aws:cloudwatch/eventRule:EventRule",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
      "aws:cloudwatch/eventTarget:EventTarget",
    ];

    expect(types.map((t) => monitor.one(t).parent)).toEqual(Array(4).fill(parentUrn));
    expect(monitor.recorded.size).toBe(5);
  });

  it("matches alarm state changes by source and detail-type", () => {
    expect(monitor.one("aws:cloudwatch/eventRule:EventRule").inputs).toEqual({
      name: "monitoring-hub-alarm-state-changes-test",
      description: "Every CloudWatch alarm state change of the hub account, kept in the alarm audit log group.",
      eventPattern: JSON.stringify({ source: ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"] }),
      tags: TEST_TAGS,
    });
  });

  it("keeps the trail 30 days in a log group under /aws/events/", () => {
    expect(monitor.one("aws:cloudwatch/logGroup:LogGroup").inputs).toEqual({ name: "/aws/events/monitoring-hub-alarm-audit-test", retentionInDays: 30, tags: TEST_TAGS });
  });

  it("lets EventBridge write to that log group through one resource policy built from its ARN", () => {
    const resourcePolicy = monitor.one("aws:cloudwatch/logResourcePolicy:LogResourcePolicy");

    expect(resourcePolicy.inputs.policyName).toBe("monitoring-hub-alarm-audit-events-test");
    expect(JSON.parse(resourcePolicy.inputs.policyDocument as string)).toEqual(policy);
    expect(resourcePolicy.propertyDependencies.policyDocument).toEqual([monitor.one("aws:cloudwatch/logGroup:LogGroup").urn]);
  });

  it("targets the log group without a role, only after the resource policy exists", () => {
    const target = monitor.one("aws:cloudwatch/eventTarget:EventTarget");

    expect(target.inputs).toEqual({ rule: "monitoring-hub-alarm-state-changes-test", arn: groupArn, targetId: "alarm-audit-log-group" });
    expect(target.dependencies).toEqual(
      expect.arrayContaining([
        monitor.one("aws:cloudwatch/logResourcePolicy:LogResourcePolicy").urn,
        monitor.one("aws:cloudwatch/eventRule:EventRule").urn,
        monitor.one("aws:cloudwatch/logGroup:LogGroup").urn,
      ]),
    );
    expect(explicitDependencies(target)).toEqual([monitor.one("aws:cloudwatch/logResourcePolicy:LogResourcePolicy").urn]);
  });

  it("returns the four resources", async () => {
    expect(await valueOf(pulumi.all([trail.rule.urn, trail.logGroup.urn, trail.resourcePolicy.urn, trail.target.urn]))).toEqual([
      monitor.one("aws:cloudwatch/eventRule:EventRule").urn,
      monitor.one("aws:cloudwatch/logGroup:LogGroup").urn,
      monitor.one("aws:cloudwatch/logResourcePolicy:LogResourcePolicy").urn,
      monitor.one("aws:cloudwatch/eventTarget:EventTarget").urn,
    ]);
  });
});
