// Proves the reconciliation sweep's policy documents and environment (exactly), and the resources, inputs, parents and
// dependency edges lib/reconcile.ts registers, recorded under mocks. Policy semantics are in iam-simulation.test.ts;
// that AWS accepts the schedule and the function is not proven offline.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { RECONCILE_EVENT_SOURCE } from "../../lambda_functions/jira-handler/reconcile";
import { createJiraLambda, jiraLambdaEnvironment, jiraLambdaTrustPolicy, type JiraLambda } from "../../lib/jira-lambda";
import {
  createReconcile,
  RECONCILE_EVENT,
  reconcileEnvironment,
  reconcilePolicy,
  schedulerInvokePolicy,
  schedulerTrustPolicy,
  type Reconcile,
} from "../../lib/reconcile";
import { countByType, explicitDependencies, MOCK_HUB_ACCOUNT_ID, record, valueOf, type RecordingMonitor } from "../../scripts/recorder";
import { TEST_JIRA_SETTINGS } from "../helpers/jira-settings";
import { TEST_STACK, TEST_TAGS, testContext, testParent } from "../helpers/stack-context";

jest.mock("../../lib/lambda-bundle", () => ({
  bundleJiraHandler: () => ({ code: "exports.handler=async()=>{};exports.reconcile=async()=>{};", sha256: "5ca1ab1e" }),
}));

const KEY = "arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const ARN = (service: string, rest: string) => `arn:aws:${service}:us-east-1:111122223333:${rest}`;
const SETTINGS = { schedule: "rate(5 minutes)", graceMinutes: 10, maxJiraWritesPerRun: 20 };

describe("reconcileEnvironment", () => {
  const refs = {
    secretArn: ARN("secretsmanager", "secret:monitoring-hub-jira-credentials-test-Ab12Cd"),
    fallbackTopicArn: ARN("sns", "monitoring-hub-notices-test"),
    ticketsTableName: "monitoring-hub-jira-tickets-test",
  };

  it("is the JIRA Lambda's contract plus the sweep's five variables", () => {
    const env = reconcileEnvironment(TEST_JIRA_SETTINGS, refs, {
      ticketTopicArn: ARN("sns", "monitoring-hub-alerts-test"),
      suffix: "test",
      settings: { graceMinutes: 15, maxJiraWritesPerRun: 40 },
    });

    expect(env).toEqual({
      ...jiraLambdaEnvironment(TEST_JIRA_SETTINGS, refs),
      TICKET_TOPIC_ARN: ARN("sns", "monitoring-hub-alerts-test"),
      ALARM_NAME_PREFIX: "monitoring-hub-alarm-",
      ALARM_NAME_SUFFIX: "-test",
      RECONCILE_GRACE_MINUTES: "15",
      RECONCILE_MAX_JIRA_WRITES: "40",
    });
  });
});

describe("reconcilePolicy", () => {
  const args = {
    logGroupArn: ARN("logs", "log-group:/aws/lambda/monitoring-hub-jira-reconcile-test"),
    secretArn: ARN("secretsmanager", "secret:monitoring-hub-jira-credentials-test-Ab12Cd"),
    tableArn: ARN("dynamodb", "table/monitoring-hub-jira-tickets-test"),
    noticeTopicArn: ARN("sns", "monitoring-hub-notices-test"),
    keyArn: KEY,
    region: "us-east-1",
    partition: "aws",
  };

  it("grants each write on its one resource, the key only through the services it uses, and reads alarms on *", () => {
    expect(reconcilePolicy(args)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${args.logGroupArn}:log-stream:*` },
        { Sid: "ReadJiraCredential", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: args.secretArn },
        { Sid: "TrackTickets", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], Resource: args.tableArn },
        { Sid: "NotifyHumans", Effect: "Allow", Action: "sns:Publish", Resource: args.noticeTopicArn },
        { Sid: "ReadAlarmStatesAndMuteRules", Effect: "Allow", Action: ["cloudwatch:DescribeAlarms", "cloudwatch:ListAlarmMuteRules"], Resource: "*" },
        {
          Sid: "UseKeyThroughWritingServices",
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: KEY,
          Condition: { StringEquals: { "kms:ViaService": ["sns.us-east-1.amazonaws.com", "dynamodb.us-east-1.amazonaws.com"] } },
        },
        {
          Sid: "UseKeyThroughSecretsManager",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: KEY,
          Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
        },
      ],
    });
  });

  it("names the China endpoints in kms:ViaService", () => {
    expect(reconcilePolicy({ ...args, region: "cn-north-1", partition: "aws-cn" }).Statement[6].Condition).toEqual({
      StringEquals: { "kms:ViaService": "secretsmanager.cn-north-1.amazonaws.com.cn" },
    });
  });

  it("puts only read actions on the wildcard resource", () => {
    const onWildcard = reconcilePolicy(args).Statement.filter((s) => s.Resource === "*").flatMap((s) => [s.Action].flat());

    expect(onWildcard).toEqual(["cloudwatch:DescribeAlarms", "cloudwatch:ListAlarmMuteRules"]);
  });
});

describe("the scheduler's policies", () => {
  it("lets only EventBridge Scheduler assume the role, for this account", () => {
    expect(schedulerTrustPolicy({ accountId: "111122223333" })).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "SchedulerAssumesRole",
          Effect: "Allow",
          Principal: { Service: "scheduler.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } },
        },
      ],
    });
  });

  it("allows invoking the one function", () => {
    expect(schedulerInvokePolicy({ functionArn: ARN("lambda", "function:f") })).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "InvokeReconcileSweep", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: ARN("lambda", "function:f") }],
    });
  });
});

describe("RECONCILE_EVENT", () => {
  it("carries the source the handler accepts", () => {
    expect(RECONCILE_EVENT).toEqual({ source: RECONCILE_EVENT_SOURCE });
  });
});

describe("createReconcile", () => {
  let monitor: RecordingMonitor;
  let parent: pulumi.ComponentResource;
  let jira: JiraLambda;
  let sweep: Reconcile;

  beforeAll(async () => {
    ({ monitor } = await record(() => {
      parent = testParent();
      const ctx = testContext({ identityParent: parent });
      const alertTopic = new aws.sns.Topic("alerts", { name: "monitoring-hub-alerts-test" }, { parent });
      const noticeTopic = new aws.sns.Topic("notices", { name: "monitoring-hub-notices-test" }, { parent });
      jira = createJiraLambda(
        "hub-jira",
        { ctx, alertTopic, noticeTopic, keyArn: KEY, jira: TEST_JIRA_SETTINGS, jiraCredentials: pulumi.secret('{"email":"e","apiToken":"t"}'), reservedConcurrency: 5 },
        { parent },
      );
      sweep = createReconcile(
        "hub-reconcile",
        { ctx, jiraLambda: jira, alertTopic, noticeTopic, keyArn: KEY, jira: TEST_JIRA_SETTINGS, settings: { ...SETTINGS, schedule: "rate(10 minutes)" } },
        { parent },
      );
    }, TEST_STACK));
  });

  it("creates exactly the sweep's resources, every one a child of the caller's parent, nothing protected", async () => {
    const parentUrn = await valueOf(parent.urn);
    const mine = monitor.custom().filter((r) => r.name.startsWith("hub-reconcile"));

    expect(countByType(mine)).toEqual({
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:iam/role:Role": 2,
      "aws:iam/rolePolicy:RolePolicy": 2,
      "aws:lambda/function:Function": 1,
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": 1,
      "aws:scheduler/schedule:Schedule": 1,
    });
    for (const r of mine) {
      expect({ name: r.name, parent: r.parent }).toEqual({ name: r.name, parent: parentUrn });
      expect(r.options).toMatchObject({ protect: false, retainOnDelete: false });
    }
  });

  it("gives the sweep its own 30-day log group under the name Lambda would use", () => {
    expect(monitor.named("hub-reconcile-logs").inputs).toEqual({ name: "/aws/lambda/monitoring-hub-jira-reconcile-test", retentionInDays: 30, tags: TEST_TAGS });
  });

  it("gives the sweep its own role with the Lambda trust policy and the sweep's policy over the shared secret and table", () => {
    const role = monitor.named("hub-reconcile-role");
    const rolePolicy = monitor.named("hub-reconcile-role-policy");

    expect(role.inputs).toMatchObject({ name: "monitoring-hub-jira-reconcile-test", tags: TEST_TAGS });
    expect(JSON.parse(role.inputs.assumeRolePolicy as string)).toEqual(jiraLambdaTrustPolicy({ accountId: MOCK_HUB_ACCOUNT_ID }));
    expect(rolePolicy.propertyDependencies.role).toEqual([role.urn]);
    expect(JSON.parse(rolePolicy.inputs.policy as string)).toEqual(
      reconcilePolicy({
        logGroupArn: monitor.named("hub-reconcile-logs").state.arn as string,
        secretArn: monitor.named("hub-jira-credentials").state.arn as string,
        tableArn: monitor.named("hub-jira-tickets").state.arn as string,
        noticeTopicArn: ARN("sns", "monitoring-hub-notices-test"),
        keyArn: KEY,
        region: "us-east-1",
        partition: "aws",
      }),
    );
  });

  it("runs the JIRA Lambda's bundle as index.reconcile: 128 MB, 300 s, one at a time, JSON logs into its group", async () => {
    const fn = monitor.named("hub-reconcile-function");
    const { code, environment: _environment, ...rest } = fn.inputs;

    expect(rest).toEqual({
      name: "monitoring-hub-jira-reconcile-test",
      description: "Reconciliation sweep: tickets the hub's alarms that notifications missed (bundle sha256 5ca1ab1e)",
      role: monitor.named("hub-reconcile-role").state.arn,
      runtime: "nodejs24.x",
      architectures: ["arm64"],
      handler: "index.reconcile",
      memorySize: 128,
      timeout: 300,
      reservedConcurrentExecutions: 1,
      loggingConfig: { logFormat: "JSON", logGroup: "/aws/lambda/monitoring-hub-jira-reconcile-test" },
      tags: TEST_TAGS,
    });
    const assets = await (code as pulumi.asset.AssetArchive).assets;
    expect(await (assets["index.js"] as pulumi.asset.StringAsset).text).toBe(jira.bundle.code);
    expect(sweep.function).toBeDefined();
  });

  it("puts the contract's environment, the sweep's variables and two malloc arenas into the function", () => {
    expect(monitor.named("hub-reconcile-function").inputs.environment).toEqual({
      variables: {
        ...reconcileEnvironment(
          TEST_JIRA_SETTINGS,
          { secretArn: monitor.named("hub-jira-credentials").state.arn as string, fallbackTopicArn: ARN("sns", "monitoring-hub-notices-test"), ticketsTableName: "monitoring-hub-jira-tickets-test" },
          { ticketTopicArn: ARN("sns", "monitoring-hub-alerts-test"), suffix: "test", settings: SETTINGS },
        ),
        MALLOC_ARENA_MAX: "2",
      },
    });
  });

  it("creates the function after its log group, its role policy and the credential", () => {
    const fn = monitor.named("hub-reconcile-function");

    expect(fn.dependencies).toEqual(expect.arrayContaining([monitor.named("hub-reconcile-logs").urn, monitor.named("hub-reconcile-role-policy").urn, monitor.named("hub-jira-credentials-value").urn]));
    expect(explicitDependencies(fn).sort()).toEqual([monitor.named("hub-reconcile-role-policy").urn, monitor.named("hub-jira-credentials-value").urn].sort());
  });

  it("does not let Lambda retry a failed sweep: the next scheduled run is the retry", () => {
    expect(monitor.named("hub-reconcile-async").inputs).toEqual({ functionName: "monitoring-hub-jira-reconcile-test", maximumRetryAttempts: 0, maximumEventAgeInSeconds: 300 });
  });

  it("gives the schedule a role only EventBridge Scheduler of this account may assume, allowed to invoke only the sweep", () => {
    const role = monitor.named("hub-reconcile-scheduler-role");
    const rolePolicy = monitor.named("hub-reconcile-scheduler-role-policy");

    expect(role.inputs).toMatchObject({ name: "monitoring-hub-jira-reconcile-scheduler-test", tags: TEST_TAGS });
    expect(JSON.parse(role.inputs.assumeRolePolicy as string)).toEqual(schedulerTrustPolicy({ accountId: MOCK_HUB_ACCOUNT_ID }));
    expect(rolePolicy.propertyDependencies.role).toEqual([role.urn]);
    expect(JSON.parse(rolePolicy.inputs.policy as string)).toEqual(schedulerInvokePolicy({ functionArn: ARN("lambda", "function:monitoring-hub-jira-reconcile-test") }));
  });

  it("invokes the sweep on the configured expression, exactly on time, without retries, with the sweep's event", () => {
    const schedule = monitor.named("hub-reconcile-schedule");

    expect(schedule.inputs).toEqual({
      name: "monitoring-hub-jira-reconcile-test",
      description: "Runs the reconciliation sweep of the hub's alarms and their JIRA tickets",
      scheduleExpression: "rate(10 minutes)",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: ARN("lambda", "function:monitoring-hub-jira-reconcile-test"),
        roleArn: monitor.named("hub-reconcile-scheduler-role").state.arn,
        input: '{"source":"monitoring-hub.reconcile"}',
        retryPolicy: { maximumRetryAttempts: 0 },
      },
    });
    expect(explicitDependencies(schedule).sort()).toEqual([monitor.named("hub-reconcile-scheduler-role-policy").urn, monitor.named("hub-reconcile-async").urn].sort());
  });
});
