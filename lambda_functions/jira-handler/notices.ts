import type { SNSClient } from "@aws-sdk/client-sns";
import type { AlarmNotification } from "./notification";

/** A plain-text message for humans on FALLBACK_TOPIC_ARN (email subscribers; no Lambda subscribes to it). */
export interface Notice {
  /** Printable ASCII without line breaks, under 100 characters, as SNS requires of email subjects. */
  readonly subject: string;
  readonly message: string;
}

/** Where the failure happened, for the notice's "how to replay" part. */
export interface NoticeContext {
  /** `AWS_LAMBDA_FUNCTION_NAME`, when known. */
  readonly functionName?: string;
  readonly requestId?: string;
  /** What the handler was doing, e.g. "create a ticket". */
  readonly attempted?: string;
}

/** SNS: "less than 100 characters". */
export const SUBJECT_MAX_CHARS = 99;
const ERROR_MAX_CHARS = 2000;

/** One notice per alarm record that could not be handled. */
export function buildNotice(notification: AlarmNotification, error: Error, context: NoticeContext): Notice {
  const n = notification;
  const fn = context.functionName ?? "the JIRA handler";
  const lines = [
    "The JIRA handler could not record this CloudWatch alarm state change in JIRA. No ticket was created or updated for it.",
    "",
    `Alarm:          ${n.alarmName}`,
    `State:          ${n.previousState ?? "?"} -> ${n.state} at ${n.stateChangeTime}`,
    `Account/region: ${n.accountId} / ${n.region}`,
    `Reason:         ${n.reason === "" ? "(none given)" : n.reason}`,
    `Console:        ${n.consoleUrl}`,
    `Fingerprint:    ${n.fingerprint} (JIRA label alarm-${n.fingerprint})`,
    `SNS message:    ${n.messageId}`,
    "",
    `What failed:    ${context.attempted === undefined ? "" : `tried to ${context.attempted}; `}${error.name}: ${clip(error.message, ERROR_MAX_CHARS)}`,
    ...(context.requestId === undefined ? [] : [`Request id:     ${context.requestId}`]),
    "",
    `How to replay: the failed invocation is kept in the on-failure queue (SQS) of Lambda function ${fn}.`,
    "Once the cause is fixed, re-send it with:",
    "  node -r ts-node/register/transpile-only scripts/replay-failures.ts --queue-url <on-failure queue URL> [--dry-run]",
    "Replaying is safe: state changes that were already handled are skipped.",
  ];
  return { subject: subject(`JIRA not updated for alarm ${n.alarmName}`), message: lines.join("\n") };
}

/** One alarm the reconciliation sweep could not bring in line with JIRA. */
export interface SweepFailure {
  readonly alarmName: string;
  /** The alarm's state as the sweep read it, when it got that far. */
  readonly state?: string;
  /** e.g. "create a ticket", "read the tickets table", "list the alarm's mute rules". */
  readonly attempted: string;
  readonly error: Error;
}

/** What the sweep's notice says about the run besides its failures. */
export interface SweepNoticeContext extends Pick<NoticeContext, "functionName" | "requestId"> {
  /** Alarms left for the next sweep (JIRA write cap or time budget reached). */
  readonly remaining: number;
}

/** At most this many failures are listed one by one; the log has every one. */
const SWEEP_FAILURES_LISTED = 20;

/** The one notice of a sweep that failed on some alarms (or could not read them at all). */
export function buildSweepNotice(failures: readonly SweepFailure[], context: SweepNoticeContext): Notice {
  const fn = context.functionName ?? "the reconciliation sweep";
  const listed = failures
    .slice(0, SWEEP_FAILURES_LISTED)
    .map((f) => `- ${f.alarmName}${f.state === undefined ? "" : ` (${f.state})`}: tried to ${f.attempted}; ${f.error.name}: ${clip(f.error.message, 500)}`);
  const more = failures.length - listed.length;
  const lines = [
    `The reconciliation sweep could not bring ${failures.length} alarm(s) in line with JIRA. Alarms in ALARM may have no ticket, and tickets of alarms that are OK again may still be open.`,
    "",
    ...listed,
    ...(more > 0 ? [`- and ${more} more (see the log group of ${fn})`] : []),
    "",
    ...(context.remaining > 0 ? [`${context.remaining} further alarm(s) were left for the next sweep (JIRA write cap or time budget of one run).`, ""] : []),
    ...(context.requestId === undefined ? [] : [`Request id:     ${context.requestId}`]),
    `Function:       ${fn}`,
    "",
    "Nothing needs replaying: the next scheduled sweep tries these alarms again. Fix the cause shown in the function's",
    "log group (JIRA unreachable, credentials, workflow, permissions) and watch the next run.",
  ];
  return { subject: subject(`Reconciliation sweep failed on ${failures.length} alarm(s)`), message: lines.join("\n") };
}

/** Publishes the notice; the caller logs a failure and fails the invocation either way. */
export async function publishNotice(client: () => Promise<SNSClient>, topicArn: string, notice: Notice): Promise<void> {
  const { PublishCommand } = await import("./aws-sns");
  const sns = await client();
  await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: notice.subject, Message: notice.message }));
}

function subject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]+/g, "?").trim();
  return ascii.length <= SUBJECT_MAX_CHARS ? ascii : `${ascii.slice(0, SUBJECT_MAX_CHARS - 3)}...`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
