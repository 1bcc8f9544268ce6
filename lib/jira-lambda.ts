/**
 * The JIRA Lambda's infrastructure: credential secret, tickets table, failure and redrive queues, log group, role,
 * function, async invoke configuration, invoke permission and the subscription to the alert topic.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { JiraSettings } from "./config";
import { bundleJiraHandler, type LambdaBundle } from "./lambda-bundle";
import {
  createLambdaLogsAndRole,
  notifyHumansStatement,
  readJiraCredentialStatement,
  trackTicketsStatement,
  useKeyThroughServicesStatements,
  writeOwnLogsStatement,
  type JiraBundleGrantArgs,
} from "./lambda-role";
import { physicalName, type StackContext } from "./naming";
import type { PolicyDocument } from "./policy-document";
import { withDependsOn } from "./resource-options";

/** Room for JIRA calls plus retries that honour `Retry-After` (FACTS 61-62) before the one human notice. */
export const JIRA_LAMBDA_TIMEOUT_SECONDS = 60;
/** The handler waits on HTTP and AWS calls; it never needs more than the smallest size. */
export const JIRA_LAMBDA_MEMORY_MB = 128;
export const JIRA_LAMBDA_LOG_RETENTION_DAYS = 30;
/** SQS's maximum, so a failure parked over a long weekend is still there to replay. */
export const JIRA_QUEUE_RETENTION_SECONDS = 14 * 24 * 60 * 60;
/**
 * Lambda's maximum. Throttled events (reserved concurrency during an alarm storm) wait in Lambda's async queue up to
 * this long instead of being dropped; older ones go to the on-failure queue.
 */
export const JIRA_LAMBDA_MAX_EVENT_AGE_SECONDS = 6 * 60 * 60;
/**
 * No Lambda-level retries: the handler already retries JIRA within its timeout and sends ONE human notice per failed
 * attempt, so a retry would repeat the notice. The failed event lands in the on-failure queue for replay instead.
 */
export const JIRA_LAMBDA_MAX_RETRY_ATTEMPTS = 0;
/**
 * Set for the Node process of both functions of the bundle, beside the handler's own variables. glibc gives each
 * thread that allocates its own malloc arena (up to eight per CPU, mallopt(3) M_ARENA_MAX), so the memory V8's compiler
 * and GC threads free stays stranded in several arenas. In `npm run bench` that put the 128 MB function's peak RSS
 * over 1,000 notifications at 104-110 MB in about a third of the runs; two arenas removed that high level.
 */
export const BUNDLE_PROCESS_ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };

/** Inputs of {@link createJiraLambda}. */
export interface JiraLambdaArgs {
  readonly ctx: StackContext;
  /** The topic alarms publish to; the function subscribes to it. */
  readonly alertTopic: aws.sns.Topic;
  /** The human fallback topic (`FALLBACK_TOPIC_ARN`); the function publishes to it and never subscribes. */
  readonly noticeTopic: aws.sns.Topic;
  /** Customer managed key for the secret, table and queues (the topics' key). */
  readonly keyArn: pulumi.Input<string>;
  readonly jira: JiraSettings;
  /**
   * The credential JSON as a Pulumi secret. It goes into Secrets Manager only, never into the function's environment.
   * @default no secret value: an operator puts one with `aws secretsmanager put-secret-value`
   */
  readonly jiraCredentials?: pulumi.Output<string>;
  /** Upper bound of concurrent executions, so an alarm storm cannot flood JIRA. */
  readonly reservedConcurrency: number;
}

/** What {@link createJiraLambda} created. */
export interface JiraLambda {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly rolePolicy: aws.iam.RolePolicy;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly table: aws.dynamodb.Table;
  /** Async invocations that failed (the on-failure destination), for replay. */
  readonly failureQueue: aws.sqs.Queue;
  /** Notifications SNS could not deliver to the function (the subscription's redrive policy). */
  readonly redriveQueue: aws.sqs.Queue;
  readonly redriveQueuePolicy: aws.sqs.QueuePolicy;
  readonly secret: aws.secretsmanager.Secret;
  /** Present only when `jiraCredentials` was given. */
  readonly secretVersion?: aws.secretsmanager.SecretVersion;
  readonly eventInvokeConfig: aws.lambda.FunctionEventInvokeConfig;
  readonly permission: aws.lambda.Permission;
  readonly subscription: aws.sns.TopicSubscription;
  /** The bundled handler the function runs; the reconciliation sweep's function (same bundle) ships the same bytes. */
  readonly bundle: LambdaBundle;
}

/**
 * Creates the JIRA Lambda subscribed to the alert topic, with everything it reads and writes encrypted by the alerting
 * key, its own managed log group, and both dead-letter paths (SNS redrive and the async on-failure destination).
 * Bundles the handler at program run time (`lib/lambda-bundle.ts`), so it throws if the handler does not build.
 */
export function createJiraLambda(name: string, args: JiraLambdaArgs, opts: pulumi.CustomResourceOptions): JiraLambda {
  const { ctx } = args;
  const functionName = physicalName(ctx.suffix, "jira-handler");

  const secret = new aws.secretsmanager.Secret(
    `${name}-credentials`,
    {
      name: physicalName(ctx.suffix, "jira-credentials"),
      description: `JIRA credential JSON read by ${functionName} (DESIGN.md, "The JIRA Lambda")`,
      kmsKeyId: args.keyArn,
      recoveryWindowInDays: 0,
      tags: ctx.tags,
    },
    { ...opts },
  );
  const secretVersion =
    args.jiraCredentials === undefined
      ? undefined
      : new aws.secretsmanager.SecretVersion(
          `${name}-credentials-value`,
          { secretId: secret.id, secretString: pulumi.secret(args.jiraCredentials) },
          { ...opts },
        );

  const table = new aws.dynamodb.Table(
    `${name}-tickets`,
    {
      name: physicalName(ctx.suffix, "jira-tickets"),
      billingMode: "PAY_PER_REQUEST",
      hashKey: "fingerprint",
      attributes: [{ name: "fingerprint", type: "S" }],
      serverSideEncryption: { enabled: true, kmsKeyArn: args.keyArn },
      pointInTimeRecovery: { enabled: true },
      ttl: { attributeName: "expiresAt", enabled: true },
      deletionProtectionEnabled: false,
      tags: ctx.tags,
    },
    { ...opts },
  );

  const queue = (logical: string, part: string) =>
    new aws.sqs.Queue(
      `${name}-${logical}`,
      {
        name: physicalName(ctx.suffix, part),
        messageRetentionSeconds: JIRA_QUEUE_RETENTION_SECONDS,
        kmsMasterKeyId: args.keyArn,
        tags: ctx.tags,
      },
      { ...opts },
    );
  const failureQueue = queue("failures", "jira-failures");
  const redriveQueue = queue("undelivered", "jira-undelivered");
  const undeliveredPolicy = new aws.sqs.QueuePolicy(
    `${name}-undelivered-policy`,
    {
      queueUrl: redriveQueue.url,
      policy: pulumi
        .all([redriveQueue.arn, args.alertTopic.arn])
        .apply(([queueArn, topicArn]) => JSON.stringify(redriveQueuePolicy({ queueArn, topicArn }))),
    },
    { ...opts },
  );

  const { logGroup, role } = createLambdaLogsAndRole(
    name,
    { ctx, functionName, logRetentionDays: JIRA_LAMBDA_LOG_RETENTION_DAYS },
    opts,
  );
  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-role-policy`,
    {
      role: role.id,
      policy: pulumi
        .all([logGroup.arn, secret.arn, table.arn, failureQueue.arn, args.noticeTopic.arn, args.keyArn])
        .apply(([logGroupArn, secretArn, tableArn, failureQueueArn, noticeTopicArn, keyArn]) => {
          const { region, partition } = ctx;
          const arns = { logGroupArn, secretArn, tableArn, failureQueueArn, noticeTopicArn, keyArn };
          return JSON.stringify(jiraLambdaPolicy({ ...arns, region, partition }));
        }),
    },
    { ...opts },
  );

  const bundle = bundleJiraHandler();
  const fn = new aws.lambda.Function(
    `${name}-function`,
    {
      name: functionName,
      description: `Turns alarms on the alert topic into JIRA tickets (bundle sha256 ${bundle.sha256})`,
      role: role.arn,
      runtime: aws.lambda.Runtime.NodeJS24dX,
      architectures: ["arm64"],
      handler: "index.handler",
      memorySize: JIRA_LAMBDA_MEMORY_MB,
      timeout: JIRA_LAMBDA_TIMEOUT_SECONDS,
      reservedConcurrentExecutions: args.reservedConcurrency,
      code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) }),
      environment: {
        variables: pulumi
          .all([secret.arn, args.noticeTopic.arn, table.name])
          .apply(([secretArn, fallbackTopicArn, ticketsTableName]) => ({
            ...jiraLambdaEnvironment(args.jira, { secretArn, fallbackTopicArn, ticketsTableName }),
            ...BUNDLE_PROCESS_ENVIRONMENT,
          })),
      },
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      tags: ctx.tags,
    },
    // The log group first, or the first invocation creates an unmanaged one that outlives `pulumi destroy`; the role's
    // permissions and the credential before the first invocation can need them.
    withDependsOn(opts, [logGroup, rolePolicy, ...(secretVersion ? [secretVersion] : [])]),
  );

  const eventInvokeConfig = new aws.lambda.FunctionEventInvokeConfig(
    `${name}-async`,
    {
      functionName: fn.name,
      maximumRetryAttempts: JIRA_LAMBDA_MAX_RETRY_ATTEMPTS,
      maximumEventAgeInSeconds: JIRA_LAMBDA_MAX_EVENT_AGE_SECONDS,
      // Lambda checks the execution role can send to the destination; the function already waits for the role policy.
      destinationConfig: { onFailure: { destination: failureQueue.arn } },
    },
    { ...opts },
  );

  // Only `sourceArn`: the topic ARN already names the owning account, and AWS documents `SourceAccount` for S3 and SES
  // sources, not SNS. A condition SNS does not satisfy would reject every delivery, and SNS does not retry those.
  const permission = new aws.lambda.Permission(
    `${name}-sns-invoke`,
    { action: "lambda:InvokeFunction", function: fn.name, principal: "sns.amazonaws.com", sourceArn: args.alertTopic.arn },
    { ...opts },
  );

  // After the permission (a delivery SNS cannot make is a client error it never retries), the redrive queue's policy
  // and the async configuration (or early events would get Lambda's default two retries and no destination).
  const subscription = new aws.sns.TopicSubscription(
    `${name}-subscription`,
    {
      topic: args.alertTopic.arn,
      protocol: "lambda",
      endpoint: fn.arn,
      redrivePolicy: redriveQueue.arn.apply((deadLetterTargetArn) => JSON.stringify({ deadLetterTargetArn })),
    },
    withDependsOn(opts, [permission, fn, undeliveredPolicy, eventInvokeConfig]),
  );

  return {
    function: fn,
    role,
    rolePolicy,
    logGroup,
    table,
    failureQueue,
    redriveQueue,
    redriveQueuePolicy: undeliveredPolicy,
    secret,
    secretVersion,
    eventInvokeConfig,
    permission,
    subscription,
    bundle,
  };
}

/** Resources the function names in its environment. */
export interface JiraLambdaRefs {
  readonly secretArn: string;
  /** The notice topic. */
  readonly fallbackTopicArn: string;
  readonly ticketsTableName: string;
}

/**
 * The function's environment, exactly DESIGN.md's contract. Every optional setting is passed explicitly, so the plan
 * shows what the function will do; `JIRA_RESOLVE_TRANSITION` only when set, because unset has its own meaning.
 */
export function jiraLambdaEnvironment(jira: JiraSettings, refs: JiraLambdaRefs): Record<string, string> {
  return {
    JIRA_BASE_URL: jira.baseUrl,
    JIRA_API: jira.api,
    JIRA_PROJECT_KEY: jira.projectKey,
    JIRA_ISSUE_TYPE: jira.issueType,
    JIRA_SECRET_ARN: refs.secretArn,
    FALLBACK_TOPIC_ARN: refs.fallbackTopicArn,
    TICKETS_TABLE_NAME: refs.ticketsTableName,
    JIRA_RESOLVE_ON_OK: String(jira.resolveOnOk),
    ...(jira.resolveTransition === undefined ? {} : { JIRA_RESOLVE_TRANSITION: jira.resolveTransition }),
    JIRA_REOPEN_WINDOW_MINUTES: String(jira.reopenWindowMinutes),
    JIRA_WONT_FIX_RESOLUTION: jira.wontFixResolution,
    JIRA_COMMENT_COOLDOWN_MINUTES: String(jira.commentCooldownMinutes),
  };
}

export { jiraLambdaTrustPolicy } from "./lambda-role";

/** The exact resources the JIRA Lambda touches: the sweep's, plus its on-failure queue. */
export interface JiraLambdaPolicyArgs extends JiraBundleGrantArgs {
  readonly failureQueueArn: string;
}

/**
 * The execution role's only policy: each action on the one resource that needs it, no wildcard resource. The alert
 * topic is deliberately absent: publishing there would re-trigger the function.
 */
export function jiraLambdaPolicy(args: JiraLambdaPolicyArgs): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      writeOwnLogsStatement(args.logGroupArn),
      readJiraCredentialStatement(args.secretArn),
      trackTicketsStatement(args.tableArn),
      {
        // The async on-failure destination sends with the execution role (FACTS 39).
        Sid: "ParkFailedInvocations",
        Effect: "Allow",
        Action: "sqs:SendMessage",
        Resource: args.failureQueueArn,
      },
      notifyHumansStatement(args.noticeTopicArn),
      ...useKeyThroughServicesStatements(args, ["sns", "sqs", "dynamodb"]),
    ],
  };
}

/** Only the alert topic's subscription may park undeliverable notifications here (FACTS 39). */
export function redriveQueuePolicy(args: { readonly queueArn: string; readonly topicArn: string }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AlertTopicRedrive",
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: args.queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": args.topicArn } },
      },
    ],
  };
}
