import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { logGroupName, metricNamespace, physicalName, type StackContext } from "./naming";

/** Days the hub keeps application and API access logs (the original stack's 30 days). */
export const LOG_RETENTION_DAYS = 30;

/** A CloudWatch metric by namespace and name, as alarms and dashboards reference it. */
export interface MetricRef {
  readonly namespace: string;
  readonly name: string;
}

export interface LogMetricsArgs {
  readonly ctx: StackContext;
}

export interface LogMetrics {
  /** Application logs; the ERROR and CRITICAL metric filters read this group. */
  readonly applicationLogGroup: aws.cloudwatch.LogGroup;
  /** JSON API access logs; the Contributor Insights rules read this group (lib/insights.ts). */
  readonly apiAccessLogGroup: aws.cloudwatch.LogGroup;
  /** Namespace of every metric the filters publish. */
  readonly namespace: string;
  /** Count of application log events containing ERROR, 0 in minutes with logs but no match. */
  readonly errorMetric: MetricRef;
  /** Count of application log events containing CRITICAL, 0 in minutes with logs but no match. */
  readonly criticalMetric: MetricRef;
  readonly filters: aws.cloudwatch.LogMetricFilter[];
}

/** The level terms counted from the application log, and the metric each one feeds. */
export const LEVEL_FILTERS = [
  { id: "application-errors", term: "ERROR", metricName: "ApplicationErrors" },
  { id: "application-critical-errors", term: "CRITICAL", metricName: "ApplicationCriticalErrors" },
] as const;

/**
 * Creates the application and API access log groups and the metric filters that count ERROR and CRITICAL log
 * events. Every filter sets `defaultValue: "0"` (DESIGN.md defect 3): a minute with logs but no match publishes 0,
 * so only a minute with no logs at all leaves a gap, and the `breaching` alarms read that gap as an outage.
 */
export function createLogMetrics(name: string, args: LogMetricsArgs, opts: pulumi.CustomResourceOptions): LogMetrics {
  const { ctx } = args;
  const namespace = metricNamespace(ctx.suffix);

  const applicationLogGroup = new aws.cloudwatch.LogGroup(
    `${name}-application`,
    { name: logGroupName(ctx.suffix, "application"), retentionInDays: LOG_RETENTION_DAYS, tags: ctx.tags },
    { ...opts },
  );
  const apiAccessLogGroup = new aws.cloudwatch.LogGroup(
    `${name}-api-access`,
    { name: logGroupName(ctx.suffix, "api-access"), retentionInDays: LOG_RETENTION_DAYS, tags: ctx.tags },
    { ...opts },
  );

  const filters = LEVEL_FILTERS.map(
    (level) =>
      new aws.cloudwatch.LogMetricFilter(
        `${name}-${level.id}`,
        {
          name: physicalName(ctx.suffix, level.id),
          logGroupName: applicationLogGroup.name,
          pattern: termPattern(level.term),
          metricTransformation: {
            namespace,
            name: level.metricName,
            value: "1",
            defaultValue: "0",
            unit: "Count",
          },
        },
        { ...opts },
      ),
  );

  return {
    applicationLogGroup,
    apiAccessLogGroup,
    namespace,
    errorMetric: { namespace, name: LEVEL_FILTERS[0].metricName },
    criticalMetric: { namespace, name: LEVEL_FILTERS[1].metricName },
    filters,
  };
}

/**
 * The filter pattern that matches log events containing `term`, written as a quoted term.
 *
 * Why quoted, and not the alternatives (FACTS 16-21):
 * - `[ERROR]` is space-delimited syntax declaring a field *named* ERROR; it does not look for the text at all.
 * - `{ $.level = "ERROR" }` needs JSON logs with a known level key, which the application does not promise.
 * - `[w1=ERROR, w2]` needs the level at a fixed position, which differs between log layouts.
 * A quoted term is documented to match the exact, case-sensitive text anywhere in the event, whatever the layout.
 * Term matching is not whole-word, so `ERRORCODE` also counts: it can over-count, visibly, but never silently miss.
 * Quotes also keep terms with punctuation (such as Python's `[ERROR]`) literal.
 */
export function termPattern(term: string): string {
  if (term.length === 0 || term.trim() !== term || /["\\]/.test(term)) {
    throw new Error(`filter term ${JSON.stringify(term)} must be non-empty, without surrounding spaces, and contain no " or \\`);
  }
  return `"${term}"`;
}
