import { createHash } from "node:crypto";

/** CloudWatch alarm states (FACTS 3). */
export const ALARM_STATES = ["OK", "ALARM", "INSUFFICIENT_DATA"] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** One metric dimension; SNS sends `[{name, value}]`, EventBridge a `{name: value}` map (FACTS 10). */
export interface Dimension {
  readonly name: string;
  readonly value: string;
}

/** A metric as CloudWatch describes it in a notification. */
export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly Dimension[];
  /** `SUM`, `Average`, `p99`... as sent (SNS upper-cases simple statistics, EventBridge does not). */
  readonly statistic?: string;
  /** Seconds. */
  readonly period?: number;
  readonly unit?: string;
}

/** How a metric or metric-math alarm compares its value; every field is optional because payloads vary (FACTS 3-5). */
export interface ThresholdRule {
  readonly comparisonOperator?: string;
  readonly threshold?: number;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  /**
   * `breaching`, `notBreaching`, `ignore` or `missing`, recovered from CloudWatch's unreliable string (FACTS 5 shows
   * `""` and `"- TreatMissingData:   missing"`); shown to humans only, never branched on.
   */
  readonly treatMissingData?: string;
}

/** One query of a metric-math alarm (FACTS 4): an expression, or a metric it reads. */
export interface MetricQuery {
  readonly id: string;
  readonly expression?: string;
  readonly label?: string;
  readonly metric?: MetricRef;
  /** The query whose value the alarm compares. */
  readonly returnData: boolean;
}

/** A child alarm whose state change triggered a composite (FACTS 8). */
export interface TriggeringChild {
  readonly arn: string;
  /** Taken from the ARN; the ARN itself is kept because children may be named alike in several accounts. */
  readonly name: string;
  readonly state?: string;
  readonly timestamp?: string;
}

/** What every kind of alarm notification carries. */
interface AlarmBase {
  /** SNS MessageId, for logs and notices. */
  readonly messageId: string;
  readonly alarmName: string;
  readonly alarmArn?: string;
  readonly accountId: string;
  /** Region code (`us-east-1`), from AlarmArn; never the display name in `Region` (FACTS 5). */
  readonly region: string;
  readonly partition: string;
  /** AlarmDescription; undefined when CloudWatch sent null or an empty string. */
  readonly description?: string;
  readonly state: AlarmState;
  readonly previousState?: AlarmState;
  readonly reason: string;
  /** StateChangeTime as CloudWatch wrote it (`+0000` offsets, FACTS 5). */
  readonly stateChangeTime: string;
  /** StateChangeTime in epoch milliseconds; with the state it identifies this state change for de-duplication. */
  readonly stateChangedAt: number;
  /** First 16 hex characters of sha256(AlarmArn), else of sha256(`<account>:<region>:<name>`) (DESIGN.md). */
  readonly fingerprint: string;
  /** The alarm's page in the console of its own region (and partition). */
  readonly consoleUrl: string;
  /** The `Runbook: <url>` link of AlarmDescription, when there is one. */
  readonly runbookUrl?: string;
  /** The alarm left OK because datapoints were missing rather than because a value crossed the threshold. */
  readonly missingData: boolean;
  /**
   * `sweep`: the reconciliation sweep built this from `DescribeAlarms` because no notification of the state change was
   * handled (lost, or muted by a maintenance window). Absent for a delivered notification.
   */
  readonly origin?: "sweep";
}

/** A single-metric alarm. `metric` is absent when the payload carried no recognisable `Trigger`. */
export interface MetricAlarmNotification extends AlarmBase {
  readonly kind: "metric";
  readonly metric?: MetricRef;
  readonly rule: ThresholdRule;
}

/** A metric-math (or multi-metric) alarm: `Trigger.Metrics` instead of `Trigger.MetricName` (FACTS 4). */
export interface MetricMathAlarmNotification extends AlarmBase {
  readonly kind: "metric-math";
  readonly queries: readonly MetricQuery[];
  readonly rule: ThresholdRule;
}

/** A composite alarm: `AlarmRule` and `TriggeringChildren`, no `Trigger` (FACTS 8-9). */
export interface CompositeAlarmNotification extends AlarmBase {
  readonly kind: "composite";
  readonly alarmRule: string;
  /** Possibly empty (after `SetAlarmState`, FACTS 8). */
  readonly triggeringChildren: readonly TriggeringChild[];
}

/** Any CloudWatch alarm notification the handler acts on. */
export type AlarmNotification = MetricAlarmNotification | MetricMathAlarmNotification | CompositeAlarmNotification;

/** A record that is not a usable alarm notification; it is logged and skipped, never retried. */
export interface NotAnAlarm {
  readonly kind: "not-an-alarm";
  readonly reason: string;
  readonly messageId?: string;
}

export type ParsedRecord = AlarmNotification | NotAnAlarm;

type Json = Record<string, unknown>;

/**
 * Parses one record of the Lambda event. Accepts CloudWatch's SNS alarm document (metric, metric-math, composite) and,
 * when an EventBridge rule publishes to the topic, the "CloudWatch Alarm State Change" event (FACTS 10-11).
 */
export function parseRecord(record: unknown): ParsedRecord {
  const sns = asObject(asObject(record)?.Sns);
  if (sns === undefined) return notAnAlarm("record has no Sns object");
  const messageId = asString(sns.MessageId) ?? "";
  const message = asString(sns.Message);
  if (message === undefined) return notAnAlarm("Sns.Message is not a string", messageId);
  let body: Json | undefined;
  try {
    body = asObject(JSON.parse(message));
  } catch {
    return notAnAlarm("Sns.Message is not JSON", messageId);
  }
  if (body === undefined) return notAnAlarm("Sns.Message is not a JSON object", messageId);
  const topicRegion = parseArn(asString(sns.TopicArn))?.region;
  if (body["detail-type"] !== undefined) return parseEventBridge(body, messageId);
  if (body.AlarmName === undefined && body.NewStateValue === undefined) {
    return notAnAlarm("message is not a CloudWatch alarm notification (no AlarmName/NewStateValue)", messageId);
  }
  return parseSnsAlarm(body, messageId, topicRegion);
}

function parseSnsAlarm(body: Json, messageId: string, topicRegion: string | undefined): ParsedRecord {
  const identity = identify({
    name: asString(body.AlarmName),
    arn: asString(body.AlarmArn),
    accountId: asString(body.AWSAccountId),
    fallbackRegion: topicRegion,
  });
  if (typeof identity === "string") return notAnAlarm(identity, messageId);
  const state = asState(body.NewStateValue);
  if (state === undefined) return notAnAlarm(`NewStateValue ${JSON.stringify(body.NewStateValue)} is not an alarm state`, messageId);
  const stateChangeTime = asString(body.StateChangeTime);
  const stateChangedAt = stateChangeTime === undefined ? NaN : Date.parse(stateChangeTime);
  if (stateChangeTime === undefined || Number.isNaN(stateChangedAt)) {
    return notAnAlarm(`StateChangeTime ${JSON.stringify(body.StateChangeTime)} is not a timestamp`, messageId);
  }
  const reason = asString(body.NewStateReason) ?? "";
  const description = nonEmpty(asString(body.AlarmDescription));
  const trigger = asObject(body.Trigger);
  const alarmRule = asString(body.AlarmRule);
  const base: AlarmBase = {
    messageId,
    ...identity,
    description,
    state,
    previousState: asState(body.OldStateValue),
    reason,
    stateChangeTime,
    stateChangedAt,
    runbookUrl: runbookUrl(description),
    missingData: alarmRule === undefined && isMissingData(state, reason),
  };
  if (alarmRule !== undefined) {
    const children = asArray(body.TriggeringChildren).flatMap((child) => {
      const c = asObject(child);
      const stateObject = asObject(c?.State);
      return triggeringChild(asString(c?.Arn), asString(stateObject?.Value), asString(stateObject?.Timestamp));
    });
    return { ...base, kind: "composite", alarmRule, triggeringChildren: children };
  }
  const rule: ThresholdRule = {
    comparisonOperator: asString(trigger?.ComparisonOperator),
    threshold: asNumber(trigger?.Threshold),
    evaluationPeriods: asNumber(trigger?.EvaluationPeriods),
    datapointsToAlarm: asNumber(trigger?.DatapointsToAlarm),
    treatMissingData: normaliseTreatMissingData(asString(trigger?.TreatMissingData)),
  };
  if (Array.isArray(trigger?.Metrics)) {
    const queries = trigger.Metrics.flatMap((entry): MetricQuery[] => {
      const q = asObject(entry);
      const id = asString(q?.Id);
      if (q === undefined || id === undefined) return [];
      const stat = asObject(q.MetricStat);
      const metric = asObject(stat?.Metric);
      return [
        {
          id,
          expression: asString(q.Expression),
          label: asString(q.Label),
          metric: metricRef(metric?.Namespace, metric?.MetricName, metric?.Dimensions, stat?.Stat, stat?.Period, stat?.Unit),
          returnData: q.ReturnData !== false,
        },
      ];
    });
    return { ...base, kind: "metric-math", queries, rule };
  }
  const statistic = trigger?.Statistic ?? trigger?.ExtendedStatistic;
  const metric = metricRef(trigger?.Namespace, trigger?.MetricName, trigger?.Dimensions, statistic, trigger?.Period, trigger?.Unit);
  return { ...base, kind: "metric", metric, rule };
}

function parseEventBridge(body: Json, messageId: string): ParsedRecord {
  if (body["detail-type"] !== "CloudWatch Alarm State Change" || body.source !== "aws.cloudwatch") {
    return notAnAlarm(`EventBridge event "${String(body["detail-type"])}" from ${String(body.source)} is not an alarm state change`, messageId);
  }
  const detail = asObject(body.detail);
  const stateObject = asObject(detail?.state);
  const identity = identify({
    name: asString(detail?.alarmName),
    arn: asString(asArray(body.resources)[0]),
    accountId: asString(body.account),
    fallbackRegion: asString(body.region),
  });
  if (typeof identity === "string") return notAnAlarm(identity, messageId);
  const state = asState(stateObject?.value);
  if (state === undefined) return notAnAlarm(`detail.state.value ${JSON.stringify(stateObject?.value)} is not an alarm state`, messageId);
  const stateChangeTime = asString(stateObject?.timestamp) ?? asString(body.time);
  const stateChangedAt = stateChangeTime === undefined ? NaN : Date.parse(stateChangeTime);
  if (stateChangeTime === undefined || Number.isNaN(stateChangedAt)) {
    return notAnAlarm("detail.state.timestamp is not a timestamp", messageId);
  }
  const configuration = asObject(detail?.configuration);
  const description = nonEmpty(asString(configuration?.description));
  const reason = asString(stateObject?.reason) ?? "";
  const alarmRule = asString(configuration?.alarmRule);
  const base: AlarmBase = {
    messageId,
    ...identity,
    description,
    state,
    previousState: asState(asObject(detail?.previousState)?.value),
    reason,
    stateChangeTime,
    stateChangedAt,
    runbookUrl: runbookUrl(description),
    missingData: alarmRule === undefined && isMissingData(state, reason),
  };
  if (alarmRule !== undefined) {
    const children = asArray(parseJsonObject(stateObject?.reasonData)?.triggeringAlarms).flatMap((child) => {
      const c = asObject(child);
      const childState = asObject(c?.state);
      return triggeringChild(asString(c?.arn), asString(childState?.value), asString(childState?.timestamp));
    });
    return { ...base, kind: "composite", alarmRule, triggeringChildren: children };
  }
  const queries = asArray(configuration?.metrics).flatMap((entry): MetricQuery[] => {
    const q = asObject(entry);
    const id = asString(q?.id);
    if (q === undefined || id === undefined) return [];
    const stat = asObject(q.metricStat);
    const metric = asObject(stat?.metric);
    const dimensions = Object.entries(asObject(metric?.dimensions) ?? {}).map(([name, value]) => ({ name, value }));
    return [
      {
        id,
        expression: asString(q.expression),
        label: asString(q.label),
        metric: metricRef(metric?.namespace, metric?.name, dimensions, stat?.stat, stat?.period, stat?.unit),
        returnData: q.returnData !== false,
      },
    ];
  });
  const only = queries.length === 1 && queries[0].expression === undefined ? queries[0].metric : undefined;
  if (only !== undefined || queries.length === 0) return { ...base, kind: "metric", metric: only, rule: {} };
  return { ...base, kind: "metric-math", queries, rule: {} };
}

/** A metric dimension as `DescribeAlarms` returns it. */
export interface DescribedDimension {
  readonly Name?: string;
  readonly Value?: string;
}

/** A metric as `DescribeAlarms` returns it inside a metric-math query. */
export interface DescribedMetricStat {
  readonly Metric?: { readonly Namespace?: string; readonly MetricName?: string; readonly Dimensions?: readonly DescribedDimension[] };
  readonly Period?: number;
  readonly Stat?: string;
  readonly Unit?: string;
}

/**
 * The fields of a `DescribeAlarms` entry (a `MetricAlarm` or a `CompositeAlarm` of the CloudWatch API) that a ticket
 * needs; the SDK's own types fit it as they are.
 */
export interface DescribedAlarm {
  readonly AlarmName?: string;
  readonly AlarmArn?: string;
  readonly AlarmDescription?: string;
  readonly AlarmActions?: readonly string[];
  readonly StateValue?: string;
  readonly StateReason?: string;
  readonly StateReasonData?: string;
  /** Last change of the state value: the moment a notification's StateChangeTime names. */
  readonly StateTransitionedTimestamp?: Date;
  /** Last update of the state value or its evaluation (the reason may change while the state stays). */
  readonly StateUpdatedTimestamp?: Date;
  /** Composite alarms only. */
  readonly AlarmRule?: string;
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Dimensions?: readonly DescribedDimension[];
  readonly Statistic?: string;
  readonly ExtendedStatistic?: string;
  readonly Period?: number;
  readonly Unit?: string;
  readonly EvaluationPeriods?: number;
  readonly DatapointsToAlarm?: number;
  readonly Threshold?: number;
  readonly ComparisonOperator?: string;
  readonly TreatMissingData?: string;
  readonly Metrics?: ReadonlyArray<{
    readonly Id?: string;
    readonly Expression?: string;
    readonly Label?: string;
    readonly ReturnData?: boolean;
    readonly MetricStat?: DescribedMetricStat;
  }>;
}

/**
 * The notification CloudWatch would have sent for the alarm's current state, built from its `DescribeAlarms` entry
 * for the reconciliation sweep and marked `origin: "sweep"`. The state change time is `StateTransitionedTimestamp`
 * (when the state value last changed, as a notification's StateChangeTime), else `StateUpdatedTimestamp`; the region
 * and account come from AlarmArn. The previous state is unknown. `messageId` names the sweep run in logs and notices.
 */
export function fromDescribedAlarm(alarm: DescribedAlarm, messageId: string): ParsedRecord {
  if (alarm.AlarmArn === undefined) return notAnAlarm("AlarmArn is missing", messageId);
  const identity = identify({ name: alarm.AlarmName, arn: alarm.AlarmArn, accountId: parseArn(alarm.AlarmArn)?.account });
  if (typeof identity === "string") return notAnAlarm(identity, messageId);
  const state = asState(alarm.StateValue);
  if (state === undefined) return notAnAlarm(`StateValue ${JSON.stringify(alarm.StateValue)} is not an alarm state`, messageId);
  const changedAt = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp;
  const stateChangedAt = changedAt instanceof Date ? changedAt.getTime() : NaN;
  if (Number.isNaN(stateChangedAt)) return notAnAlarm("the alarm has no state timestamp", messageId);
  const description = nonEmpty(alarm.AlarmDescription);
  const reason = alarm.StateReason ?? "";
  const base: AlarmBase = {
    messageId,
    ...identity,
    description,
    state,
    reason,
    stateChangeTime: new Date(stateChangedAt).toISOString().replace("Z", "+0000"),
    stateChangedAt,
    runbookUrl: runbookUrl(description),
    missingData: alarm.AlarmRule === undefined && isMissingData(state, reason),
    origin: "sweep",
  };
  if (alarm.AlarmRule !== undefined) {
    const children = asArray(parseJsonObject(alarm.StateReasonData)?.triggeringAlarms).flatMap((child) => {
      const c = asObject(child);
      const childState = asObject(c?.state);
      return triggeringChild(asString(c?.arn), asString(childState?.value), asString(childState?.timestamp));
    });
    return { ...base, kind: "composite", alarmRule: alarm.AlarmRule, triggeringChildren: children };
  }
  const rule: ThresholdRule = {
    comparisonOperator: alarm.ComparisonOperator,
    threshold: asNumber(alarm.Threshold),
    evaluationPeriods: asNumber(alarm.EvaluationPeriods),
    datapointsToAlarm: asNumber(alarm.DatapointsToAlarm),
    treatMissingData: normaliseTreatMissingData(alarm.TreatMissingData),
  };
  const dimensions = (list: readonly DescribedDimension[] | undefined) => (list ?? []).map((d) => ({ name: d.Name, value: d.Value }));
  if (alarm.Metrics !== undefined && alarm.Metrics.length > 0) {
    const queries = alarm.Metrics.flatMap((q): MetricQuery[] => {
      if (q.Id === undefined) return [];
      const stat = q.MetricStat;
      const metric = metricRef(stat?.Metric?.Namespace, stat?.Metric?.MetricName, dimensions(stat?.Metric?.Dimensions), stat?.Stat, stat?.Period, stat?.Unit);
      return [{ id: q.Id, expression: q.Expression, label: q.Label, metric, returnData: q.ReturnData !== false }];
    });
    return { ...base, kind: "metric-math", queries, rule };
  }
  const metric = metricRef(alarm.Namespace, alarm.MetricName, dimensions(alarm.Dimensions), alarm.Statistic ?? alarm.ExtendedStatistic, alarm.Period, alarm.Unit);
  return { ...base, kind: "metric", metric, rule };
}

/** Name, ARN-derived identity and fingerprint; a string is the reason the record cannot be identified. */
function identify(input: {
  name?: string;
  arn?: string;
  accountId?: string;
  fallbackRegion?: string;
}): Pick<AlarmBase, "alarmName" | "alarmArn" | "accountId" | "region" | "partition" | "fingerprint" | "consoleUrl"> | string {
  const alarmName = nonEmpty(input.name);
  if (alarmName === undefined) return "AlarmName is missing";
  const arn = parseArn(input.arn);
  if (input.arn !== undefined && (arn === undefined || arn.service !== "cloudwatch" || !arn.resource.startsWith("alarm:"))) {
    return `AlarmArn "${input.arn}" is not a CloudWatch alarm ARN`;
  }
  const region = arn?.region ?? input.fallbackRegion;
  const accountId = input.accountId ?? arn?.account;
  if (region === undefined || !REGION.test(region)) return "the alarm's region cannot be determined (no AlarmArn)";
  if (accountId === undefined || !/^\d{12}$/.test(accountId)) return `AWSAccountId ${JSON.stringify(accountId)} is not an account id`;
  const partition = arn?.partition ?? "aws";
  return {
    alarmName,
    alarmArn: input.arn,
    accountId,
    region,
    partition,
    fingerprint: fingerprint(input.arn, accountId, region, alarmName),
    consoleUrl: consoleUrl(partition, region, alarmName),
  };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The ticket identity of DESIGN.md: 16 hex characters, stable for the alarm across accounts' name reuse. */
export function fingerprint(alarmArn: string | undefined, accountId: string, region: string, alarmName: string): string {
  const source = alarmArn ?? `${accountId}:${region}:${alarmName}`;
  return createHash("sha256").update(source, "utf8").digest("hex").slice(0, 16);
}

/** Link to the alarm in the console of its region; the console opens whichever account the reader is signed in to. */
export function consoleUrl(partition: string, region: string, alarmName: string): string {
  const host =
    partition === "aws-cn"
      ? `${region}.console.amazonaws.cn`
      : partition === "aws-us-gov"
        ? "console.amazonaws-us-gov.com"
        : `${region}.console.aws.amazon.com`;
  return `https://${host}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

function parseArn(arn: string | undefined): Arn | undefined {
  const parts = arn?.split(":");
  if (parts === undefined || parts.length < 6 || parts[0] !== "arn") return undefined;
  const [, partition, service, region, account, ...resource] = parts;
  return { partition, service, region, account, resource: resource.join(":") };
}

/**
 * CloudWatch words a breach caused by missing data as "no datapoints were received for 1 period and 1 missing
 * datapoint was treated as [Breaching]", and INSUFFICIENT_DATA as "Insufficient Data: ...". The reason text is the
 * evidence; TreatMissingData is too unreliable to decide on (FACTS 5).
 */
function isMissingData(state: AlarmState, reason: string): boolean {
  return state !== "OK" && /no datapoints were received|missing datapoints? (?:was|were) treated as|^insufficient data/i.test(reason);
}

function normaliseTreatMissingData(value: string | undefined): string | undefined {
  const matches = value?.match(/notBreaching|breaching|ignore|missing/gi);
  if (matches === undefined || matches === null) return undefined;
  const last = matches[matches.length - 1].toLowerCase();
  return last === "notbreaching" ? "notBreaching" : last;
}

/** `Runbook: <url>` in the description (the stack writes it there, PEERS A20); only http(s) links count. */
function runbookUrl(description: string | undefined): string | undefined {
  const match = description?.match(/\bRunbook:\s*(https?:\/\/[^\s<>"|[\]{}]+)/i);
  if (match === undefined || match === null) return undefined;
  const url = match[1].replace(/[.,;:!?)\]]+$/, "");
  return URL.canParse(url) ? url : undefined;
}

function triggeringChild(arn: string | undefined, state: string | undefined, timestamp: string | undefined): TriggeringChild[] {
  if (arn === undefined) return [];
  const resource = parseArn(arn)?.resource;
  const name = resource?.startsWith("alarm:") ? resource.slice("alarm:".length) : arn;
  return [{ arn, name, state, timestamp }];
}

function metricRef(
  namespace: unknown,
  metricName: unknown,
  dimensions: unknown,
  statistic: unknown,
  period: unknown,
  unit: unknown,
): MetricRef | undefined {
  const ns = asString(namespace);
  const name = asString(metricName);
  if (ns === undefined || name === undefined) return undefined;
  const dims = asArray(dimensions).flatMap((d) => {
    const dim = asObject(d);
    const dimName = asString(dim?.name);
    const value = dim?.value;
    return dimName === undefined || value === undefined ? [] : [{ name: dimName, value: String(value) }];
  });
  return { namespace: ns, metricName: name, dimensions: dims, statistic: asString(statistic), period: asNumber(period), unit: asString(unit) };
}

function notAnAlarm(reason: string, messageId?: string): NotAnAlarm {
  return { kind: "not-an-alarm", reason, messageId: messageId === "" ? undefined : messageId };
}

function parseJsonObject(value: unknown): Json | undefined {
  if (typeof value !== "string") return asObject(value);
  try {
    return asObject(JSON.parse(value));
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

function asState(value: unknown): AlarmState | undefined {
  return (ALARM_STATES as readonly unknown[]).includes(value) ? (value as AlarmState) : undefined;
}
