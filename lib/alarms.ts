import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  ALARM_SPECS,
  COMPOSITE_ALARM,
  MEMBER_ALARM_SPECS,
  alarmDescription,
  alarmKey,
  alarmName,
  compositeAlarmDescription,
  compositeAlarmRule,
  fillZeroQueries,
  memberMetricQueries,
  thresholdValue,
  validateAlarmSpecs,
  type AlarmId,
  type AlarmSpec,
  type AlarmTarget,
  type MemberAlarmId,
  type Route,
} from "./alarm-specs";
import type { MetricRef } from "./log-metrics";
import type { StackContext } from "./naming";
import { withDependsOn } from "./resource-options";

export interface AlarmsArgs {
  readonly ctx: StackContext;
  /** Runbook base URL without a fragment; each alarm links `<runbookUrl>#<alarm id>`. */
  readonly runbookUrl: string;
  /** Topic the JIRA Lambda subscribes to: only the application-health composite and the member alarms publish here. */
  readonly ticketTopicArn: pulumi.Input<string>;
  /** Human email topic, which never reaches the JIRA Lambda: every metric alarm of the hub's own metrics publishes here. */
  readonly noticeTopicArn: pulumi.Input<string>;
  readonly errorMetric: MetricRef;
  readonly criticalMetric: MetricRef;
  readonly jiraFunctionName: pulumi.Input<string>;
  /** The reconciliation sweep's function (lib/reconcile.ts). */
  readonly reconcileFunctionName: pulumi.Input<string>;
  /** The JIRA Lambda's on-failure destination queue. */
  readonly failureQueueName: pulumi.Input<string>;
  /** The SNS subscription's redrive (dead-letter) queue. */
  readonly redriveQueueName: pulumi.Input<string>;
  /** The member accounts; with `memberAccountAlarms`, each gets one alarm per {@link MEMBER_ALARM_SPECS} entry. */
  readonly memberAccountIds: readonly string[];
  /**
   * Alarm in the hub on each member account's metrics, read through its OAM link. Off, no member alarm is created and
   * the hub's resource count does not depend on the number of member accounts.
   * @default false (lib/config.ts)
   */
  readonly memberAccountAlarms: boolean;
  /**
   * What must exist before an alarm can read a member's metric: the OAM sink policy that admits the links and the
   * StackSet instances that create them. PutMetricAlarm on a linked metric fails until the link exists (PEERS D6),
   * and on destroy the alarms go before the links they read through.
   */
  readonly memberMetricDependencies: readonly pulumi.Resource[];
}

/** One member account's alarm of one {@link MEMBER_ALARM_SPECS} entry. */
export interface MemberAlarm {
  readonly specId: MemberAlarmId;
  readonly accountId: string;
  readonly alarm: aws.cloudwatch.MetricAlarm;
}

export interface Alarms {
  readonly alarms: Record<AlarmId, aws.cloudwatch.MetricAlarm>;
  /** Empty unless `memberAccountAlarms`; by spec, then by account id (sorted). */
  readonly memberAlarms: readonly MemberAlarm[];
  /** `ANY` of the composite children; with the member alarms, the only alarms that raise tickets. */
  readonly composite: aws.cloudwatch.CompositeAlarm;
  /** Every alarm's name: the hub's metric alarms, the member alarms, the composite last. */
  readonly alarmNames: pulumi.Output<string>[];
  /** Every alarm's ARN in the order of `alarmNames` (for the dashboard's alarm status widgets). */
  readonly alarmArns: pulumi.Output<string>[];
  /**
   * The alarm names behind each id a maintenance window may name (lib/config.ts): one name for each hub metric alarm
   * and for the composite; for a member alarm spec, every member account's alarm (none without `memberAccountAlarms`).
   */
  readonly alarmNamesById: Readonly<Record<string, readonly pulumi.Output<string>[]>>;
}

/** Missing data breaches on every alarm; ALARM_SPECS says per alarm why that is right when the system is quiet. */
const TREAT_MISSING_DATA = "breaching";

/** One alarm to create: a spec, and for a member alarm the member account whose metric it reads. */
interface AlarmInstance {
  readonly spec: AlarmSpec;
  readonly accountId?: string;
}

/**
 * Creates one metric alarm per entry of {@link ALARM_SPECS}, with `memberAccountAlarms` one per member account and
 * entry of {@link MEMBER_ALARM_SPECS}, and the application-health composite over the composite children. Every alarm
 * sends ALARM and OK (and nothing else) to exactly one topic chosen by its route: the hub's metric alarms to the notice
 * topic, the composite and each member alarm to the ticket topic, so one incident makes one ticket and the ticketing
 * path never reports its own failure to itself. Throws, before registering anything, when a table is invalid.
 */
export function createAlarms(name: string, args: AlarmsArgs, opts: pulumi.CustomResourceOptions): Alarms {
  const { ctx } = args;
  const problems = validateAlarmSpecs([...ALARM_SPECS, ...MEMBER_ALARM_SPECS], { suffix: ctx.suffix, runbookUrl: args.runbookUrl });
  if (problems.length > 0) throw new Error(`invalid alarm specs:\n${problems.join("\n")}`);

  const topics: Record<Route, pulumi.Input<string>> = { ticket: args.ticketTopicArn, notice: args.noticeTopicArn };
  const targets: Record<AlarmTarget, pulumi.Input<string>> = {
    "jira-function": args.jiraFunctionName,
    "jira-failure-queue": args.failureQueueName,
    "jira-redrive-queue": args.redriveQueueName,
    "jira-reconcile-function": args.reconcileFunctionName,
  };
  const filterMetrics = { errors: args.errorMetric, "critical-errors": args.criticalMetric };

  const metricInputs = (spec: AlarmSpec, accountId: string | undefined): Partial<aws.cloudwatch.MetricAlarmArgs> => {
    const metric = spec.metric;
    switch (metric.kind) {
      case "log-filter": {
        const ref = filterMetrics[metric.filter];
        return { namespace: ref.namespace, metricName: ref.name, statistic: spec.statistic, period: spec.periodSeconds };
      }
      case "member-log-filter": {
        if (accountId === undefined) throw new Error(`${spec.id}: a member-log-filter alarm needs a member account`);
        const ref = filterMetrics[metric.filter];
        return { metricQueries: memberMetricQueries({ namespace: ref.namespace, metricName: ref.name }, spec.statistic, spec.periodSeconds, accountId) };
      }
      case "service":
        return {
          metricQueries: pulumi.output(targets[metric.target]).apply((value) => fillZeroQueries(metric, spec.statistic, spec.periodSeconds, value)),
        };
    }
  };

  const members = args.memberAccountAlarms ? [...new Set(args.memberAccountIds)].sort() : [];
  const instances: AlarmInstance[] = [
    ...ALARM_SPECS.map((spec) => ({ spec })),
    ...MEMBER_ALARM_SPECS.flatMap((spec) => members.map((accountId) => ({ spec, accountId }))),
  ];
  const created = instances.map((instance) => {
    const { spec, accountId } = instance;
    const key = alarmKey(spec.id, accountId);
    const alarm = new aws.cloudwatch.MetricAlarm(
      `${name}-${key}`,
      {
        name: alarmName(ctx.suffix, key),
        alarmDescription: alarmDescription(spec, args.runbookUrl, accountId),
        ...metricInputs(spec, accountId),
        comparisonOperator: spec.comparison,
        threshold: thresholdValue(spec.threshold),
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm,
        treatMissingData: TREAT_MISSING_DATA,
        alarmActions: [topics[spec.route]],
        okActions: [topics[spec.route]],
        tags: { ...ctx.tags, severity: spec.severity, ...(accountId === undefined ? {} : { "member-account": accountId }) },
      },
      accountId === undefined ? { ...opts } : withDependsOn(opts, args.memberMetricDependencies),
    );
    return { instance, alarm };
  });
  const alarms = Object.fromEntries(
    created.filter((c) => c.instance.accountId === undefined).map((c) => [c.instance.spec.id, c.alarm]),
  ) as Record<AlarmId, aws.cloudwatch.MetricAlarm>;
  const memberAlarms = created.flatMap((c): MemberAlarm[] =>
    c.instance.accountId === undefined ? [] : [{ specId: c.instance.spec.id as MemberAlarmId, accountId: c.instance.accountId, alarm: c.alarm }],
  );

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

  const metricAlarms = created.map((c) => c.alarm);
  const alarmNamesById: Record<string, pulumi.Output<string>[]> = {
    ...Object.fromEntries(ALARM_SPECS.map((spec) => [spec.id, [alarms[spec.id].name]])),
    ...Object.fromEntries(MEMBER_ALARM_SPECS.map((spec) => [spec.id, memberAlarms.filter((m) => m.specId === spec.id).map((m) => m.alarm.name)])),
    [COMPOSITE_ALARM.id]: [composite.alarmName],
  };
  return {
    alarms,
    memberAlarms,
    composite,
    alarmNames: [...metricAlarms.map((alarm) => alarm.name), composite.alarmName],
    alarmArns: [...metricAlarms.map((alarm) => alarm.arn), composite.arn],
    alarmNamesById,
  };
}
