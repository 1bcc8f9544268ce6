import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { Context, SNSEvent } from "aws-lambda";
import { readConfig, readReconcileConfig, type HandlerConfig, type ReconcileConfig } from "./config";
import { JiraCredentialsSource } from "./credentials";
import { DynamoDb, dynamoDbOptionsFromEnvironment } from "./dynamodb";
import { AlarmHandlingError } from "./errors";
import { handleAlarm, RecentIssues } from "./handle-alarm";
import { JiraTicketCreator } from "./jira-client";
import { createLogger, describeError } from "./logger";
import { buildNotice, buildSweepNotice, publishNotice, type SweepFailure } from "./notices";
import { parseRecord, type AlarmNotification } from "./notification";
import { cloudWatchAlarmSource, RECONCILE_EVENT_SOURCE, runSweep, type SweepReport } from "./reconcile";
import { TicketStore } from "./ticket-store";

/** What one invocation did; failures are also thrown, so this is returned only when every alarm was recorded. */
export interface HandlerSummary {
  readonly handled: number;
  readonly skipped: number;
}

/** The function timeout the infrastructure sets, assumed when no Lambda context is given. */
const DEFAULT_TIMEOUT_MS = 60_000;
/** Time kept free at the end of an invocation for the notice; at most a quarter of a short budget. */
const SAFETY_MARGIN_MS = 3000;

const log = createLogger();

/** Created on first use and reused by warm invocations; a record that needs no AWS client never loads the SDK. */
function lazy<T>(create: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= create());
}

// Region, credentials and AWS_ENDPOINT_URL_* come from the environment the Lambda runtime (or a test) sets: read by
// dynamoDbOptionsFromEnvironment for the tickets table, by the SDK's standard chain for the other clients.
const dynamodb = lazy<DynamoDb>(async () => new DynamoDb(dynamoDbOptionsFromEnvironment(process.env)));
const secretsManager = lazy<SecretsManagerClient>(async () => new (await import("./aws-secrets-manager")).SecretsManagerClient({}));
const sns = lazy<SNSClient>(async () => new (await import("./aws-sns")).SNSClient({}));
const cloudWatch = lazy<CloudWatchClient>(async () => new (await import("./aws-cloudwatch")).CloudWatchClient({}));

/** What an entry point builds once from its configuration and reuses on warm invocations. */
interface Runtime<C extends HandlerConfig> {
  readonly config: C;
  readonly store: TicketStore;
  readonly credentials: JiraCredentialsSource;
  readonly recentIssues: RecentIssues;
}

/** One entry point's runtime: built on first `get()`; `current` is undefined until that succeeded. */
interface LazyRuntime<C extends HandlerConfig> {
  get(): Runtime<C>;
  readonly current: Runtime<C> | undefined;
}

/**
 * Builds an entry point's runtime from `read()` on first use and keeps it for warm invocations. When `read` throws
 * (a configuration error), nothing is cached and the next invocation reads the environment again.
 */
function lazyRuntime<C extends HandlerConfig>(read: () => C): LazyRuntime<C> {
  let runtime: Runtime<C> | undefined;
  return {
    get() {
      if (runtime === undefined) {
        const config = read();
        runtime = {
          config,
          store: new TicketStore(dynamodb, config.ticketsTableName, config.lifecycle),
          credentials: new JiraCredentialsSource(secretsManager, config.jira.secretArn, config.jira.api),
          recentIssues: new RecentIssues(),
        };
      }
      return runtime;
    },
    get current() {
      return runtime;
    },
  };
}

/** The time budget of one invocation. */
interface InvocationClock {
  readonly startedAt: number;
  readonly remainingTimeMs: () => number;
  /** Kept free at the end for the notice: {@link SAFETY_MARGIN_MS}, at most a quarter of what is left at the start. */
  readonly safetyMarginMs: number;
}

/** Reads the budget from the Lambda context, or assumes `defaultTimeoutMs` from now when there is none. */
function invocationClock(context: Context | undefined, defaultTimeoutMs: number): InvocationClock {
  const startedAt = Date.now();
  const remainingTimeMs = context === undefined ? () => startedAt + defaultTimeoutMs - Date.now() : () => context.getRemainingTimeInMillis();
  const safetyMarginMs = Math.min(SAFETY_MARGIN_MS, Math.floor(remainingTimeMs() / 4));
  return { startedAt, remainingTimeMs, safetyMarginMs };
}

/** The JIRA client for one invocation: the runtime's credentials, bounded by the invocation's clock. */
function jiraClient({ config, credentials }: Runtime<HandlerConfig>, { remainingTimeMs, safetyMarginMs }: InvocationClock): JiraTicketCreator {
  return new JiraTicketCreator({
    ...config.jira,
    resolveTransition: config.lifecycle.resolveTransition,
    credentials: () => credentials.get(),
    onAuthFailure: () => credentials.invalidate(),
    remainingTimeMs,
    log,
    retry: { safetyMarginMs },
  });
}

const handlerRuntime = lazyRuntime(readConfig);

/**
 * SNS-triggered entry point: every record is parsed; records that are not alarm notifications are logged and
 * skipped (never retried); each alarm is handled on its own. An alarm that cannot be recorded in JIRA gets one
 * notice on FALLBACK_TOPIC_ARN, and the invocation then fails so it lands in the on-failure destination.
 */
export async function handler(event: SNSEvent, context?: Context): Promise<HandlerSummary> {
  const clock = invocationClock(context, DEFAULT_TIMEOUT_MS);
  if (context !== undefined) log.setContext(context);
  const records: unknown[] | undefined = Array.isArray(event?.Records) ? event.Records : undefined;
  if (records === undefined) {
    log.warn("Event has no Records array; not an SNS event, nothing to do");
    return { handled: 0, skipped: 0 };
  }
  let handled = 0;
  let skipped = 0;
  const failed: string[] = [];
  for (const [index, record] of records.entries()) {
    const parsed = parseRecord(record);
    if (parsed.kind === "not-an-alarm") {
      skipped += 1;
      log.warn("Skipping record: not a CloudWatch alarm notification", { recordIndex: index, messageId: parsed.messageId, reason: parsed.reason });
      continue;
    }
    try {
      const runtime = handlerRuntime.get();
      const { config, store, recentIssues } = runtime;
      const { remainingTimeMs, safetyMarginMs } = clock;
      const jira = jiraClient(runtime, clock);
      await handleAlarm(parsed, { store, jira, settings: config.lifecycle, log, recentIssues, remainingTimeMs, safetyMarginMs });
      handled += 1;
    } catch (error) {
      failed.push(parsed.alarmName);
      await reportFailure(parsed, error, context);
    }
  }
  if (failed.length > 0) {
    throw new Error(`${failed.length} alarm notification(s) not recorded in JIRA (${failed.join(", ")}); a notice was sent for each.`);
  }
  return { handled, skipped };
}

async function reportFailure(n: AlarmNotification, error: unknown, context: Context | undefined): Promise<void> {
  const cause = error instanceof AlarmHandlingError ? error.cause : error instanceof Error ? error : new Error(String(error));
  const attempted = error instanceof AlarmHandlingError ? error.attempted : undefined;
  log.error("Alarm not recorded in JIRA", { alarmName: n.alarmName, fingerprint: n.fingerprint, state: n.state, attempted, error: describeError(cause) });
  // The topic is read straight from the environment so a broken configuration can still be reported.
  const topicArn = handlerRuntime.current?.config.fallbackTopicArn ?? process.env.FALLBACK_TOPIC_ARN;
  if (topicArn === undefined || topicArn === "") {
    log.error("FALLBACK_TOPIC_ARN is not set; no notice sent", { alarmName: n.alarmName, fingerprint: n.fingerprint });
    return;
  }
  const notice = buildNotice(n, cause, { functionName: context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME, requestId: context?.awsRequestId, attempted });
  try {
    await publishNotice(sns, topicArn, notice);
    log.info("Notice sent", { alarmName: n.alarmName, fingerprint: n.fingerprint, topicArn });
  } catch (publishError) {
    log.error("Could not send the notice", { alarmName: n.alarmName, fingerprint: n.fingerprint, topicArn, error: describeError(publishError) });
  }
}

/** What one sweep did (see `SweepReport`); returned only when it failed on nothing. */
export type ReconcileSummary = Omit<SweepReport, "failures">;

/** The sweep's function timeout, assumed when no Lambda context is given (lib/reconcile.ts sets the same). */
const RECONCILE_DEFAULT_TIMEOUT_MS = 300_000;

const reconcileRuntime = lazyRuntime(readReconcileConfig);

/**
 * Scheduled entry point of the reconciliation sweep (its own function, same bundle): the event is the schedule's input
 * `{"source":"monitoring-hub.reconcile"}`; anything else is logged and ignored. The hub's ticketing alarms, read with
 * DescribeAlarms, are compared with the tickets table and what is missing goes through the same lifecycle as a
 * notification (see reconcile.ts). When anything failed, one notice goes to FALLBACK_TOPIC_ARN and the invocation
 * fails; nothing needs replaying, the next sweep is the retry.
 */
export async function reconcile(event: unknown, context?: Context): Promise<ReconcileSummary> {
  const clock = invocationClock(context, RECONCILE_DEFAULT_TIMEOUT_MS);
  if (context !== undefined) log.setContext(context);
  const source = (event as { source?: unknown } | null | undefined)?.source;
  if (source !== RECONCILE_EVENT_SOURCE) {
    log.warn("Not a reconciliation request; nothing to do", { expectedSource: RECONCILE_EVENT_SOURCE, source: typeof source === "string" ? source : typeof source });
    return { pages: 0, owned: 0, ignored: 0, opened: 0, resolved: 0, inSync: 0, muted: 0, remaining: 0, jiraWrites: 0 };
  }
  let runtime: Runtime<ReconcileConfig>;
  try {
    runtime = reconcileRuntime.get();
  } catch (error) {
    const cause = error instanceof Error ? error : new Error(String(error));
    log.error("Reconciliation sweep cannot start", { error: describeError(cause) });
    await reportSweepFailures([{ alarmName: "(every alarm)", attempted: "read the sweep's configuration", error: cause }], 0, context);
    throw cause;
  }
  const { config, store, recentIssues } = runtime;
  const { startedAt, remainingTimeMs, safetyMarginMs } = clock;
  const jira = jiraClient(runtime, clock);
  const { failures, ...summary } = await runSweep({
    alarms: cloudWatchAlarmSource(cloudWatch),
    store,
    jira,
    lifecycle: config.lifecycle,
    settings: config.sweep,
    log,
    recentIssues,
    remainingTimeMs,
    safetyMarginMs,
    runId: `reconcile-${context?.awsRequestId ?? new Date(startedAt).toISOString()}`,
  });
  if (failures.length > 0) {
    await reportSweepFailures(failures, summary.remaining, context);
    throw new Error(`Reconciliation sweep failed on ${failures.length} alarm(s) (${failures.map((f) => f.alarmName).join(", ")}); a notice was sent.`);
  }
  return summary;
}

async function reportSweepFailures(failures: readonly SweepFailure[], remaining: number, context: Context | undefined): Promise<void> {
  const topicArn = reconcileRuntime.current?.config.fallbackTopicArn ?? process.env.FALLBACK_TOPIC_ARN;
  if (topicArn === undefined || topicArn === "") {
    log.error("FALLBACK_TOPIC_ARN is not set; no notice sent", { failed: failures.length });
    return;
  }
  const notice = buildSweepNotice(failures, { functionName: context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME, requestId: context?.awsRequestId, remaining });
  try {
    await publishNotice(sns, topicArn, notice);
    log.info("Notice sent", { failed: failures.length, topicArn });
  } catch (publishError) {
    log.error("Could not send the notice", { failed: failures.length, topicArn, error: describeError(publishError) });
  }
}
