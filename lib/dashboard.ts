import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName, type StackContext } from "./naming";

/**
 * CloudWatch dashboard limits, from the AWS documentation:
 * - widgets: "an array of between 0 and 500 widget objects" (Dashboard Body Structure and Syntax, Overall Structure).
 * - metricsPerDashboard: "Up to 2500 metrics per dashboard, across all widgets", math inputs included (CloudWatch
 *   service quotas, Dashboards).
 * - metricsPerWidget: the current pages allow 500 per widget (body structure: "0-500 metrics and expressions";
 *   quotas: "Up to 500 metrics per dashboard widget"), earlier revisions and GetMetricWidgetImage allowed 100.
 *   We cap at 100: valid under either revision, and a graph of more lines cannot be read anyway.
 * - alarmsPerAlarmWidget: an alarm status widget's `alarms` "can have 1-100 ARNs" (body structure, alarm widget).
 * PutDashboard documents no maximum size for DashboardBody; the body grows linearly with the member accounts
 * (tests/lib/dashboard.test.ts measures it at 500 accounts).
 */
export const DASHBOARD_LIMITS = {
  widgets: 500,
  metricsPerDashboard: 2500,
  metricsPerWidget: 100,
  alarmsPerAlarmWidget: 100,
} as const;

/** A metric every member account publishes, shown as one line per account. */
export interface DashboardMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly stat: string;
  readonly title: string;
}

/** Per-line rendering options that point a dashboard line at a member account (FACT 43). */
export interface MetricRenderOptions {
  readonly accountId: string;
  readonly region: string;
  readonly label: string;
}

export type MetricRow = readonly [namespace: string, metricName: string, options: MetricRenderOptions];

interface Placement {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface TextWidget extends Placement {
  readonly type: "text";
  readonly properties: { readonly markdown: string };
}

export interface MetricWidget extends Placement {
  readonly type: "metric";
  readonly properties: {
    readonly title: string;
    readonly view: "timeSeries";
    readonly stacked: false;
    readonly region: string;
    readonly stat: string;
    readonly period: number;
    readonly metrics: readonly MetricRow[];
  };
}

export interface AlarmWidget extends Placement {
  readonly type: "alarm";
  readonly properties: {
    readonly title: string;
    readonly alarms: readonly string[];
    readonly sortBy: "stateUpdatedTimestamp";
  };
}

export type DashboardWidget = TextWidget | MetricWidget | AlarmWidget;

export interface DashboardBody {
  readonly start: string;
  readonly periodOverride: "inherit";
  readonly widgets: readonly DashboardWidget[];
}

export interface DashboardBodyInput {
  /** Region of the hub and of the member accounts' metrics. */
  readonly region: string;
  readonly memberAccountIds: readonly string[];
  readonly metrics: readonly DashboardMetric[];
  /** The hub's own alarms, shown in alarm status widgets. */
  readonly alarmArns: readonly string[];
}

export interface DashboardArgs {
  readonly ctx: StackContext;
  readonly memberAccountIds: readonly string[];
  /** Namespace of the application metrics (lib/log-metrics.ts). */
  readonly namespace: string;
  readonly errorMetricName: string;
  readonly alarmArns: pulumi.Input<string>[];
}

export interface Dashboard {
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly dashboardName: string;
  /** Console link to the dashboard. */
  readonly url: pulumi.Output<string>;
}

const PERIOD_SECONDS = 300;
const HEADER_HEIGHT = 2;
const GRAPH = { width: 12, height: 6, perRow: 2 } as const;
const ALARM_WIDGET = { width: 24, height: 6 } as const;
const HEADER_MARKDOWN =
  "# Monitoring hub\n" +
  "Managed by Pulumi (monitoring-hub): changes made in the console are overwritten by the next deployment. " +
  "Member-account lines need CloudWatch cross-account observability (an OAM link in each member account).";

/**
 * Creates the hub dashboard: the application error count of every member account and the status of the hub's alarms.
 * The body is checked against CloudWatch's limits before anything registers, so a too-large account list fails the
 * preview, not the deployment.
 */
export function createDashboard(name: string, args: DashboardArgs, opts: pulumi.CustomResourceOptions): Dashboard {
  const { ctx } = args;
  const metrics: DashboardMetric[] = [
    { namespace: args.namespace, metricName: args.errorMetricName, stat: "Sum", title: "Application errors by member account" },
  ];
  const problems = dashboardProblems({ memberAccountIds: args.memberAccountIds, metricCount: metrics.length, alarmCount: args.alarmArns.length });
  if (problems.length > 0) throw new Error(`invalid dashboard:\n${problems.join("\n")}`);

  const dashboardName = physicalName(ctx.suffix, "dashboard");
  const dashboard = new aws.cloudwatch.Dashboard(
    name,
    {
      dashboardName,
      dashboardBody: pulumi
        .all(args.alarmArns)
        .apply((alarmArns) => JSON.stringify(dashboardBody({ region: ctx.region, memberAccountIds: args.memberAccountIds, metrics, alarmArns }))),
    },
    { ...opts },
  );
  return { dashboard, dashboardName, url: dashboard.dashboardName.apply((n) => dashboardUrl(ctx.region, n)) };
}

/** The CloudWatch console link of a dashboard. */
export function dashboardUrl(region: string, dashboardName: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboardName}`;
}

/** Size of a dashboard before it is built, for {@link dashboardProblems}. */
export interface DashboardShape {
  readonly memberAccountIds: readonly string[];
  readonly metricCount: number;
  readonly alarmCount: number;
}

/**
 * Everything that would make the body invalid: malformed or repeated account ids and every exceeded limit.
 * The widget count is 1 header + one graph per metric per 100 accounts + one alarm widget per 100 alarms, so it
 * grows by one graph per metric for each further 100 accounts, not by one per account.
 */
export function dashboardProblems(shape: DashboardShape): string[] {
  const problems: string[] = [];
  const ids = shape.memberAccountIds;
  const malformed = ids.filter((id) => !/^\d{12}$/.test(id));
  if (malformed.length > 0) problems.push(`member account ids must be 12 digits: ${malformed.join(", ")}`);
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (repeated.length > 0) problems.push(`member account ids repeat: ${[...new Set(repeated)].join(", ")}`);
  const metricRows = shape.metricCount * ids.length;
  if (metricRows > DASHBOARD_LIMITS.metricsPerDashboard) {
    const perDashboard = DASHBOARD_LIMITS.metricsPerDashboard;
    problems.push(`${metricRows} metrics (${shape.metricCount} per account x ${ids.length} accounts) exceed ${perDashboard} per dashboard`);
  }
  const graphs = shape.metricCount * chunkCount(ids.length, DASHBOARD_LIMITS.metricsPerWidget);
  const widgets = 1 + graphs + chunkCount(shape.alarmCount, DASHBOARD_LIMITS.alarmsPerAlarmWidget);
  if (widgets > DASHBOARD_LIMITS.widgets) problems.push(`${widgets} widgets exceed ${DASHBOARD_LIMITS.widgets} per dashboard`);
  return problems;
}

/**
 * The dashboard body: a header, then for each metric one graph per block of at most 100 member accounts (accounts
 * sorted, one line per account carrying its `accountId`, `region` and `label`), then the hub's alarms in blocks of at
 * most 100. Deterministic: the same accounts in any order give the same body.
 */
export function dashboardBody(input: DashboardBodyInput): DashboardBody {
  const shape = { memberAccountIds: input.memberAccountIds, metricCount: input.metrics.length, alarmCount: input.alarmArns.length };
  const problems = dashboardProblems(shape);
  if (problems.length > 0) throw new Error(`invalid dashboard:\n${problems.join("\n")}`);

  const accounts = [...input.memberAccountIds].sort();
  const perWidget = DASHBOARD_LIMITS.metricsPerWidget;
  const accountBlocks = chunk(accounts, perWidget);
  const blockTitle = (title: string, b: number, size: number) =>
    accountBlocks.length === 1 ? title : `${title} (accounts ${b * perWidget + 1}-${b * perWidget + size} of ${accounts.length})`;
  const graphs = input.metrics.flatMap((metric) =>
    accountBlocks.map((block, b) => ({ title: blockTitle(metric.title, b, block.length), metric, block })),
  );
  const graphWidgets: MetricWidget[] = graphs.map((graph, i) => ({
    type: "metric",
    x: (i % GRAPH.perRow) * GRAPH.width,
    y: HEADER_HEIGHT + Math.floor(i / GRAPH.perRow) * GRAPH.height,
    width: GRAPH.width,
    height: GRAPH.height,
    properties: {
      title: graph.title,
      view: "timeSeries",
      stacked: false,
      region: input.region,
      stat: graph.metric.stat,
      period: PERIOD_SECONDS,
      metrics: graph.block.map(
        (accountId): MetricRow => [graph.metric.namespace, graph.metric.metricName, { accountId, region: input.region, label: accountId }],
      ),
    },
  }));

  const alarmsTop = HEADER_HEIGHT + Math.ceil(graphs.length / GRAPH.perRow) * GRAPH.height;
  const alarmBlocks = chunk(input.alarmArns, DASHBOARD_LIMITS.alarmsPerAlarmWidget);
  const alarmWidgets: AlarmWidget[] = alarmBlocks.map((block, b) => ({
    type: "alarm",
    x: 0,
    y: alarmsTop + b * ALARM_WIDGET.height,
    width: ALARM_WIDGET.width,
    height: ALARM_WIDGET.height,
    properties: {
      title: alarmBlocks.length === 1 ? "Hub alarms" : `Hub alarms (${b + 1} of ${alarmBlocks.length})`,
      alarms: block,
      sortBy: "stateUpdatedTimestamp",
    },
  }));

  const header: TextWidget = { type: "text", x: 0, y: 0, width: 24, height: HEADER_HEIGHT, properties: { markdown: HEADER_MARKDOWN } };
  return { start: "-PT6H", periodOverride: "inherit", widgets: [header, ...graphWidgets, ...alarmWidgets] };
}

function chunkCount(items: number, size: number): number {
  return Math.ceil(items / size);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: chunkCount(items.length, size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}
