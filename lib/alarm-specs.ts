/**
 * The hub's alarms as data: one typed table, a cross-field validator and the pure text and rule builders.
 * lib/alarms.ts turns the table into resources in one loop.
 */
import { physicalName } from "./naming";

export type Severity = "warning" | "critical";

/**
 * Where an alarm's notifications go. `ticket`: the topic the JIRA Lambda subscribes to (one ticket per incident).
 * `notice`: the human email topic, which never reaches the JIRA Lambda.
 */
export type Route = "ticket" | "notice";

export type Statistic = "Sum" | "Maximum" | "Average" | "Minimum" | "SampleCount";

/** An upper bound alarms when the value goes above it; a lower bound alarms when the value goes below it. */
export type Threshold = { readonly maxAllowed: number } | { readonly minRequired: number };

export type Comparison = "GreaterThanThreshold" | "LessThanThreshold";

/** The number CloudWatch compares against, whichever direction the threshold has. */
export function thresholdValue(threshold: Threshold): number {
  return "maxAllowed" in threshold ? threshold.maxAllowed : threshold.minRequired;
}

/** The plain resources (created elsewhere) that service metrics are dimensioned by. */
export type AlarmTarget = "jira-function" | "jira-failure-queue" | "jira-redrive-queue" | "jira-reconcile-function";

/** The targets that make up the ticketing path: alarms about them must never ask that path to report them. */
export const TICKETING_PATH_TARGETS: readonly AlarmTarget[] = ["jira-function", "jira-failure-queue", "jira-redrive-queue", "jira-reconcile-function"];

/** The application log metrics of lib/log-metrics.ts. */
export type LogFilter = "errors" | "critical-errors";

/**
 * What an alarm watches.
 * - `log-filter`: a metric published by a log metric filter of lib/log-metrics.ts in the hub.
 * - `member-log-filter`: the same metric as published in one member account, read from the hub through that member's
 *   OAM link (a metric query with `accountId`). Only {@link MEMBER_ALARM_SPECS} use it: one alarm per member account.
 * - `service`: an AWS service metric dimensioned by one of our resources, alarmed through `FILL(m, 0)` metric math.
 */
export type AlarmMetric =
  | { readonly kind: "log-filter"; readonly filter: LogFilter }
  | { readonly kind: "member-log-filter"; readonly filter: LogFilter }
  | {
      readonly kind: "service";
      readonly namespace: string;
      readonly metricName: string;
      readonly dimensionName: string;
      readonly target: AlarmTarget;
    };

/**
 * Why the alarm is right when the system is quiet, although every alarm treats missing data as breaching
 * (DESIGN.md defect 3). `silence-is-outage`: a filter metric with `defaultValue: 0`, so a gap means no logs at all,
 * which is an outage. `sparse-filled-with-zero`: a metric only published while something happens, read through
 * `FILL(m, 0)`, so a gap reads as 0.
 */
export interface QuietBehaviour {
  readonly case: "silence-is-outage" | "sparse-filled-with-zero";
  readonly note: string;
}

/** One alarm of the hub. Its text becomes the ticket (or notice) body, so it is written for the person on call. */
export interface AlarmSpec {
  /** Kebab-case; part of the alarm name and the runbook anchor. */
  readonly id: string;
  readonly title: string;
  readonly metric: AlarmMetric;
  readonly statistic: Statistic;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: Threshold;
  readonly comparison: Comparison;
  readonly severity: Severity;
  readonly route: Route;
  /** A child of the application-health composite, which alone raises the ticket (PEERS C3). */
  readonly compositeChild: boolean;
  readonly quietBehaviour: QuietBehaviour;
  readonly whatHappened: string;
  readonly whyItMatters: string;
  readonly firstSteps: string;
}

const FILTER_QUIET: QuietBehaviour = {
  case: "silence-is-outage",
  note:
    "Log metric filter with defaultValue 0: a period with logs but no match publishes 0 (OK). Only a period with " +
    "no application logs at all leaves a gap, and breaching reads that as an outage, which it is: the application " +
    "always logs while it runs.",
};

const LAMBDA_QUIET: QuietBehaviour = {
  case: "sparse-filled-with-zero",
  note: "AWS/Lambda publishes this metric only while the function runs; FILL(m, 0) reads an idle period as 0 (OK).",
};

const QUEUE_QUIET: QuietBehaviour = {
  case: "sparse-filled-with-zero",
  note: "AWS/SQS stops publishing metrics for an idle queue; FILL(m, 0) reads the gap as an empty queue (OK).",
};

const MEMBER_FILTER_QUIET: QuietBehaviour = {
  case: "silence-is-outage",
  note:
    "The member's application publishes the same filter metric with defaultValue 0 (the contract of " +
    "lib/log-metrics.ts), read here through the member's OAM link. A period with logs but no match is 0 (OK); a gap " +
    "means the member sent no application logs at all, or the hub lost its link to the member. Both are outages of " +
    "that member as the hub sees it, so the raw metric is alarmed: FILL(m, 0) would hide exactly what this alarm is for.",
};

/** Every metric alarm of the hub. */
export const ALARM_SPECS = [
  {
    id: "application-errors",
    title: "Application errors",
    metric: { kind: "log-filter", filter: "errors" },
    statistic: "Sum",
    periodSeconds: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    threshold: { maxAllowed: 5 },
    comparison: "GreaterThanThreshold",
    severity: "warning",
    route: "notice",
    compositeChild: true,
    quietBehaviour: FILTER_QUIET,
    whatHappened: "The application logged more ERROR events than usual, or stopped sending logs at all.",
    whyItMatters: "Users are probably seeing failed requests; a silent log group means the application or its log shipping is down.",
    firstSteps: "Search the application log group for ERROR around the alarm time. If it has no recent events, check that the application runs and ships its logs.",
  },
  {
    id: "application-critical-errors",
    title: "Critical application errors",
    metric: { kind: "log-filter", filter: "critical-errors" },
    statistic: "Sum",
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: { maxAllowed: 0 },
    comparison: "GreaterThanThreshold",
    severity: "critical",
    route: "notice",
    compositeChild: true,
    quietBehaviour: FILTER_QUIET,
    whatHappened: "The application logged a CRITICAL event, or stopped sending logs at all.",
    whyItMatters: "CRITICAL marks failures the application cannot recover from by itself.",
    firstSteps: "Find the CRITICAL event in the application log group and act on what it names. If the group is silent, check that the application runs and ships its logs.",
  },
  {
    id: "jira-lambda-errors",
    title: "JIRA ticketing Lambda errors",
    metric: { kind: "service", namespace: "AWS/Lambda", metricName: "Errors", dimensionName: "FunctionName", target: "jira-function" },
    statistic: "Sum",
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: { maxAllowed: 0 },
    comparison: "GreaterThanThreshold",
    severity: "critical",
    route: "notice",
    compositeChild: false,
    quietBehaviour: LAMBDA_QUIET,
    whatHappened: "The Lambda that turns alarms into JIRA tickets failed.",
    whyItMatters: "Alarms may be without a ticket; what the Lambda could not handle waits in its failure queue for replay.",
    firstSteps: "Read the Lambda's log group for the cause (JIRA unreachable, credentials, workflow), fix it, then replay the failure queue.",
  },
  {
    id: "jira-lambda-throttles",
    title: "JIRA ticketing Lambda throttled",
    metric: { kind: "service", namespace: "AWS/Lambda", metricName: "Throttles", dimensionName: "FunctionName", target: "jira-function" },
    statistic: "Sum",
    periodSeconds: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    threshold: { maxAllowed: 0 },
    comparison: "GreaterThanThreshold",
    severity: "warning",
    route: "notice",
    compositeChild: false,
    quietBehaviour: LAMBDA_QUIET,
    whatHappened: "Invocations of the JIRA ticketing Lambda are being throttled by its reserved concurrency.",
    whyItMatters: "Throttled notifications are retried for up to 6 hours, so tickets arrive late and the rest land in the failure queue.",
    firstSteps: "Look for an alarm storm in the hub. If the load is legitimate, raise jiraLambdaReservedConcurrency.",
  },
  {
    id: "jira-failure-queue-messages",
    title: "Failed JIRA notifications waiting",
    metric: {
      kind: "service",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensionName: "QueueName",
      target: "jira-failure-queue",
    },
    statistic: "Maximum",
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: { maxAllowed: 0 },
    comparison: "GreaterThanThreshold",
    severity: "critical",
    route: "notice",
    compositeChild: false,
    quietBehaviour: QUEUE_QUIET,
    whatHappened: "Alarm notifications the JIRA Lambda could not handle are waiting in its failure queue.",
    whyItMatters: "Each message is an alarm without a ticket; the queue keeps it for replay.",
    firstSteps: "Fix the cause shown in the Lambda's log group, then replay the messages of the failure queue.",
  },
  {
    id: "jira-redrive-queue-messages",
    title: "Undelivered JIRA notifications waiting",
    metric: {
      kind: "service",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensionName: "QueueName",
      target: "jira-redrive-queue",
    },
    statistic: "Maximum",
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: { maxAllowed: 0 },
    comparison: "GreaterThanThreshold",
    severity: "critical",
    route: "notice",
    compositeChild: false,
    quietBehaviour: QUEUE_QUIET,
    whatHappened: "Notifications SNS could not deliver to the JIRA Lambda are waiting in the subscription's redrive queue.",
    whyItMatters: "Each message is an alarm that never reached the ticketing Lambda.",
    firstSteps: "Check that the Lambda exists and that SNS may invoke it, then replay the messages of the redrive queue.",
  },
  {
    id: "jira-reconcile-errors",
    title: "Reconciliation sweep errors",
    metric: { kind: "service", namespace: "AWS/Lambda", metricName: "Errors", dimensionName: "FunctionName", target: "jira-reconcile-function" },
    statistic: "Sum",
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: { maxAllowed: 0 },
    comparison: "GreaterThanThreshold",
    severity: "warning",
    route: "notice",
    compositeChild: false,
    quietBehaviour: LAMBDA_QUIET,
    whatHappened: "The scheduled reconciliation sweep, which tickets alarms whose notification was lost or muted and resolves tickets of recovered alarms, failed.",
    whyItMatters: "Until a sweep succeeds, an alarm whose notification was lost may have no ticket, and the ticket of an alarm that is OK again may stay open.",
    firstSteps: "Read the sweep's notice email and its log group for the alarms it failed on and why (JIRA, credentials, permissions). The next scheduled sweep retries by itself.",
  },
] as const satisfies readonly AlarmSpec[];

export type AlarmId = (typeof ALARM_SPECS)[number]["id"];

/**
 * Alarms created once per member account (when `memberAccountAlarms` is on), in the hub, on that member's metric read
 * through its OAM link.
 *
 * Each raises its own ticket instead of joining the application-health composite. One ticket per incident: an outage of
 * one member account is an incident of its own (a different team may own it), and a composite already in ALARM for
 * member A stays in ALARM, and so sends nothing, when member B fails too. The composite could not hold them anyway: a
 * composite rule takes at most 100 children (FACT 51), and 500 member accounts would need nested composites. These are
 * hub alarms, only their metric is remote, so the same-account rule for composite children (FACT 51) is not what
 * decides it. An outage of many members at once opens one ticket each; the JIRA Lambda's reserved concurrency paces
 * them.
 */
export const MEMBER_ALARM_SPECS = [
  {
    id: "member-application-errors",
    title: "Member account application errors",
    metric: { kind: "member-log-filter", filter: "errors" },
    statistic: "Sum",
    periodSeconds: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    threshold: { maxAllowed: 5 },
    comparison: "GreaterThanThreshold",
    severity: "warning",
    route: "ticket",
    compositeChild: false,
    quietBehaviour: MEMBER_FILTER_QUIET,
    whatHappened: "The application in this member account logged more ERROR events than usual, or the hub stopped receiving its metric.",
    whyItMatters:
      "Users of this account's application are probably seeing failed requests; no data means the application, its log shipping or the account's OAM link to the hub is down.",
    firstSteps:
      "In the hub, search the member's application log group (shared through OAM) for ERROR around the alarm time. If there is no data at all, check that the application runs in the account and that its OAM link to the hub's sink is active.",
  },
] as const satisfies readonly AlarmSpec[];

export type MemberAlarmId = (typeof MEMBER_ALARM_SPECS)[number]["id"];

/** A 12-digit stand-in the validator puts in member alarm names and texts: every account id has this length. */
const SAMPLE_ACCOUNT_ID = "000000000000";

/** The composite alarm that raises one ticket per application incident. */
export const COMPOSITE_ALARM = {
  id: "application-health",
  title: "Application health",
  whyItMatters: "This is the one ticket for the incident; each triggering alarm also went to the notice email.",
  firstSteps: "Open the triggering alarm named in this ticket and follow its section of the runbook.",
} as const;

/** CloudWatch limits the validator enforces (PutMetricAlarm / PutCompositeAlarm API reference, FACT 51). */
export const ALARM_LIMITS = {
  nameLength: 255,
  descriptionLength: 1024,
  /** Period x evaluation periods may not exceed one day. */
  evaluationRangeSeconds: 86_400,
  compositeChildren: 100,
  compositeRuleLength: 10_240,
} as const;

/** Context the validator needs besides the specs. */
export interface AlarmSpecContext {
  readonly suffix: string;
  readonly runbookUrl: string;
}

/**
 * Cross-field checks over the table. Returns one message per problem (empty when valid), so a bad table fails before
 * any resource registers and names every problem at once.
 */
export function validateAlarmSpecs(specs: readonly AlarmSpec[], context: AlarmSpecContext): string[] {
  const problems: string[] = [];
  if (context.runbookUrl.includes("#")) {
    problems.push(`runbookUrl "${context.runbookUrl}" must not contain a fragment: each alarm appends its own anchor`);
  }
  const seen = new Set<string>();
  for (const spec of specs) {
    const p = (msg: string) => problems.push(`${spec.id}: ${msg}`);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(spec.id)) p("id must be kebab-case");
    if (seen.has(spec.id)) p("id is used twice");
    seen.add(spec.id);
    if (!Number.isInteger(spec.evaluationPeriods) || spec.evaluationPeriods < 1) p("evaluationPeriods must be a whole number >= 1");
    if (!Number.isInteger(spec.datapointsToAlarm) || spec.datapointsToAlarm < 1 || spec.datapointsToAlarm > spec.evaluationPeriods) {
      p(`datapointsToAlarm (${spec.datapointsToAlarm}) must be between 1 and evaluationPeriods (${spec.evaluationPeriods})`);
    }
    if (![10, 20, 30].includes(spec.periodSeconds) && !(spec.periodSeconds > 0 && spec.periodSeconds % 60 === 0)) {
      p(`periodSeconds (${spec.periodSeconds}) must be 10, 20, 30 or a multiple of 60`);
    }
    if (spec.periodSeconds * spec.evaluationPeriods > ALARM_LIMITS.evaluationRangeSeconds) {
      p(`periodSeconds x evaluationPeriods must not exceed ${ALARM_LIMITS.evaluationRangeSeconds} s`);
    }
    const upper = "maxAllowed" in spec.threshold;
    if (upper !== (spec.comparison === "GreaterThanThreshold")) {
      p(`threshold ${upper ? "maxAllowed" : "minRequired"} does not match comparison ${spec.comparison}`);
    }
    const expectedQuiet = spec.metric.kind === "service" ? "sparse-filled-with-zero" : "silence-is-outage";
    if (spec.quietBehaviour.case !== expectedQuiet) p(`a ${spec.metric.kind} metric must have quiet behaviour ${expectedQuiet}`);
    if (spec.compositeChild && spec.route !== "notice") p("a composite child routes to notice: only the composite raises the ticket");
    if (spec.compositeChild && spec.metric.kind === "member-log-filter") {
      p("a member-account alarm cannot be a composite child: a composite takes at most 100 children, and each member's outage is its own incident");
    }
    if (spec.metric.kind === "service" && TICKETING_PATH_TARGETS.includes(spec.metric.target) && spec.route !== "notice") {
      p("an alarm about the ticketing path routes to notice: the JIRA Lambda must not report its own failure");
    }
    const accountId = spec.metric.kind === "member-log-filter" ? SAMPLE_ACCOUNT_ID : undefined;
    const name = alarmName(context.suffix, alarmKey(spec.id, accountId));
    if (name.length > ALARM_LIMITS.nameLength) p(`name is ${name.length} characters, more than ${ALARM_LIMITS.nameLength}`);
    const description = alarmDescription(spec, context.runbookUrl, accountId);
    if (description.length > ALARM_LIMITS.descriptionLength) {
      p(`description is ${description.length} characters, more than ${ALARM_LIMITS.descriptionLength}`);
    }
  }
  return problems;
}

/** `monitoring-hub-alarm-<id>-<suffix>`: the validator checks the very name the alarm gets. */
export function alarmName(suffix: string, id: string): string {
  return physicalName(suffix, "alarm", id);
}

/**
 * What every alarm name of an environment starts and ends with (`monitoring-hub-alarm-` and `-<suffix>`), so that
 * `start + <id> + end` is {@link alarmName}: the reconciliation sweep lists alarms by the start and keeps only its
 * environment's by the end.
 */
export function alarmNameAffixes(suffix: string): { readonly start: string; readonly end: string } {
  const marker = "\u0000";
  const [start, end] = alarmName(suffix, marker).split(marker);
  return { start, end };
}

/**
 * What tells one alarm of a spec from another: the spec id, followed by the member account for member alarms
 * (`member-application-errors-444455556666`). It goes into the alarm's physical and logical names.
 */
export function alarmKey(specId: string, accountId?: string): string {
  return accountId === undefined ? specId : `${specId}-${accountId}`;
}

/**
 * The alarm description, written as ticket text: what happened (naming the member account for a member alarm), the
 * condition, why it matters, what to do first, and the runbook section of the spec.
 */
export function alarmDescription(spec: AlarmSpec, runbookUrl: string, accountId?: string): string {
  const title = accountId === undefined ? spec.title : `${spec.title} in account ${accountId}`;
  return ticketText(spec.id, title, spec.whatHappened, conditionText(spec), spec.whyItMatters, spec.firstSteps, runbookUrl);
}

/** The composite's description, naming the children it combines. */
export function compositeAlarmDescription(childTitles: readonly string[], runbookUrl: string): string {
  const c = COMPOSITE_ALARM;
  const happened = `At least one application health alarm is in ALARM: ${childTitles.join(", ")}.`;
  return ticketText(c.id, c.title, happened, "Any child alarm in ALARM.", c.whyItMatters, c.firstSteps, runbookUrl);
}

function ticketText(id: string, title: string, happened: string, condition: string, why: string, first: string, runbookUrl: string): string {
  return [
    `${title}: ${happened}`,
    `Condition: ${condition}`,
    `Why it matters: ${why}`,
    `First steps: ${first}`,
    `Runbook: ${runbookUrl}#${id}`,
  ].join("\n");
}

/** The alarm condition in words, derived from the spec so the text cannot drift from the configuration. */
export function conditionText(spec: AlarmSpec): string {
  const bound = "maxAllowed" in spec.threshold ? `above ${spec.threshold.maxAllowed}` : `below ${spec.threshold.minRequired}`;
  const period = spec.periodSeconds % 60 === 0 ? `${spec.periodSeconds / 60}-minute` : `${spec.periodSeconds}-second`;
  return `${spec.statistic} ${bound} in ${spec.datapointsToAlarm} of ${spec.evaluationPeriods} ${period} periods; no data counts as breaching.`;
}

/** A metric query of a metric-math alarm, in the shape `aws.cloudwatch.MetricAlarm` takes. */
export interface MetricQuery {
  readonly id: string;
  /** The account whose metric this is, read through its OAM link; absent for the hub's own metrics. */
  readonly accountId?: string;
  readonly expression?: string;
  readonly label?: string;
  readonly returnData: boolean;
  readonly metric?: {
    readonly namespace: string;
    readonly metricName: string;
    /** Absent for log filter metrics, which have none. */
    readonly dimensions?: Record<string, string>;
    readonly period: number;
    readonly stat: string;
  };
}

/**
 * The one query of a member alarm: the member account's metric itself (`accountId` set, returned), without FILL, so
 * that a gap stays missing data and breaches (see the member spec's quiet behaviour). A metric with an `accountId`
 * can only be alarmed through `metricQueries`; the plain `namespace`/`metricName` inputs have no account.
 */
export function memberMetricQueries(
  metric: { readonly namespace: string; readonly metricName: string },
  statistic: Statistic,
  periodSeconds: number,
  accountId: string,
): MetricQuery[] {
  return [
    {
      id: "m",
      accountId,
      label: `${metric.metricName} of ${accountId}`,
      returnData: true,
      metric: { namespace: metric.namespace, metricName: metric.metricName, period: periodSeconds, stat: statistic },
    },
  ];
}

/**
 * The queries of an alarm on a sparse service metric: the raw metric (not returned) and `FILL(m, 0)`, which the
 * alarm evaluates, so periods without data read as 0 instead of breaching.
 */
export function fillZeroQueries(
  metric: Extract<AlarmMetric, { kind: "service" }>,
  statistic: Statistic,
  periodSeconds: number,
  dimensionValue: string,
): MetricQuery[] {
  return [
    {
      id: "m",
      returnData: false,
      metric: {
        namespace: metric.namespace,
        metricName: metric.metricName,
        dimensions: { [metric.dimensionName]: dimensionValue },
        period: periodSeconds,
        stat: statistic,
      },
    },
    { id: "e", expression: "FILL(m, 0)", label: `${metric.metricName} (no data = 0)`, returnData: true },
  ];
}

/**
 * `ALARM("a") OR ALARM("b")` (mode ANY) or `... AND ...` (mode ALL). Names are always quoted, with `\` and `"`
 * escaped by a backslash, so spaces, parentheses or operator words in a name cannot change the rule's meaning.
 * CloudWatch documents quoting but no escape syntax: our own names never contain either character.
 */
export function compositeAlarmRule(names: readonly string[], mode: "ANY" | "ALL"): string {
  if (names.length === 0) throw new Error("a composite alarm rule needs at least one child alarm");
  if (names.length > ALARM_LIMITS.compositeChildren) {
    throw new Error(`a composite alarm rule takes at most ${ALARM_LIMITS.compositeChildren} child alarms, got ${names.length}`);
  }
  const empty = names.findIndex((n) => n.length === 0);
  if (empty >= 0) throw new Error(`child alarm name ${empty} is empty`);
  const rule = names.map((n) => `ALARM("${n.replace(/[\\"]/g, (c) => `\\${c}`)}")`).join(mode === "ANY" ? " OR " : " AND ");
  if (rule.length > ALARM_LIMITS.compositeRuleLength) {
    throw new Error(`the composite alarm rule is ${rule.length} characters, more than ${ALARM_LIMITS.compositeRuleLength}`);
  }
  return rule;
}
