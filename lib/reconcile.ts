/**
 * The reconciliation sweep's infrastructure: a second function of the JIRA Lambda's bundle (entry point `reconcile`)
 * with its own log group and least-privilege role, and the EventBridge Scheduler schedule (and its role) that invokes
 * it. The sweep compares the hub's ticketing alarms with the tickets table and heals what lost or muted notifications
 * left behind (lambda_functions/jira-handler/reconcile.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmNameAffixes } from "./alarm-specs";
import type { JiraSettings, ReconcileSettings } from "./config";
import { BUNDLE_PROCESS_ENVIRONMENT, jiraLambdaEnvironment, type JiraLambda, type JiraLambdaRefs } from "./jira-lambda";
import {
  createLambdaLogsAndRole,
  notifyHumansStatement,
  readJiraCredentialStatement,
  serviceTrustPolicy,
  trackTicketsStatement,
  useKeyThroughServicesStatements,
  writeOwnLogsStatement,
  type JiraBundleGrantArgs,
} from "./lambda-role";
import { physicalName, type StackContext } from "./naming";
import type { PolicyDocument } from "./policy-document";
import { withDependsOn } from "./resource-options";

/**
 * One sweep reads every page of the hub's alarms (100 a page), the table record of each, and makes up to
 * `reconcileMaxJiraWrites` JIRA writes (at most 500), each of which may wait out JIRA's `Retry-After`. Five minutes is
 * the default schedule's period: with reserved concurrency 1 a run can never overlap the next. The handler stops
 * starting alarms when less than 20 s is left and counts the rest for the next run.
 */
export const RECONCILE_TIMEOUT_SECONDS = 300;
/** Same as the notification function: it waits on HTTP and AWS calls. */
export const RECONCILE_MEMORY_MB = 128;
export const RECONCILE_LOG_RETENTION_DAYS = 30;
/** Two sweeps never run at once: their claims would only make each other wait. */
export const RECONCILE_RESERVED_CONCURRENCY = 1;
/**
 * The schedule's input; the handler ignores any other event. Equal to `RECONCILE_EVENT_SOURCE` of the handler, which
 * shares no code with the program (tests/lib/reconcile.test.ts keeps them in step).
 */
export const RECONCILE_EVENT = { source: "monitoring-hub.reconcile" } as const;
/**
 * Neither Lambda nor the scheduler retries a sweep: a failed one already sent its notice, and the next scheduled run
 * is the retry. An invocation that could not start within one sweep's timeout (the previous one still running) is
 * dropped for the same reason.
 */
export const RECONCILE_MAX_RETRY_ATTEMPTS = 0;
export const RECONCILE_MAX_EVENT_AGE_SECONDS = RECONCILE_TIMEOUT_SECONDS;

/** Inputs of {@link createReconcile}. */
export interface ReconcileArgs {
  readonly ctx: StackContext;
  /** The JIRA Lambda whose bundle, secret and tickets table the sweep shares. */
  readonly jiraLambda: JiraLambda;
  /** The ticket topic: the sweep works only alarms that send to it. */
  readonly alertTopic: aws.sns.Topic;
  /** Where the sweep's one notice per failed run goes (`FALLBACK_TOPIC_ARN`). */
  readonly noticeTopic: aws.sns.Topic;
  /** The key of the secret, table and topics. */
  readonly keyArn: pulumi.Input<string>;
  readonly jira: JiraSettings;
  readonly settings: ReconcileSettings;
}

/** What {@link createReconcile} created. */
export interface Reconcile {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly rolePolicy: aws.iam.RolePolicy;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly eventInvokeConfig: aws.lambda.FunctionEventInvokeConfig;
  readonly schedulerRole: aws.iam.Role;
  readonly schedulerRolePolicy: aws.iam.RolePolicy;
  readonly schedule: aws.scheduler.Schedule;
}

/**
 * Creates the sweep's function (the JIRA Lambda's bundle, handler `index.reconcile`), its log group before it, its own
 * role, an async configuration without retries, and the schedule that invokes it with {@link RECONCILE_EVENT} through
 * a role that may invoke only this function.
 */
export function createReconcile(name: string, args: ReconcileArgs, opts: pulumi.CustomResourceOptions): Reconcile {
  const { ctx, jiraLambda } = args;
  const functionName = physicalName(ctx.suffix, "jira-reconcile");

  const { logGroup, role } = createLambdaLogsAndRole(name, { ctx, functionName, logRetentionDays: RECONCILE_LOG_RETENTION_DAYS }, opts);
  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-role-policy`,
    {
      role: role.id,
      policy: pulumi
        .all([logGroup.arn, jiraLambda.secret.arn, jiraLambda.table.arn, args.noticeTopic.arn, args.keyArn])
        .apply(([logGroupArn, secretArn, tableArn, noticeTopicArn, keyArn]) =>
          JSON.stringify(reconcilePolicy({ logGroupArn, secretArn, tableArn, noticeTopicArn, keyArn, region: ctx.region, partition: ctx.partition })),
        ),
    },
    { ...opts },
  );

  const { bundle } = jiraLambda;
  const fn = new aws.lambda.Function(
    `${name}-function`,
    {
      name: functionName,
      description: `Reconciliation sweep: tickets the hub's alarms that notifications missed (bundle sha256 ${bundle.sha256})`,
      role: role.arn,
      runtime: aws.lambda.Runtime.NodeJS24dX,
      architectures: ["arm64"],
      handler: "index.reconcile",
      memorySize: RECONCILE_MEMORY_MB,
      timeout: RECONCILE_TIMEOUT_SECONDS,
      reservedConcurrentExecutions: RECONCILE_RESERVED_CONCURRENCY,
      code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) }),
      environment: {
        variables: pulumi
          .all([jiraLambda.secret.arn, args.noticeTopic.arn, jiraLambda.table.name, args.alertTopic.arn])
          .apply(([secretArn, fallbackTopicArn, ticketsTableName, ticketTopicArn]) => ({
            ...reconcileEnvironment(args.jira, { secretArn, fallbackTopicArn, ticketsTableName }, { ticketTopicArn, suffix: ctx.suffix, settings: args.settings }),
            ...BUNDLE_PROCESS_ENVIRONMENT,
          })),
      },
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      tags: ctx.tags,
    },
    // The log group first (or the first run creates one that outlives `pulumi destroy`), and the permissions and the
    // credential before the first run needs them.
    withDependsOn(opts, [logGroup, rolePolicy, ...(jiraLambda.secretVersion ? [jiraLambda.secretVersion] : [])]),
  );

  const eventInvokeConfig = new aws.lambda.FunctionEventInvokeConfig(
    `${name}-async`,
    { functionName: fn.name, maximumRetryAttempts: RECONCILE_MAX_RETRY_ATTEMPTS, maximumEventAgeInSeconds: RECONCILE_MAX_EVENT_AGE_SECONDS },
    { ...opts },
  );

  const schedulerRole = new aws.iam.Role(
    `${name}-scheduler-role`,
    {
      name: physicalName(ctx.suffix, "jira-reconcile-scheduler"),
      assumeRolePolicy: ctx.accountId.apply((accountId) => JSON.stringify(schedulerTrustPolicy({ accountId }))),
      tags: ctx.tags,
    },
    { ...opts },
  );
  const schedulerRolePolicy = new aws.iam.RolePolicy(
    `${name}-scheduler-role-policy`,
    { role: schedulerRole.id, policy: fn.arn.apply((functionArn) => JSON.stringify(schedulerInvokePolicy({ functionArn }))) },
    { ...opts },
  );

  // EventBridge Scheduler invokes Lambda asynchronously with this role (no resource policy on the function). After the
  // role's policy and the async configuration, or the first runs could be refused or retried by Lambda.
  const schedule = new aws.scheduler.Schedule(
    `${name}-schedule`,
    {
      name: functionName,
      description: "Runs the reconciliation sweep of the hub's alarms and their JIRA tickets",
      scheduleExpression: args.settings.schedule,
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: fn.arn,
        roleArn: schedulerRole.arn,
        input: JSON.stringify(RECONCILE_EVENT),
        retryPolicy: { maximumRetryAttempts: RECONCILE_MAX_RETRY_ATTEMPTS },
      },
    },
    withDependsOn(opts, [schedulerRolePolicy, eventInvokeConfig]),
  );

  return { function: fn, role, rolePolicy, logGroup, eventInvokeConfig, schedulerRole, schedulerRolePolicy, schedule };
}

/** What the sweep's environment adds to the JIRA Lambda's. */
export interface ReconcileRefs {
  /** The ticket (alerts) topic. */
  readonly ticketTopicArn: string;
  /** The environment suffix, whose alarms the sweep owns. */
  readonly suffix: string;
  readonly settings: Pick<ReconcileSettings, "graceMinutes" | "maxJiraWritesPerRun">;
}

/**
 * The sweep's environment: exactly the JIRA Lambda's (DESIGN.md's contract, so the same lifecycle settings apply), plus
 * the variables of the sweep beside it: `TICKET_TOPIC_ARN`, `ALARM_NAME_PREFIX`, `ALARM_NAME_SUFFIX`,
 * `RECONCILE_GRACE_MINUTES` and `RECONCILE_MAX_JIRA_WRITES`.
 */
export function reconcileEnvironment(jira: JiraSettings, refs: JiraLambdaRefs, sweep: ReconcileRefs): Record<string, string> {
  const { start, end } = alarmNameAffixes(sweep.suffix);
  return {
    ...jiraLambdaEnvironment(jira, refs),
    TICKET_TOPIC_ARN: sweep.ticketTopicArn,
    ALARM_NAME_PREFIX: start,
    ALARM_NAME_SUFFIX: end,
    RECONCILE_GRACE_MINUTES: String(sweep.settings.graceMinutes),
    RECONCILE_MAX_JIRA_WRITES: String(sweep.settings.maxJiraWritesPerRun),
  };
}

/** The exact resources the sweep touches. */
export type ReconcilePolicyArgs = JiraBundleGrantArgs;

/**
 * The sweep's role: the JIRA Lambda's grants minus the failure queue (the sweep has no on-failure destination: the
 * next run is its retry), plus reading alarm states and mute rules. The alert topic is absent: publishing there would
 * raise notifications. Reading alarms is the only statement on `*`, and it only reads.
 */
export function reconcilePolicy(args: ReconcilePolicyArgs): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      writeOwnLogsStatement(args.logGroupArn),
      readJiraCredentialStatement(args.secretArn),
      trackTicketsStatement(args.tableArn),
      notifyHumansStatement(args.noticeTopicArn),
      {
        // No narrower resource works. CloudWatch returns composite alarms (the ticketing composite is one) only to a
        // DescribeAlarms permission scoped to "*" (CloudWatch permissions reference), though the IAM service reference
        // lists an `alarm` resource type for it; a name-prefix listing cannot be narrowed to our alarms either.
        // ListAlarmMuteRules is listed with an `alarm-mute-rule` resource type, but how CloudWatch authorizes a listing
        // filtered by alarm name is not documented, so it gets the same scope. Both only read; the sweep selects its
        // own alarms by name and ticket topic, and never writes to CloudWatch.
        Sid: "ReadAlarmStatesAndMuteRules",
        Effect: "Allow",
        Action: ["cloudwatch:DescribeAlarms", "cloudwatch:ListAlarmMuteRules"],
        Resource: "*",
      },
      ...useKeyThroughServicesStatements(args, ["sns", "dynamodb"]),
    ],
  };
}

/** EventBridge Scheduler may assume the role only for schedules of this account (confused-deputy guard). */
export function schedulerTrustPolicy(args: { readonly accountId: string }): PolicyDocument {
  return serviceTrustPolicy({ sid: "SchedulerAssumesRole", service: "scheduler.amazonaws.com", accountId: args.accountId });
}

/** The schedule's role may invoke the sweep's function and nothing else. */
export function schedulerInvokePolicy(args: { readonly functionArn: string }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "InvokeReconcileSweep", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: args.functionArn }],
  };
}
