/**
 * The alerting backbone: a customer managed KMS key, the ALERT topic that every alarm publishes to (and the JIRA Lambda
 * listens on), the NOTICE topic for humans only, and the email subscriptions on both.
 */
import * as crypto from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName, type StackContext } from "./naming";
import type { PolicyDocument } from "./policy-document";

/** The account, region and partition a policy is written for. */
export interface PolicyScope {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

/** Inputs of {@link createAlerting}. */
export interface AlertingArgs {
  readonly ctx: StackContext;
  /** Humans subscribed by email to both topics; each must confirm the subscription from the email SNS sends. */
  readonly alertEmails: readonly string[];
  /**
   * Use this existing customer managed key instead of creating one. Its key policy must grant what
   * {@link alertingKeyPolicy} grants, or alarms and SNS redrive fail silently at run time:
   * - the account root `kms:*` (so the IAM policies of the JIRA Lambda's role and of the deployer take effect);
   * - `cloudwatch.amazonaws.com`: `kms:Decrypt` and `kms:GenerateDataKey*`, so alarms can publish to the encrypted
   *   topics (an AWS managed key such as `alias/aws/sns` can never grant this, FACTS 31);
   * - `sns.amazonaws.com`: `kms:Decrypt` and `kms:GenerateDataKey*`, so SNS can move undeliverable notifications into
   *   the encrypted redrive queue (FACTS 36).
   * The key must be a symmetric encryption key in the stack's region.
   * @default a new key with rotation and a 7-day deletion window
   */
  readonly kmsKeyArn?: string;
}

/** What {@link createAlerting} created. */
export interface Alerting {
  /** The key this stack created; undefined when `kmsKeyArn` was given. */
  readonly key?: aws.kms.Key;
  /** The key that encrypts both topics and everything of the JIRA Lambda (queues, table, secret). */
  readonly keyArn: pulumi.Output<string>;
  /** Every ticketing alarm publishes here (ALARM and OK); the JIRA Lambda and the emails subscribe. */
  readonly alertTopic: aws.sns.Topic;
  /**
   * The human fallback path: alarms about the JIRA Lambda and its queues, and the Lambda's own notices when it cannot
   * ticket an alarm. Only emails subscribe, so a notice can never re-trigger the Lambda.
   */
  readonly noticeTopic: aws.sns.Topic;
  /** Attach before alarms fire, so a `dependsOn` can wait for it. */
  readonly alertTopicPolicy: aws.sns.TopicPolicy;
  readonly noticeTopicPolicy: aws.sns.TopicPolicy;
  readonly emailSubscriptions: readonly aws.sns.TopicSubscription[];
}

/** Creates the key (unless one is brought), the two encrypted topics, their policies and the email subscriptions. */
export function createAlerting(name: string, args: AlertingArgs, opts: pulumi.CustomResourceOptions): Alerting {
  const { ctx } = args;

  let key: aws.kms.Key | undefined;
  let keyArn: pulumi.Output<string>;
  if (args.kmsKeyArn === undefined) {
    key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `monitoring-hub ${ctx.suffix}: alert and notice topics, JIRA Lambda queues, table and secret`,
        enableKeyRotation: true,
        deletionWindowInDays: 7,
        policy: ctx.accountId.apply((accountId) =>
          JSON.stringify(alertingKeyPolicy({ accountId, region: ctx.region, partition: ctx.partition })),
        ),
        tags: ctx.tags,
      },
      { ...opts },
    );
    new aws.kms.Alias(
      `${name}-key-alias`,
      { name: `alias/${physicalName(ctx.suffix, "alerting")}`, targetKeyId: key.keyId },
      { ...opts },
    );
    keyArn = key.arn;
  } else {
    keyArn = pulumi.output(args.kmsKeyArn);
  }

  const topic = (logical: string, part: string, displayName: string) => {
    const t = new aws.sns.Topic(
      `${name}-${logical}`,
      { name: physicalName(ctx.suffix, part), displayName, kmsMasterKeyId: keyArn, tags: ctx.tags },
      { ...opts },
    );
    // A separate TopicPolicy because the document needs the topic's own ARN.
    const policy = new aws.sns.TopicPolicy(
      `${name}-${logical}-policy`,
      {
        arn: t.arn,
        policy: pulumi.all([t.arn, ctx.accountId]).apply(([topicArn, accountId]) =>
          JSON.stringify(alertTopicPolicy({ topicArn, accountId, region: ctx.region, partition: ctx.partition })),
        ),
      },
      { ...opts },
    );
    return { topic: t, policy };
  };
  const alerts = topic("alerts", "alerts", `Monitoring hub alarms (${ctx.suffix})`);
  const notices = topic("notices", "notices", `Monitoring hub notices (${ctx.suffix})`);

  const topics = [
    ["alerts", alerts.topic],
    ["notices", notices.topic],
  ] as const;
  const emailSubscriptions = args.alertEmails.flatMap((email) =>
    topics.map(
      ([logical, t]) =>
        new aws.sns.TopicSubscription(
          `${name}-${logical}-email-${emailKey(email)}`,
          { topic: t.arn, protocol: "email", endpoint: email },
          { ...opts },
        ),
    ),
  );

  return {
    key,
    keyArn,
    alertTopic: alerts.topic,
    noticeTopic: notices.topic,
    alertTopicPolicy: alerts.policy,
    noticeTopicPolicy: notices.policy,
    emailSubscriptions,
  };
}

/**
 * A short, stable token for an email address in logical names: adding or removing one address never renames another
 * subscription (an index would), and the address itself stays out of URNs.
 */
export function emailKey(email: string): string {
  return crypto.createHash("sha256").update(email).digest("hex").slice(0, 12);
}

/** The actions SNS's default topic policy gives the owning account; a replacing policy keeps them. */
export const SNS_OWNER_ACTIONS = [
  "sns:GetTopicAttributes",
  "sns:SetTopicAttributes",
  "sns:AddPermission",
  "sns:RemovePermission",
  "sns:DeleteTopic",
  "sns:Subscribe",
  "sns:ListSubscriptionsByTopic",
  "sns:Publish",
] as const;

/**
 * Key policy of the alerting key.
 *
 * Only services that call KMS as themselves are named here. The JIRA Lambda's role reaches the key through its own
 * IAM policy (enabled by the root statement) with `kms:ViaService` conditions: Secrets Manager, DynamoDB, SQS (the
 * on-failure destination writes with the execution role) and SNS (its notices) all call KMS on the caller's behalf.
 * No EventBridge grant: nothing in this stack routes EventBridge into an encrypted topic (if that changes, FACTS 34
 * says the grant must not carry source conditions).
 */
export function alertingKeyPolicy(scope: PolicyScope): PolicyDocument {
  const { accountId, region, partition } = scope;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        // Without it the key becomes unmanageable and no IAM policy can grant its use.
        Sid: "AccountAdministersKey",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        // FACTS 31-33: alarms publish to an encrypted topic only with these two actions on its key.
        Sid: "CloudWatchAlarmsPublishToEncryptedTopics",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: {
          StringEquals: { "aws:SourceAccount": accountId },
          ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:*` },
        },
      },
      {
        // FACTS 36: SNS itself writes undeliverable notifications into the encrypted redrive queue.
        Sid: "SnsRedrivesToEncryptedQueues",
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}

/**
 * Policy of the alert topic and of the notice topic. It replaces SNS's default policy, so it restates the owner's
 * rights, lets this account's CloudWatch alarms publish (FACTS 35) and refuses every request not made over TLS.
 */
export function alertTopicPolicy(args: PolicyScope & { readonly topicArn: string }): PolicyDocument {
  const { topicArn, accountId, region, partition } = args;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OwnerManagesTopic",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: SNS_OWNER_ACTIONS,
        Resource: topicArn,
        Condition: { StringEquals: { "AWS:SourceOwner": accountId } },
      },
      {
        Sid: "CloudWatchAlarmsPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: {
          StringEquals: { "aws:SourceAccount": accountId },
          ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:*` },
        },
      },
      {
        // `Bool ... "false"` only matches a request that carries the key as false, so service deliveries that omit
        // it are not refused.
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:*",
        Resource: topicArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}
