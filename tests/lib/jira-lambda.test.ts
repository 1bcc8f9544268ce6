// Proves the policy documents and environment we build and the resources, inputs, parents and dependency edges we
// register. Does not prove AWS accepts them; policy semantics are in iam-simulation.test.ts, the bundle itself in
// lambda-bundle.test.ts (here it is replaced by a fixed stub so these tests do not depend on the handler's code).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import {
  createJiraLambda,
  jiraLambdaEnvironment,
  jiraLambdaPolicy,
  jiraLambdaTrustPolicy,
  redriveQueuePolicy,
  type JiraLambda,
} from "../../lib/jira-lambda";
import { countByType, explicitDependencies, isSecretValue, MOCK_HUB_ACCOUNT_ID, record, valueOf, type RecordingMonitor } from "../../scripts/recorder";
import { TEST_JIRA_SETTINGS } from "../helpers/jira-settings";
import { TEST_STACK, TEST_TAGS, testContext, testParent } from "../helpers/stack-context";

jest.mock("../../lib/lambda-bundle", () => ({
  bundleJiraHandler: () => ({ code: "exports.handler=async()=>{};", sha256: "5ca1ab1e" }),
}));

const KEY = "arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const CREDENTIAL = '{"email":"bot@example.com","apiToken":"ATATT3xFfGF0-not-a-real-token"}';
const ARN = (service: string, rest: string) => `arn:aws:${service}:us-east-1:111122223333:${rest}`;

const CONTRACT_KEYS = [
  "JIRA_BASE_URL",
  "JIRA_API",
  "JIRA_PROJECT_KEY",
  "JIRA_ISSUE_TYPE",
  "JIRA_SECRET_ARN",
  "FALLBACK_TOPIC_ARN",
  "TICKETS_TABLE_NAME",
  "JIRA_RESOLVE_ON_OK",
  "JIRA_RESOLVE_TRANSITION",
  "JIRA_REOPEN_WINDOW_MINUTES",
  "JIRA_WONT_FIX_RESOLUTION",
  "JIRA_COMMENT_COOLDOWN_MINUTES",
];

describe("jiraLambdaEnvironment", () => {
  const refs = {
    secretArn: ARN("secretsmanager", "secret:monitoring-hub-jira-credentials-test-Ab12Cd"),
    fallbackTopicArn: ARN("sns", "monitoring-hub-notices-test"),
    ticketsTableName: "monitoring-hub-jira-tickets-test",
  };

  it("passes every setting as a string and leaves JIRA_RESOLVE_TRANSITION out when unset", () => {
    expect(jiraLambdaEnvironment(TEST_JIRA_SETTINGS, refs)).toEqual({
      JIRA_BASE_URL: "https://example.atlassian.net",
      JIRA_API: "cloud",
      JIRA_PROJECT_KEY: "OPS",
      JIRA_ISSUE_TYPE: "Task",
      JIRA_SECRET_ARN: refs.secretArn,
      FALLBACK_TOPIC_ARN: refs.fallbackTopicArn,
      TICKETS_TABLE_NAME: "monitoring-hub-jira-tickets-test",
      JIRA_RESOLVE_ON_OK: "true",
      JIRA_REOPEN_WINDOW_MINUTES: "60",
      JIRA_WONT_FIX_RESOLUTION: "Won't Do",
      JIRA_COMMENT_COOLDOWN_MINUTES: "15",
    });
  });

  it("passes JIRA_RESOLVE_TRANSITION when set, and the datacenter flavour unchanged", () => {
    const env = jiraLambdaEnvironment(
      { ...TEST_JIRA_SETTINGS, api: "datacenter", resolveOnOk: false, resolveTransition: "Resolve Issue", reopenWindowMinutes: 0 },
      refs,
    );

    expect(env).toMatchObject({
      JIRA_API: "datacenter",
      JIRA_RESOLVE_ON_OK: "false",
      JIRA_RESOLVE_TRANSITION: "Resolve Issue",
      JIRA_REOPEN_WINDOW_MINUTES: "0",
    });
    expect(Object.keys(env).sort()).toEqual([...CONTRACT_KEYS].sort());
  });
});

describe("jiraLambdaTrustPolicy", () => {
  it("lets only Lambda assume the role, for this account", () => {
    expect(jiraLambdaTrustPolicy({ accountId: "111122223333" })).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "LambdaAssumesRole",
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } },
        },
      ],
    });
  });
});

describe("jiraLambdaPolicy", () => {
  const args = {
    logGroupArn: ARN("logs", "log-group:/aws/lambda/monitoring-hub-jira-handler-test"),
    secretArn: ARN("secretsmanager", "secret:monitoring-hub-jira-credentials-test-Ab12Cd"),
    tableArn: ARN("dynamodb", "table/monitoring-hub-jira-tickets-test"),
    failureQueueArn: ARN("sqs", "monitoring-hub-jira-failures-test"),
    noticeTopicArn: ARN("sns", "monitoring-hub-notices-test"),
    keyArn: KEY,
    region: "us-east-1",
    partition: "aws",
  };

  it("grants each action on its one resource and the key only through the services that use it", () => {
    expect(jiraLambdaPolicy(args)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${args.logGroupArn}:log-stream:*`,
        },
        { Sid: "ReadJiraCredential", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: args.secretArn },
        {
          Sid: "TrackTickets",
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
          Resource: args.tableArn,
        },
        { Sid: "ParkFailedInvocations", Effect: "Allow", Action: "sqs:SendMessage", Resource: args.failureQueueArn },
        { Sid: "NotifyHumans", Effect: "Allow", Action: "sns:Publish", Resource: args.noticeTopicArn },
        {
          Sid: "UseKeyThroughWritingServices",
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: KEY,
          Condition: {
            StringEquals: { "kms:ViaService": ["sns.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com", "dynamodb.us-east-1.amazonaws.com"] },
          },
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
    const doc = jiraLambdaPolicy({ ...args, region: "cn-north-1", partition: "aws-cn" });

    expect(doc.Statement[6].Condition).toEqual({ StringEquals: { "kms:ViaService": "secretsmanager.cn-north-1.amazonaws.com.cn" } });
  });

  it("has no wildcard resource", () => {
    const resources = jiraLambdaPolicy(args).Statement.flatMap((s) => [s.Resource ?? []].flat());

    expect(resources.filter((r) => r === "*" || !r.startsWith("arn:aws:"))).toEqual([]);
  });
});

describe("redriveQueuePolicy", () => {
  it("lets SNS send only on behalf of the alert topic", () => {
    const queueArn = ARN("sqs", "monitoring-hub-jira-undelivered-test");
    const topicArn = ARN("sns", "monitoring-hub-alerts-test");

    expect(redriveQueuePolicy({ queueArn, topicArn })).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AlertTopicRedrive",
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: queueArn,
          Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
        },
      ],
    });
  });
});

describe("createJiraLambda", () => {
  let monitor: RecordingMonitor;
  let parent: pulumi.ComponentResource;
  let withCredential: JiraLambda;
  let withoutCredential: JiraLambda;

  beforeAll(async () => {
    ({ monitor } = await record(
      () => {
        parent = testParent();
        const ctx = (suffix: string) => testContext({ suffix, identityParent: parent });
        const topics = (suffix: string) => ({
          alertTopic: new aws.sns.Topic(`${suffix}-alerts`, { name: `monitoring-hub-alerts-${suffix}` }, { parent }),
          noticeTopic: new aws.sns.Topic(`${suffix}-notices`, { name: `monitoring-hub-notices-${suffix}` }, { parent }),
        });
        withCredential = createJiraLambda(
          "hub-jira",
          {
            ctx: ctx("test"),
            ...topics("test"),
            keyArn: KEY,
            jira: TEST_JIRA_SETTINGS,
            jiraCredentials: pulumi.secret(CREDENTIAL),
            reservedConcurrency: 5,
          },
          { parent },
        );
        withoutCredential = createJiraLambda(
          "qa-jira",
          { ctx: ctx("qa"), ...topics("qa"), keyArn: KEY, jira: { ...TEST_JIRA_SETTINGS, resolveTransition: "Done" }, reservedConcurrency: 2 },
          { parent },
        );
      },
      TEST_STACK,
    ));
  });

  const counts = (prefix: string) => countByType(monitor.custom().filter((c) => c.name.startsWith(prefix)));
  const lambdaTypes = {
    "aws:secretsmanager/secret:Secret": 1,
    "aws:dynamodb/table:Table": 1,
    "aws:sqs/queue:Queue": 2,
    "aws:sqs/queuePolicy:QueuePolicy": 1,
    "aws:cloudwatch/logGroup:LogGroup": 1,
    "aws:iam/role:Role": 1,
    "aws:iam/rolePolicy:RolePolicy": 1,
    "aws:lambda/function:Function": 1,
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": 1,
    "aws:lambda/permission:Permission": 1,
    "aws:sns/topicSubscription:TopicSubscription": 1,
  };

  it("creates exactly the Lambda's resources, with a secret version only when a credential is given", () => {
    expect(counts("hub-jira")).toEqual({ ...lambdaTypes, "aws:secretsmanager/secretVersion:SecretVersion": 1 });
    expect(counts("qa-jira")).toEqual(lambdaTypes);
    expect(withCredential.secretVersion).toBeDefined();
    expect(withoutCredential.secretVersion).toBeUndefined();
  });

  it("parents every child to the caller's parent and protects nothing", async () => {
    const parentUrn = await valueOf(parent.urn);

    for (const r of monitor.custom()) {
      expect({ name: r.name, parent: r.parent }).toEqual({ name: r.name, parent: parentUrn });
      expect(r.options).toMatchObject({ protect: false, retainOnDelete: false });
    }
  });

  it("keeps the credential in the secret version only, wrapped as a secret", () => {
    const version = monitor.named("hub-jira-credentials-value");
    const secretString = version.inputs.secretString;

    expect(isSecretValue(secretString) && secretString.value).toBe(CREDENTIAL);
    expect(version.inputs.secretId).toBe("monitoring-hub-jira-credentials-test-id");
    expect(version.propertyDependencies.secretId).toEqual([monitor.named("hub-jira-credentials").urn]);
    for (const r of monitor.all().filter((c) => c !== version)) {
      expect({ name: r.name, leaks: JSON.stringify(r.inputs).includes("ATATT3xFfGF0") }).toEqual({ name: r.name, leaks: false });
    }
  });

  it("encrypts the secret, the table and both queues with the key, and deletes the secret without a recovery window", () => {
    expect(monitor.named("hub-jira-credentials").inputs).toEqual({
      name: "monitoring-hub-jira-credentials-test",
      description: 'JIRA credential JSON read by monitoring-hub-jira-handler-test (DESIGN.md, "The JIRA Lambda")',
      kmsKeyId: KEY,
      recoveryWindowInDays: 0,
      tags: TEST_TAGS,
    });
    expect(monitor.named("hub-jira-tickets").inputs).toEqual({
      name: "monitoring-hub-jira-tickets-test",
      billingMode: "PAY_PER_REQUEST",
      hashKey: "fingerprint",
      attributes: [{ name: "fingerprint", type: "S" }],
      serverSideEncryption: { enabled: true, kmsKeyArn: KEY },
      pointInTimeRecovery: { enabled: true },
      ttl: { attributeName: "expiresAt", enabled: true },
      deletionProtectionEnabled: false,
      tags: TEST_TAGS,
    });
    for (const [logical, physical] of [
      ["hub-jira-failures", "monitoring-hub-jira-failures-test"],
      ["hub-jira-undelivered", "monitoring-hub-jira-undelivered-test"],
    ]) {
      expect(monitor.named(logical).inputs).toEqual({ name: physical, messageRetentionSeconds: 1_209_600, kmsMasterKeyId: KEY, tags: TEST_TAGS });
    }
  });

  it("lets only the alert topic redrive into the undelivered queue", () => {
    const queue = monitor.named("hub-jira-undelivered");
    const policy = monitor.named("hub-jira-undelivered-policy");

    expect(policy.inputs.queueUrl).toBe("https://sqs.us-east-1.amazonaws.com/111122223333/monitoring-hub-jira-undelivered-test");
    expect(JSON.parse(policy.inputs.policy as string)).toEqual(
      redriveQueuePolicy({ queueArn: queue.state.arn as string, topicArn: ARN("sns", "monitoring-hub-alerts-test") }),
    );
    expect(policy.dependencies).toEqual(expect.arrayContaining([queue.urn, monitor.named("test-alerts").urn]));
  });

  it("creates the function's log group with 30 days retention under the name Lambda would use", () => {
    expect(monitor.named("hub-jira-logs").inputs).toEqual({ name: "/aws/lambda/monitoring-hub-jira-handler-test", retentionInDays: 30, tags: TEST_TAGS });
  });

  it("gives the role the Lambda trust policy and the least-privilege policy over the created resources", () => {
    const role = monitor.named("hub-jira-role");
    const rolePolicy = monitor.named("hub-jira-role-policy");

    expect(role.inputs.name).toBe("monitoring-hub-jira-handler-test");
    expect(JSON.parse(role.inputs.assumeRolePolicy as string)).toEqual(jiraLambdaTrustPolicy({ accountId: MOCK_HUB_ACCOUNT_ID }));
    expect(rolePolicy.inputs.role).toBe("monitoring-hub-jira-handler-test-id");
    expect(rolePolicy.propertyDependencies.role).toEqual([role.urn]);
    expect(JSON.parse(rolePolicy.inputs.policy as string)).toEqual(
      jiraLambdaPolicy({
        logGroupArn: monitor.named("hub-jira-logs").state.arn as string,
        secretArn: monitor.named("hub-jira-credentials").state.arn as string,
        tableArn: monitor.named("hub-jira-tickets").state.arn as string,
        failureQueueArn: monitor.named("hub-jira-failures").state.arn as string,
        noticeTopicArn: ARN("sns", "monitoring-hub-notices-test"),
        keyArn: KEY,
        region: "us-east-1",
        partition: "aws",
      }),
    );
  });

  it("configures a small arm64 function with the bundle, the reserved concurrency and JSON logs into its group", async () => {
    const fn = monitor.named("hub-jira-function");
    const { code, environment: _environment, ...rest } = fn.inputs;

    expect(rest).toEqual({
      name: "monitoring-hub-jira-handler-test",
      description: "Turns alarms on the alert topic into JIRA tickets (bundle sha256 5ca1ab1e)",
      role: monitor.named("hub-jira-role").state.arn,
      runtime: "nodejs24.x",
      architectures: ["arm64"],
      handler: "index.handler",
      memorySize: 128,
      timeout: 60,
      reservedConcurrentExecutions: 5,
      loggingConfig: { logFormat: "JSON", logGroup: "/aws/lambda/monitoring-hub-jira-handler-test" },
      tags: TEST_TAGS,
    });
    const assets = await (code as pulumi.asset.AssetArchive).assets;
    expect(Object.keys(assets)).toEqual(["index.js"]);
    expect(await (assets["index.js"] as pulumi.asset.StringAsset).text).toBe("exports.handler=async()=>{};");
    expect(monitor.named("qa-jira-function").inputs.reservedConcurrentExecutions).toBe(2);
  });

  it("puts exactly the contract's environment into the function, pointing at the notice topic, plus two malloc arenas", () => {
    expect(monitor.named("hub-jira-function").inputs.environment).toEqual({
      variables: {
        ...jiraLambdaEnvironment(TEST_JIRA_SETTINGS, {
          secretArn: monitor.named("hub-jira-credentials").state.arn as string,
          fallbackTopicArn: ARN("sns", "monitoring-hub-notices-test"),
          ticketsTableName: "monitoring-hub-jira-tickets-test",
        }),
        MALLOC_ARENA_MAX: "2",
      },
    });
    const qaEnv = (monitor.named("qa-jira-function").inputs.environment as { variables: Record<string, string> }).variables;
    expect(Object.keys(qaEnv).sort()).toEqual([...CONTRACT_KEYS, "MALLOC_ARENA_MAX"].sort());
    expect(qaEnv.FALLBACK_TOPIC_ARN).toBe(ARN("sns", "monitoring-hub-notices-qa"));
  });

  it("does not retry failed invocations, keeps throttled events for 6 hours and parks failures in the failure queue", () => {
    expect(monitor.named("hub-jira-async").inputs).toEqual({
      functionName: "monitoring-hub-jira-handler-test",
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 21_600,
      destinationConfig: { onFailure: { destination: monitor.named("hub-jira-failures").state.arn } },
    });
  });

  it("lets only the alert topic invoke the function", () => {
    expect(monitor.named("hub-jira-sns-invoke").inputs).toEqual({
      action: "lambda:InvokeFunction",
      function: "monitoring-hub-jira-handler-test",
      principal: "sns.amazonaws.com",
      sourceArn: ARN("sns", "monitoring-hub-alerts-test"),
    });
  });

  it("subscribes the function to the alert topic with the undelivered queue as redrive target", () => {
    expect(monitor.named("hub-jira-subscription").inputs).toEqual({
      topic: ARN("sns", "monitoring-hub-alerts-test"),
      protocol: "lambda",
      endpoint: ARN("lambda", "function:monitoring-hub-jira-handler-test"),
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: ARN("sqs", "monitoring-hub-jira-undelivered-test") }),
    });
  });

  it("subscribes only after the function, its permission, the redrive queue policy and the async configuration", () => {
    const subscription = monitor.named("hub-jira-subscription");
    const fn = monitor.named("hub-jira-function");
    const explicitOnly = explicitDependencies(subscription);

    expect(subscription.dependencies).toContain(fn.urn);
    expect(explicitOnly.sort()).toEqual(
      [monitor.named("hub-jira-sns-invoke").urn, monitor.named("hub-jira-undelivered-policy").urn, monitor.named("hub-jira-async").urn].sort(),
    );
  });

  it("creates the function after its log group, its role policy and the credential", () => {
    const fn = monitor.named("hub-jira-function");

    expect(fn.dependencies).toEqual(
      expect.arrayContaining([monitor.named("hub-jira-logs").urn, monitor.named("hub-jira-role-policy").urn, monitor.named("hub-jira-credentials-value").urn]),
    );
    expect(fn.propertyDependencies.loggingConfig).toEqual([monitor.named("hub-jira-logs").urn]);
  });

  it("returns the resources it registered", async () => {
    expect(await valueOf(withCredential.function.urn)).toBe(monitor.named("hub-jira-function").urn);
    expect(await valueOf(withCredential.subscription.urn)).toBe(monitor.named("hub-jira-subscription").urn);
    expect(await valueOf(withCredential.redriveQueuePolicy.urn)).toBe(monitor.named("hub-jira-undelivered-policy").urn);
  });
});
