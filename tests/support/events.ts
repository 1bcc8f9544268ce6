import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import type { SNSEvent, SNSEventRecord } from "aws-lambda";
import { sharedPath } from "./shared-material";

/** A CloudWatch alarm notification as CloudWatch puts it in `Sns.Message` (FACTS 3, 4, 8); open to extra fields. */
export interface AlarmMessage {
  readonly AlarmName: string;
  readonly AlarmDescription: string | null;
  readonly AWSAccountId: string;
  readonly NewStateValue: string;
  readonly NewStateReason: string;
  readonly StateChangeTime: string;
  readonly Region: string;
  readonly AlarmArn: string;
  readonly OldStateValue: string;
  readonly [field: string]: unknown;
}

/** What {@link alarmMessage} changes in a base message; the ARN follows the name, account and region. */
export interface AlarmChange {
  readonly name?: string;
  readonly state?: "ALARM" | "OK" | "INSUFFICIENT_DATA";
  readonly oldState?: "ALARM" | "OK" | "INSUFFICIENT_DATA";
  /** Epoch ms of the state change. */
  readonly at?: number;
  readonly description?: string | null;
  readonly reason?: string;
  readonly account?: string;
  /** Region code, e.g. "eu-west-1"; the display name in `Region` is left as it was (FACTS 5). */
  readonly region?: string;
}

/** Names of the SNS notification fixtures in the shared fixtures folder, sorted. */
export function fixtureNames(): string[] {
  return readdirSync(sharedPath("fixtures")).filter((name) => name.endsWith(".json")).sort();
}

/** A fixture file parsed as JSON. */
export function readFixture(name: string): unknown {
  return JSON.parse(readFileSync(sharedPath("fixtures", name), "utf8"));
}

/** True for an SNS event (`Records[].Sns`), false for anything else such as an EventBridge event. */
export function isSnsEvent(value: unknown): value is SNSEvent {
  const records = (value as { Records?: unknown }).Records;
  return Array.isArray(records) && records.every((r) => typeof (r as { Sns?: unknown }).Sns === "object");
}

/** The parsed alarm message of a record. */
export function messageOf(record: SNSEventRecord): AlarmMessage {
  return JSON.parse(record.Sns.Message) as AlarmMessage;
}

/** The SNS fixture's first alarm message, e.g. `fixtureMessage("sns-metric-alarm-ALARM.json")`. */
export function fixtureMessage(name: string): AlarmMessage {
  const event = readFixture(name);
  if (!isSnsEvent(event)) throw new Error(`${name} is not an SNS event`);
  return messageOf(event.Records[0]);
}

/** CloudWatch's timestamp format, e.g. `2025-01-15T10:30:12.436+0000` (FACTS 5). */
export function cloudWatchTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

/** `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`. */
export function alarmArn(region: string, account: string, name: string): string {
  return `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
}

/** The ticket fingerprint of DESIGN.md: the first 16 hex characters of sha256(AlarmArn). */
export function fingerprintOf(arn: string): string {
  return createHash("sha256").update(arn).digest("hex").slice(0, 16);
}

/** The identity label of an alarm's tickets (DESIGN.md "Ticket identity"). */
export function identityLabel(arn: string): string {
  return `alarm-${fingerprintOf(arn)}`;
}

/** A copy of `base` with the given changes applied. */
export function alarmMessage(base: AlarmMessage, change: AlarmChange = {}): AlarmMessage {
  const [, , , baseRegion, baseAccount] = base.AlarmArn.split(":");
  const name = change.name ?? base.AlarmName;
  const account = change.account ?? base.AWSAccountId;
  const region = change.region ?? baseRegion;
  const renamed = name !== base.AlarmName || account !== baseAccount || region !== baseRegion;
  return {
    ...base,
    AlarmName: name,
    AWSAccountId: account,
    AlarmArn: renamed ? alarmArn(region, account, name) : base.AlarmArn,
    AlarmDescription: change.description === undefined ? base.AlarmDescription : change.description,
    NewStateValue: change.state ?? base.NewStateValue,
    OldStateValue: change.oldState ?? base.OldStateValue,
    NewStateReason: change.reason ?? base.NewStateReason,
    StateChangeTime: change.at === undefined ? base.StateChangeTime : cloudWatchTime(change.at),
  };
}

/**
 * The metric-math form of a metric alarm message: `Trigger.Metrics[]` instead of `MetricName`/`Namespace`, here
 * `FILL(m1, 0)` over a filter-fed error count (FACTS 4, DESIGN defect 3).
 */
export function metricMathMessage(base: AlarmMessage): AlarmMessage {
  const trigger = base.Trigger as Record<string, unknown>;
  return {
    ...base,
    Trigger: {
      Period: trigger.Period,
      EvaluationPeriods: trigger.EvaluationPeriods,
      DatapointsToAlarm: trigger.DatapointsToAlarm,
      ComparisonOperator: trigger.ComparisonOperator,
      Threshold: trigger.Threshold,
      TreatMissingData: "breaching",
      EvaluateLowSampleCountPercentile: "",
      Metrics: [
        { Expression: "FILL(m1, 0)", Id: "e1", Label: "errors, gaps as 0", ReturnData: true },
        {
          Id: "m1",
          MetricStat: {
            Metric: { Dimensions: [], MetricName: trigger.MetricName, Namespace: trigger.Namespace },
            Period: trigger.Period,
            Stat: "Sum",
          },
          ReturnData: false,
        },
      ],
    },
  };
}

/** Options of {@link snsRecord}. */
export interface RecordOptions {
  /** @default a UUID derived from the message, so the same message is the same delivery */
  readonly messageId?: string;
  /** @default the alarm topic of the fixtures */
  readonly topicArn?: string;
}

const FIXTURE_TOPIC = "arn:aws:sns:us-east-1:111122223333:monitoring-stack-alarms";

/** The Subject CloudWatch sets: `<STATE>: "<name>" in <Region>`, cut with `...` past 100 characters (FACTS 5). */
export function subjectOf(message: AlarmMessage): string {
  const subject = `${message.NewStateValue}: "${message.AlarmName}" in ${message.Region}`;
  return subject.length <= 100 ? subject : `${subject.slice(0, 97)}...`;
}

/** One Lambda SNS record carrying `message` (an alarm message, or any text for malformed-record tests). */
export function snsRecord(message: AlarmMessage | string, options: RecordOptions = {}): SNSEventRecord {
  const text = typeof message === "string" ? message : JSON.stringify(message);
  const topicArn = options.topicArn ?? FIXTURE_TOPIC;
  const digest = createHash("sha256").update(text).digest("hex");
  const messageId = options.messageId ?? `${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-8${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
  const timestamp = typeof message === "string" ? "2025-01-15T10:30:12.501Z" : new Date(Date.parse(message.StateChangeTime) + 65).toISOString();
  return {
    EventSource: "aws:sns",
    EventVersion: "1.0",
    EventSubscriptionArn: `${topicArn}:5f1c2d7e-8a41-4b6e-9c3a-2e7d4b9f0a11`,
    Sns: {
      Type: "Notification",
      MessageId: messageId,
      TopicArn: topicArn,
      Subject: typeof message === "string" ? "Not an alarm" : subjectOf(message),
      Message: text,
      Timestamp: timestamp,
      SignatureVersion: "1",
      Signature: "FIXTURE-NOT-A-REAL-SIGNATURE==",
      SigningCertUrl: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000000000000a.pem",
      UnsubscribeUrl: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:5f1c2d7e-8a41-4b6e-9c3a-2e7d4b9f0a11`,
      MessageAttributes: {},
    },
  };
}

/** An SNS event of the given records. */
export function snsEvent(...records: SNSEventRecord[]): SNSEvent {
  return { Records: records };
}

/** An SNS event with one record per alarm message. */
export function alarmEvent(...messages: AlarmMessage[]): SNSEvent {
  return snsEvent(...messages.map((m) => snsRecord(m)));
}
