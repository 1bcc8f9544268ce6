import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  ALARM_SPECS,
  COMPOSITE_ALARM,
  alarmDescription,
  alarmName,
  compositeAlarmDescription,
  compositeAlarmRule,
  fillZeroQueries,
  thresholdValue,
  validateAlarmSpecs,
  type AlarmId,
  type AlarmSpec,
  type AlarmTarget,
  type Route,
} from "./alarm-specs";
import type { MetricRef } from "./log-metrics";
import type { StackContext } from "./naming";
import { withDependsOn } from "./resource-options";

export interface AlarmsArgs {
  readonly ctx: StackContext;
  /** Runbook base URL without a fragment; each alarm links `<runbookUrl>#<alarm id>`. */
  readonly runbookUrl: string;
  /** Topic the JIRA Lambda subscribes to: only the application-health composite publishes here. */
  readonly ticketTopicArn: pulumi.Input<string>;
  /** Human email topic, which never reaches the JIRA Lambda: every metric alarm publishes here. */
  readonly noticeTopicArn: pulumi.Input<string>;
  readonly errorMetric: MetricRef;
  readonly criticalMetric: MetricRef;
  readonly jiraFunctionName: pulumi.Input<string>;
  /** The JIRA Lambda's on-failure destination queue. */
  readonly failureQueueName: pulumi.Input<string>;
  /** The SNS subscription's redrive (dead-letter) queue. */
  readonly redriveQueueName: pulumi.Input<string>;
}

export interface Alarms {
  readonly alarms: Record<AlarmId, aws.cloudwatch.MetricAlarm>;
  /** `ANY` of the composite children; the only alarm that raises tickets. */
  readonly composite: aws.cloudwatch.CompositeAlarm;
  /** Every alarm's name, the composite last. */
  readonly alarmNames: pulumi.Output<string>[];
  /** Every alarm's ARN, the composite last (for the dashboard's alarm status widget). */
  readonly alarmArns: pulumi.Output<string>[];
}

/** Missing data breaches on every alarm; ALARM_SPECS says per alarm why that is right when the system is quiet. */
const TREAT_MISSING_DATA = "breaching";

/**
 * Creates one metric alarm per entry of {@link ALARM_SPECS} and the application-health composite over the composite
 * children. Every alarm sends ALARM and OK (and nothing else) to exactly one topic chosen by its route: metric alarms
 * to the notice topic, the composite to the ticket topic, so one incident makes one ticket and the ticketing path
 * never reports its own failure to itself. Throws, before registering anything, when the table is invalid.
 */
export function createAlarms(name: string, args: AlarmsArgs, opts: pulumi.CustomResourceOptions): Alarms {
  const { ctx } = args;
  const problems = validateAlarmSpecs(ALARM_SPECS, { suffix: ctx.suffix, runbookUrl: args.runbookUrl });
  if (problems.length > 0) throw new Error(`invalid alarm specs:\n${problems.join("\n")}`);

  const topics: Record<Route, pulumi.Input<string>> = { ticket: args.ticketTopicArn, notice: args.noticeTopicArn };
  const targets: Record<AlarmTarget, pulumi.Input<string>> = {
    "jira-function": args.jiraFunctionName,
    "jira-failure-queue": args.failureQueueName,
    "jira-redrive-queue": args.redriveQueueName,
  };
  const filterMetrics = { errors: args.errorMetric, "critical-errors": args.criticalMetric };

  const metricInputs = (spec: AlarmSpec): Partial<aws.cloudwatch.MetricAlarmArgs> => {
    const metric = spec.metric;
    if (metric.kind === "log-filter") {
      const ref = filterMetrics[metric.filter];
      return { namespace: ref.namespace, metricName: ref.name, statistic: spec.statistic, period: spec.periodSeconds };
    }
    return {
      metricQueries: pulumi.output(targets[metric.target]).apply((value) => fillZeroQueries(metric, spec.statistic, spec.periodSeconds, value)),
    };
  };

  const entries = ALARM_SPECS.map((spec): [AlarmId, aws.cloudwatch.MetricAlarm] => [
    spec.id,
    new aws.cloudwatch.MetricAlarm(
      `${name}-${spec.id}`,
      {
        name: alarmName(ctx.suffix, spec.id),
        alarmDescription: alarmDescription(spec, args.runbookUrl),
        ...metricInputs(spec),
        comparisonOperator: spec.comparison,
        threshold: thresholdValue(spec.threshold),
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm,
        treatMissingData: TREAT_MISSING_DATA,
        alarmActions: [topics[spec.route]],
        okActions: [topics[spec.route]],
        tags: { ...ctx.tags, severity: spec.severity },
      },
      { ...opts },
    ),
  ]);
  const alarms = Object.fromEntries(entries) as Record<AlarmId, aws.cloudwatch.MetricAlarm>;

  const childSpecs = ALARM_SPECS.filter((spec) => spec.compositeChild);
  const children = childSpecs.map((spec) => alarms[spec.id]);
  // The rule is built from the children's name outputs (an implicit edge); dependsOn makes the order explicit too,
  // because a composite whose children do not exist yet is rejected (PEERS C4).
  const composite = new aws.cloudwatch.CompositeAlarm(
    `${name}-${COMPOSITE_ALARM.id}`,
    {
      alarmName: alarmName(ctx.suffix, COMPOSITE_ALARM.id),
      alarmDescription: compositeAlarmDescription(
        childSpecs.map((spec) => spec.title),
        args.runbookUrl,
      ),
      alarmRule: pulumi.all(children.map((alarm) => alarm.name)).apply((names) => compositeAlarmRule(names, "ANY")),
      alarmActions: [topics.ticket],
      okActions: [topics.ticket],
      tags: ctx.tags,
    },
    withDependsOn(opts, children),
  );

  const metricAlarms = Object.values<aws.cloudwatch.MetricAlarm>(alarms);
  return {
    alarms,
    composite,
    alarmNames: [...metricAlarms.map((alarm) => alarm.name), composite.alarmName],
    alarmArns: [...metricAlarms.map((alarm) => alarm.arn), composite.arn],
  };
}
