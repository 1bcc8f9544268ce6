// Proves, with an IAM policy simulator, what the documents the alerting and JIRA Lambda pieces register (taken from the
// recorded inputs) allow and refuse. It evaluates the policy language offline: it does not prove which context keys a
// service really sends (FACTS 33-34), nor that SCPs or permission boundaries leave these grants intact.
import { runSimulation, type EvaluationResult } from "@cloud-copilot/iam-simulate";

import { createAlerting } from "../../lib/alerting";
import { createJiraLambda } from "../../lib/jira-lambda";
import { createReconcile } from "../../lib/reconcile";
import { MOCK_HUB_ACCOUNT_ID, record, type RecordingMonitor } from "../../scripts/recorder";
import { TEST_JIRA_SETTINGS } from "../helpers/jira-settings";
import { TEST_STACK, testContext, testParent } from "../helpers/stack-context";

jest.mock("../../lib/lambda-bundle", () => ({
  bundleJiraHandler: () => ({ code: "exports.handler=async()=>{};", sha256: "5ca1ab1e" }),
}));

const HUB = MOCK_HUB_ACCOUNT_ID;
const OTHER = "999988887777";
const FUNCTION = "monitoring-hub-jira-handler-test";
const LAMBDA_SESSION = `arn:aws:sts::${HUB}:assumed-role/${FUNCTION}/${FUNCTION}`;
const HUB_OPERATOR = `arn:aws:iam::${HUB}:role/operator`;
const ALARM = `arn:aws:cloudwatch:us-east-1:${HUB}:alarm:monitoring-hub-app-errors-test`;
const TLS = { "aws:SecureTransport": "true" };

type Doc = Record<string, unknown>;

let monitor: RecordingMonitor;

beforeAll(async () => {
  ({ monitor } = await record(
    () => {
      const parent = testParent();
      const ctx = testContext({ tags: {}, identityParent: parent });
      const alerting = createAlerting("hub-alerting", { ctx, alertEmails: ["oncall@example.com"] }, { parent });
      const jiraLambda = createJiraLambda(
        "hub-jira",
        {
          ctx,
          alertTopic: alerting.alertTopic,
          noticeTopic: alerting.noticeTopic,
          keyArn: alerting.keyArn,
          jira: TEST_JIRA_SETTINGS,
          reservedConcurrency: 5,
        },
        { parent },
      );
      createReconcile(
        "hub-reconcile",
        {
          ctx,
          jiraLambda,
          alertTopic: alerting.alertTopic,
          noticeTopic: alerting.noticeTopic,
          keyArn: alerting.keyArn,
          jira: TEST_JIRA_SETTINGS,
          settings: { schedule: "rate(5 minutes)", graceMinutes: 10, maxJiraWritesPerRun: 20 },
        },
        { parent },
      );
    },
    TEST_STACK,
  ));
});

const doc = (name: string, input: string): Doc => JSON.parse(monitor.named(name).inputs[input] as string) as Doc;
const arnOf = (name: string): string => monitor.named(name).state.arn as string;

interface Request {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  readonly identityPolicy?: Doc;
  readonly resourcePolicy?: Doc;
}

async function simulate(r: Request): Promise<EvaluationResult> {
  const result = await runSimulation(
    {
      request: {
        principal: r.principal,
        action: r.action,
        resource: { resource: r.resource, accountId: r.resource.split(":")[4] || HUB },
        contextVariables: r.context ?? {},
      },
      identityPolicies: r.identityPolicy ? [{ name: "policy", policy: r.identityPolicy }] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: r.resourcePolicy,
    },
    {},
  );
  if (result.resultType === "error") throw new Error(`${r.action} on ${r.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** Everything an operator of the hub account may do by IAM, to see what a resource policy still refuses. */
const operatorPolicy: Doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sns:*", "kms:*"], Resource: "*" }] };

describe("the JIRA Lambda's role", () => {
  const asLambda = (action: string, resource: string, extra: Partial<Request> = {}) =>
    simulate({ principal: LAMBDA_SESSION, action, resource, identityPolicy: doc("hub-jira-role-policy", "policy"), ...extra });

  it("may be assumed by Lambda for this account only", async () => {
    const trust = doc("hub-jira-role", "assumeRolePolicy");
    const role = `arn:aws:iam::${HUB}:role/${FUNCTION}`;
    const assume = (account: string) =>
      simulate({
        principal: "lambda.amazonaws.com",
        action: "sts:AssumeRole",
        resource: role,
        context: { "aws:SourceAccount": account },
        resourcePolicy: trust,
      });

    expect(await assume(HUB)).toBe("Allowed");
    expect(await assume(OTHER)).toBe("ImplicitlyDenied");
  });

  it.each([
    ["secretsmanager:GetSecretValue", "hub-jira-credentials"],
    ["dynamodb:GetItem", "hub-jira-tickets"],
    ["dynamodb:PutItem", "hub-jira-tickets"],
    ["dynamodb:UpdateItem", "hub-jira-tickets"],
    ["sqs:SendMessage", "hub-jira-failures"],
  ])("allows %s on its own %s", async (action, resource) => {
    expect(await asLambda(action, arnOf(resource))).toBe("Allowed");
  });

  it.each(["logs:CreateLogStream", "logs:PutLogEvents"])("allows %s in its own log group only", async (action) => {
    const stream = (group: string) => `${group}:log-stream:2025/06/01/[$LATEST]0123456789abcdef`;

    expect(await asLambda(action, stream(arnOf("hub-jira-logs")))).toBe("Allowed");
    expect(await asLambda(action, stream(`arn:aws:logs:us-east-1:${HUB}:log-group:/aws/lambda/other`))).toBe("ImplicitlyDenied");
    expect(await asLambda(action, stream(`${arnOf("hub-jira-logs")}-shadow`))).toBe("ImplicitlyDenied");
  });

  it("allows publishing a notice to the notice topic, through the topic's own policy, over TLS", async () => {
    expect(
      await asLambda("sns:Publish", arnOf("hub-alerting-notices"), {
        resourcePolicy: doc("hub-alerting-notices-policy", "policy"),
        context: TLS,
      }),
    ).toBe("Allowed");
  });

  it("is refused publishing to the alert topic, which would re-trigger it", async () => {
    expect(
      await asLambda("sns:Publish", arnOf("hub-alerting-alerts"), {
        resourcePolicy: doc("hub-alerting-alerts-policy", "policy"),
        context: TLS,
      }),
    ).toBe("ImplicitlyDenied");
  });

  it.each([
    ["sns:Publish", `arn:aws:sns:us-east-1:${HUB}:some-other-topic`],
    ["secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${HUB}:secret:some-other-secret-Zz99Yy`],
    ["dynamodb:PutItem", `arn:aws:dynamodb:us-east-1:${HUB}:table/some-other-table`],
    ["dynamodb:Scan", `arn:aws:dynamodb:us-east-1:${HUB}:table/monitoring-hub-jira-tickets-test`],
    ["dynamodb:DeleteItem", `arn:aws:dynamodb:us-east-1:${HUB}:table/monitoring-hub-jira-tickets-test`],
    ["dynamodb:DeleteTable", `arn:aws:dynamodb:us-east-1:${HUB}:table/monitoring-hub-jira-tickets-test`],
    ["sqs:SendMessage", `arn:aws:sqs:us-east-1:${HUB}:monitoring-hub-jira-undelivered-test`],
    ["sqs:ReceiveMessage", `arn:aws:sqs:us-east-1:${HUB}:monitoring-hub-jira-failures-test`],
    ["secretsmanager:PutSecretValue", `arn:aws:secretsmanager:us-east-1:${HUB}:secret:monitoring-hub-jira-credentials-test-Ab12Cd`],
  ])("is refused %s on %s", async (action, resource) => {
    expect(await asLambda(action, resource)).toBe("ImplicitlyDenied");
  });

  it("uses the key only through the services that hold its data, and the key policy lets IAM grant that", async () => {
    const key = arnOf("hub-alerting-key");
    const keyPolicy = doc("hub-alerting-key", "policy");
    const via = (action: string, service?: string) =>
      asLambda(action, key, {
        resourcePolicy: keyPolicy,
        context: service === undefined ? {} : { "kms:ViaService": `${service}.us-east-1.amazonaws.com` },
      });

    expect(await via("kms:Decrypt", "secretsmanager")).toBe("Allowed");
    expect(await via("kms:GenerateDataKey", "sns")).toBe("Allowed");
    expect(await via("kms:GenerateDataKey", "sqs")).toBe("Allowed");
    expect(await via("kms:Decrypt", "dynamodb")).toBe("Allowed");
    expect(await via("kms:GenerateDataKey", "secretsmanager")).toBe("ImplicitlyDenied");
    expect(await via("kms:Decrypt", "s3")).toBe("ImplicitlyDenied");
    expect(await via("kms:Decrypt")).toBe("ImplicitlyDenied");
    expect(await via("kms:ScheduleKeyDeletion")).toBe("ImplicitlyDenied");
  });
});

describe("the reconciliation sweep's role", () => {
  const SWEEP = "monitoring-hub-jira-reconcile-test";
  const SWEEP_SESSION = `arn:aws:sts::${HUB}:assumed-role/${SWEEP}/${SWEEP}`;
  const asSweep = (action: string, resource: string, extra: Partial<Request> = {}) =>
    simulate({ principal: SWEEP_SESSION, action, resource, identityPolicy: doc("hub-reconcile-role-policy", "policy"), ...extra });

  it("may be assumed by Lambda for this account only", async () => {
    const assume = (account: string) =>
      simulate({
        principal: "lambda.amazonaws.com",
        action: "sts:AssumeRole",
        resource: `arn:aws:iam::${HUB}:role/${SWEEP}`,
        context: { "aws:SourceAccount": account },
        resourcePolicy: doc("hub-reconcile-role", "assumeRolePolicy"),
      });

    expect(await assume(HUB)).toBe("Allowed");
    expect(await assume(OTHER)).toBe("ImplicitlyDenied");
  });

  it.each([
    ["secretsmanager:GetSecretValue", "hub-jira-credentials"],
    ["dynamodb:GetItem", "hub-jira-tickets"],
    ["dynamodb:PutItem", "hub-jira-tickets"],
    ["dynamodb:UpdateItem", "hub-jira-tickets"],
  ])("allows %s on the JIRA Lambda's %s", async (action, resource) => {
    expect(await asSweep(action, arnOf(resource))).toBe("Allowed");
  });

  it("reads alarm states and mute rules", async () => {
    expect(await asSweep("cloudwatch:DescribeAlarms", `arn:aws:cloudwatch:us-east-1:${HUB}:alarm:*`)).toBe("Allowed");
    expect(await asSweep("cloudwatch:ListAlarmMuteRules", `arn:aws:cloudwatch:us-east-1:${HUB}:alarm-mute-rule:*`)).toBe("Allowed");
  });

  it("writes logs into its own log group only", async () => {
    const stream = (group: string) => `${group}:log-stream:2025/06/01/[$LATEST]0123456789abcdef`;

    expect(await asSweep("logs:PutLogEvents", stream(arnOf("hub-reconcile-logs")))).toBe("Allowed");
    expect(await asSweep("logs:PutLogEvents", stream(arnOf("hub-jira-logs")))).toBe("ImplicitlyDenied");
  });

  it("publishes its notice to the notice topic, through the topic's own policy, over TLS", async () => {
    expect(await asSweep("sns:Publish", arnOf("hub-alerting-notices"), { resourcePolicy: doc("hub-alerting-notices-policy", "policy"), context: TLS })).toBe(
      "Allowed",
    );
  });

  it("is refused publishing to the alert topic, which would raise notifications", async () => {
    expect(await asSweep("sns:Publish", arnOf("hub-alerting-alerts"), { resourcePolicy: doc("hub-alerting-alerts-policy", "policy"), context: TLS })).toBe(
      "ImplicitlyDenied",
    );
  });

  it.each([
    ["cloudwatch:PutMetricAlarm", `arn:aws:cloudwatch:us-east-1:${HUB}:alarm:monitoring-hub-alarm-application-health-test`],
    ["cloudwatch:SetAlarmState", `arn:aws:cloudwatch:us-east-1:${HUB}:alarm:monitoring-hub-alarm-application-health-test`],
    ["cloudwatch:DeleteAlarms", `arn:aws:cloudwatch:us-east-1:${HUB}:alarm:monitoring-hub-alarm-application-health-test`],
    ["cloudwatch:DisableAlarmActions", `arn:aws:cloudwatch:us-east-1:${HUB}:alarm:monitoring-hub-alarm-application-health-test`],
    ["cloudwatch:PutAlarmMuteRule", `arn:aws:cloudwatch:us-east-1:${HUB}:alarm-mute-rule:monitoring-hub-mute-patching-test`],
    ["cloudwatch:DeleteAlarmMuteRule", `arn:aws:cloudwatch:us-east-1:${HUB}:alarm-mute-rule:monitoring-hub-mute-patching-test`],
    ["sqs:SendMessage", `arn:aws:sqs:us-east-1:${HUB}:monitoring-hub-jira-failures-test`],
    ["dynamodb:Scan", `arn:aws:dynamodb:us-east-1:${HUB}:table/monitoring-hub-jira-tickets-test`],
    ["dynamodb:DeleteItem", `arn:aws:dynamodb:us-east-1:${HUB}:table/monitoring-hub-jira-tickets-test`],
    ["dynamodb:PutItem", `arn:aws:dynamodb:us-east-1:${HUB}:table/some-other-table`],
    ["secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${HUB}:secret:some-other-secret-Zz99Yy`],
    ["sns:Publish", `arn:aws:sns:us-east-1:${HUB}:some-other-topic`],
    ["lambda:InvokeFunction", `arn:aws:lambda:us-east-1:${HUB}:function:monitoring-hub-jira-handler-test`],
  ])("is refused %s on %s", async (action, resource) => {
    expect(await asSweep(action, resource)).toBe("ImplicitlyDenied");
  });

  it("uses the key only through SNS, DynamoDB and (to decrypt) Secrets Manager", async () => {
    const via = (action: string, service?: string) =>
      asSweep(action, arnOf("hub-alerting-key"), {
        resourcePolicy: doc("hub-alerting-key", "policy"),
        context: service === undefined ? {} : { "kms:ViaService": `${service}.us-east-1.amazonaws.com` },
      });

    expect(await via("kms:GenerateDataKey", "sns")).toBe("Allowed");
    expect(await via("kms:Decrypt", "dynamodb")).toBe("Allowed");
    expect(await via("kms:Decrypt", "secretsmanager")).toBe("Allowed");
    expect(await via("kms:GenerateDataKey", "sqs")).toBe("ImplicitlyDenied");
    expect(await via("kms:Decrypt")).toBe("ImplicitlyDenied");
  });
});

describe("the reconciliation schedule's role", () => {
  const ROLE = "monitoring-hub-jira-reconcile-scheduler-test";
  const asScheduler = (action: string, resource: string) =>
    simulate({ principal: `arn:aws:sts::${HUB}:assumed-role/${ROLE}/schedule`, action, resource, identityPolicy: doc("hub-reconcile-scheduler-role-policy", "policy") });

  it("may be assumed by EventBridge Scheduler for this account only", async () => {
    const assume = (principal: string, account: string) =>
      simulate({
        principal,
        action: "sts:AssumeRole",
        resource: `arn:aws:iam::${HUB}:role/${ROLE}`,
        context: { "aws:SourceAccount": account },
        resourcePolicy: doc("hub-reconcile-scheduler-role", "assumeRolePolicy"),
      });

    expect(await assume("scheduler.amazonaws.com", HUB)).toBe("Allowed");
    expect(await assume("scheduler.amazonaws.com", OTHER)).toBe("ImplicitlyDenied");
    expect(await assume("events.amazonaws.com", HUB)).toBe("ImplicitlyDenied");
  });

  it("invokes the sweep and nothing else", async () => {
    expect(await asScheduler("lambda:InvokeFunction", arnOf("hub-reconcile-function"))).toBe("Allowed");
    expect(await asScheduler("lambda:InvokeFunction", arnOf("hub-jira-function"))).toBe("ImplicitlyDenied");
    expect(await asScheduler("lambda:UpdateFunctionCode", arnOf("hub-reconcile-function"))).toBe("ImplicitlyDenied");
  });
});

describe("the alert topic's policy", () => {
  const publish = (principal: string, context: Record<string, string>, identityPolicy?: Doc) =>
    simulate({
      principal,
      action: "sns:Publish",
      resource: arnOf("hub-alerting-alerts"),
      context,
      identityPolicy,
      resourcePolicy: doc("hub-alerting-alerts-policy", "policy"),
    });
  const alarmOf = (account: string, region = "us-east-1") => ({
    "aws:SourceAccount": account,
    "aws:SourceArn": `arn:aws:cloudwatch:${region}:${account}:alarm:app-errors`,
    ...TLS,
  });

  it("lets this account's alarms publish", async () => {
    expect(await publish("cloudwatch.amazonaws.com", { "aws:SourceAccount": HUB, "aws:SourceArn": ALARM, ...TLS })).toBe("Allowed");
  });

  it("refuses another account's alarm, an alarm of another region and another service", async () => {
    expect(await publish("cloudwatch.amazonaws.com", alarmOf(OTHER))).toBe("ImplicitlyDenied");
    expect(await publish("cloudwatch.amazonaws.com", alarmOf(HUB, "eu-west-1"))).toBe("ImplicitlyDenied");
    expect(await publish("events.amazonaws.com", alarmOf(HUB))).toBe("ImplicitlyDenied");
  });

  it("refuses principals of another account even when their own IAM allows it", async () => {
    expect(await publish(`arn:aws:iam::${OTHER}:role/intruder`, TLS, operatorPolicy)).toBe("ImplicitlyDenied");
  });

  it("leaves the owner account's IAM in charge over TLS", async () => {
    expect(await publish(HUB_OPERATOR, TLS, operatorPolicy)).toBe("Allowed");
  });

  it("explicitly refuses any request without TLS, the owner's and CloudWatch's included", async () => {
    const plain = { "aws:SecureTransport": "false" };

    expect(await publish(HUB_OPERATOR, plain, operatorPolicy)).toBe("ExplicitlyDenied");
    expect(await publish("cloudwatch.amazonaws.com", { "aws:SourceAccount": HUB, "aws:SourceArn": ALARM, ...plain })).toBe(
      "ExplicitlyDenied",
    );
  });

  it("is the notice topic's policy too, scoped to the notice topic", async () => {
    expect(
      await simulate({
        principal: "cloudwatch.amazonaws.com",
        action: "sns:Publish",
        resource: arnOf("hub-alerting-notices"),
        context: { "aws:SourceAccount": HUB, "aws:SourceArn": ALARM, ...TLS },
        resourcePolicy: doc("hub-alerting-notices-policy", "policy"),
      }),
    ).toBe("Allowed");
    expect(
      await simulate({
        principal: "cloudwatch.amazonaws.com",
        action: "sns:Publish",
        resource: arnOf("hub-alerting-alerts"),
        context: { "aws:SourceAccount": HUB, "aws:SourceArn": ALARM, ...TLS },
        resourcePolicy: doc("hub-alerting-notices-policy", "policy"),
      }),
    ).toBe("ImplicitlyDenied");
  });
});

describe("the alerting key's policy", () => {
  const useKey = (principal: string, action: string, context: Record<string, string>) =>
    simulate({ principal, action, resource: arnOf("hub-alerting-key"), context, resourcePolicy: doc("hub-alerting-key", "policy") });

  it("lets this account's alarms encrypt for the topics, and no other account's", async () => {
    expect(await useKey("cloudwatch.amazonaws.com", "kms:GenerateDataKey", { "aws:SourceAccount": HUB, "aws:SourceArn": ALARM })).toBe(
      "Allowed",
    );
    expect(await useKey("cloudwatch.amazonaws.com", "kms:Decrypt", { "aws:SourceAccount": HUB, "aws:SourceArn": ALARM })).toBe("Allowed");
    expect(
      await useKey("cloudwatch.amazonaws.com", "kms:GenerateDataKey", {
        "aws:SourceAccount": OTHER,
        "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${OTHER}:alarm:x`,
      }),
    ).toBe("ImplicitlyDenied");
    expect(await useKey("cloudwatch.amazonaws.com", "kms:ScheduleKeyDeletion", { "aws:SourceAccount": HUB, "aws:SourceArn": ALARM })).toBe(
      "ImplicitlyDenied",
    );
  });

  it("lets SNS of this account encrypt into the redrive queue, and no other account's", async () => {
    expect(await useKey("sns.amazonaws.com", "kms:GenerateDataKey", { "aws:SourceAccount": HUB })).toBe("Allowed");
    expect(await useKey("sns.amazonaws.com", "kms:GenerateDataKey", { "aws:SourceAccount": OTHER })).toBe("ImplicitlyDenied");
  });

  it("grants nothing to a service it does not name", async () => {
    expect(await useKey("events.amazonaws.com", "kms:GenerateDataKey", { "aws:SourceAccount": HUB })).toBe("ImplicitlyDenied");
  });
});

describe("the redrive queue's policy", () => {
  const redrive = (topicArn: string) =>
    simulate({
      principal: "sns.amazonaws.com",
      action: "sqs:SendMessage",
      resource: arnOf("hub-jira-undelivered"),
      context: { "aws:SourceArn": topicArn },
      resourcePolicy: doc("hub-jira-undelivered-policy", "policy"),
    });

  it("admits only the alert topic", async () => {
    expect(await redrive(arnOf("hub-alerting-alerts"))).toBe("Allowed");
    expect(await redrive(arnOf("hub-alerting-notices"))).toBe("ImplicitlyDenied");
    expect(await redrive(`arn:aws:sns:us-east-1:${OTHER}:monitoring-hub-alerts-test`)).toBe("ImplicitlyDenied");
  });
});
