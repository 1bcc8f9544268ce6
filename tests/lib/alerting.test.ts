// Proves the key and topic policy documents we build and the resources, inputs, parents and dependency edges we
// register. Does not prove AWS accepts them; policy semantics are in iam-simulation.test.ts.
import type * as pulumi from "@pulumi/pulumi";

import { alertingKeyPolicy, alertTopicPolicy, createAlerting, emailKey, type Alerting } from "../../lib/alerting";
import { countByType, MOCK_HUB_ACCOUNT_ID, record, valueOf, type RecordingMonitor } from "../../scripts/recorder";
import { TEST_STACK, TEST_TAGS, testContext, testParent } from "../helpers/stack-context";

const BROUGHT_KEY = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";
const TOPIC = "arn:aws:sns:us-east-1:111122223333:monitoring-hub-alerts-test";

describe("alertingKeyPolicy", () => {
  it("lets the account administer the key, and CloudWatch alarms and SNS of this account only use it", () => {
    expect(alertingKeyPolicy({ accountId: "111122223333", region: "eu-west-1", partition: "aws" })).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AccountAdministersKey",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::111122223333:root" },
          Action: "kms:*",
          Resource: "*",
        },
        {
          Sid: "CloudWatchAlarmsPublishToEncryptedTopics",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
          Resource: "*",
          Condition: {
            StringEquals: { "aws:SourceAccount": "111122223333" },
            ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:*" },
          },
        },
        {
          Sid: "SnsRedrivesToEncryptedQueues",
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } },
        },
      ],
    });
  });

  it("writes ARNs in the stack's partition", () => {
    const doc = alertingKeyPolicy({ accountId: "111122223333", region: "cn-north-1", partition: "aws-cn" });

    expect(doc.Statement[0].Principal).toEqual({ AWS: "arn:aws-cn:iam::111122223333:root" });
    expect(doc.Statement[1].Condition?.ArnLike).toEqual({ "aws:SourceArn": "arn:aws-cn:cloudwatch:cn-north-1:111122223333:alarm:*" });
  });
});

describe("alertTopicPolicy", () => {
  it("keeps the owner's rights, admits this account's alarms and refuses non-TLS requests", () => {
    expect(alertTopicPolicy({ topicArn: TOPIC, accountId: "111122223333", region: "us-east-1", partition: "aws" })).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "OwnerManagesTopic",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::111122223333:root" },
          Action: [
            "sns:GetTopicAttributes",
            "sns:SetTopicAttributes",
            "sns:AddPermission",
            "sns:RemovePermission",
            "sns:DeleteTopic",
            "sns:Subscribe",
            "sns:ListSubscriptionsByTopic",
            "sns:Publish",
          ],
          Resource: TOPIC,
          Condition: { StringEquals: { "AWS:SourceOwner": "111122223333" } },
        },
        {
          Sid: "CloudWatchAlarmsPublish",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: TOPIC,
          Condition: {
            StringEquals: { "aws:SourceAccount": "111122223333" },
            ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:*" },
          },
        },
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "sns:*",
          Resource: TOPIC,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });
});

describe("emailKey", () => {
  it("is the first 12 hex characters of the address's sha256, so it never depends on list position", () => {
    expect(emailKey("oncall@example.com")).toBe("d876c66bad34");
    expect(emailKey("platform-team@example.com")).toBe("ef0d4fb7a4bc");
  });
});

describe("createAlerting", () => {
  let monitor: RecordingMonitor;
  let parent: pulumi.ComponentResource;
  let own: Alerting;
  let brought: Alerting;

  beforeAll(async () => {
    ({ monitor } = await record(
      () => {
        parent = testParent();
        const ctx = (suffix: string) => testContext({ suffix, identityParent: parent });
        own = createAlerting(
          "hub-alerting",
          { ctx: ctx("test"), alertEmails: ["oncall@example.com", "platform-team@example.com"] },
          { parent },
        );
        brought = createAlerting(
          "byok-alerting",
          { ctx: ctx("byok"), alertEmails: ["oncall@example.com"], kmsKeyArn: BROUGHT_KEY },
          { parent },
        );
      },
      TEST_STACK,
    ));
  });

  it("creates a key and alias only when none is brought, and two topics with policies per stack", () => {
    expect(countByType(monitor.custom())).toEqual({
      "aws:kms/key:Key": 1,
      "aws:kms/alias:Alias": 1,
      "aws:sns/topic:Topic": 4,
      "aws:sns/topicPolicy:TopicPolicy": 4,
      "aws:sns/topicSubscription:TopicSubscription": 6,
    });
    expect(monitor.custom().filter((r) => r.name.startsWith("byok-")).map((r) => r.type)).not.toContain("aws:kms/key:Key");
    expect(own.key).toBeDefined();
    expect(brought.key).toBeUndefined();
  });

  it("parents every child to the caller's parent and protects nothing", async () => {
    const parentUrn = await valueOf(parent.urn);

    for (const r of monitor.custom()) {
      expect({ name: r.name, parent: r.parent }).toEqual({ name: r.name, parent: parentUrn });
      expect(r.options).toMatchObject({ protect: false, retainOnDelete: false });
    }
  });

  it("creates a rotating key with a 7-day deletion window and the alerting key policy", () => {
    const key = monitor.named("hub-alerting-key");

    expect(key.type).toBe("aws:kms/key:Key");
    expect({ ...key.inputs, policy: JSON.parse(key.inputs.policy as string) }).toEqual({
      description: "monitoring-hub test: alert and notice topics, JIRA Lambda queues, table and secret",
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: alertingKeyPolicy({ accountId: MOCK_HUB_ACCOUNT_ID, region: "us-east-1", partition: "aws" }),
      tags: TEST_TAGS,
    });
  });

  it("names the key with an alias that carries the suffix", () => {
    const key = monitor.named("hub-alerting-key");
    const alias = monitor.named("hub-alerting-key-alias");

    expect(alias.inputs).toEqual({ name: "alias/monitoring-hub-alerting-test", targetKeyId: key.state.keyId });
    expect(alias.propertyDependencies.targetKeyId).toEqual([key.urn]);
  });

  it("encrypts both topics with the created key", () => {
    const key = monitor.named("hub-alerting-key");

    expect(monitor.named("hub-alerting-alerts").inputs).toEqual({
      name: "monitoring-hub-alerts-test",
      displayName: "Monitoring hub alarms (test)",
      kmsMasterKeyId: key.state.arn,
      tags: TEST_TAGS,
    });
    expect(monitor.named("hub-alerting-notices").inputs).toEqual({
      name: "monitoring-hub-notices-test",
      displayName: "Monitoring hub notices (test)",
      kmsMasterKeyId: key.state.arn,
      tags: TEST_TAGS,
    });
    expect(monitor.named("hub-alerting-alerts").propertyDependencies.kmsMasterKeyId).toEqual([key.urn]);
  });

  it("encrypts both topics with a brought key and exposes it as keyArn", async () => {
    expect(monitor.named("byok-alerting-alerts").inputs.kmsMasterKeyId).toBe(BROUGHT_KEY);
    expect(monitor.named("byok-alerting-notices").inputs.kmsMasterKeyId).toBe(BROUGHT_KEY);
    expect(await valueOf(brought.keyArn)).toBe(BROUGHT_KEY);
    expect(await valueOf(own.keyArn)).toBe(monitor.named("hub-alerting-key").state.arn);
  });

  it.each([
    ["hub-alerting-alerts", "monitoring-hub-alerts-test"],
    ["hub-alerting-notices", "monitoring-hub-notices-test"],
    ["byok-alerting-alerts", "monitoring-hub-alerts-byok"],
  ])("attaches the topic policy to %s", (topicName, physical) => {
    const topic = monitor.named(topicName);
    const policy = monitor.named(`${topicName}-policy`);
    const topicArn = `arn:aws:sns:us-east-1:111122223333:${physical}`;

    expect(topic.state.arn).toBe(topicArn);
    expect(policy.inputs.arn).toBe(topicArn);
    expect(JSON.parse(policy.inputs.policy as string)).toEqual(
      alertTopicPolicy({ topicArn, accountId: MOCK_HUB_ACCOUNT_ID, region: "us-east-1", partition: "aws" }),
    );
    expect(policy.propertyDependencies.arn).toEqual([topic.urn]);
  });

  it("subscribes every address by email to both topics, named by the address's hash", () => {
    const subscriptions = monitor.ofType("aws:sns/topicSubscription:TopicSubscription");
    const expected = [
      ["hub-alerting", "alerts", "oncall@example.com", "monitoring-hub-alerts-test"],
      ["hub-alerting", "notices", "oncall@example.com", "monitoring-hub-notices-test"],
      ["hub-alerting", "alerts", "platform-team@example.com", "monitoring-hub-alerts-test"],
      ["hub-alerting", "notices", "platform-team@example.com", "monitoring-hub-notices-test"],
      ["byok-alerting", "alerts", "oncall@example.com", "monitoring-hub-alerts-byok"],
      ["byok-alerting", "notices", "oncall@example.com", "monitoring-hub-notices-byok"],
    ];

    expect(subscriptions.map((s) => ({ name: s.name, inputs: s.inputs })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      expected
        .map(([prefix, topic, email, physical]) => ({
          name: `${prefix}-${topic}-email-${emailKey(email)}`,
          inputs: { topic: `arn:aws:sns:us-east-1:111122223333:${physical}`, protocol: "email", endpoint: email },
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(own.emailSubscriptions).toHaveLength(4);
  });

  it("returns the topics and policies it registered", async () => {
    expect(await valueOf(own.alertTopic.arn)).toBe("arn:aws:sns:us-east-1:111122223333:monitoring-hub-alerts-test");
    expect(await valueOf(own.noticeTopic.arn)).toBe("arn:aws:sns:us-east-1:111122223333:monitoring-hub-notices-test");
    expect(await valueOf(own.alertTopicPolicy.urn)).toBe(monitor.named("hub-alerting-alerts-policy").urn);
    expect(await valueOf(own.noticeTopicPolicy.urn)).toBe(monitor.named("hub-alerting-notices-policy").urn);
  });
});
