import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { partitionOf, physicalName, type StackContext } from "./naming";

/**
 * CloudWatch dashboard limits, from the AWS documentation:
 * - widgets: "an array of between 0 and 500 widget objects" (Dashboard Body Structure and Syntax, Overall Structure).
 * - metricsPerDashboard: "Up to 2500 metrics per dashboard, across all widgets", math inputs included (CloudWatch
 *   service quotas, Dashboards).
 * - metricsPerWidget: the current pages allow 500 per widget (body structure: "0-500 metrics and expressions";
 *   quotas: "Up to 500 metrics per dashboard widget"), earlier revisions and GetMetricWidgetImage allowed 100.
 *   We cap at 100: valid under either revision, and a graph of more lines cannot be read anyway.
 * - alarmsPerAlarmWidget: an alarm status widget's `alarms` "can have 1-100 ARNs" (body structure, alarm widget).
 * - bodyBytes: ours, not AWS's. PutDashboard, the body structure page, the quotas page and the SDK model
 *   (@aws-sdk/client-cloudwatch `PutDashboardInput.DashboardBody`: a plain string) document no maximum body size.
 *   We hold every body under 256,000 bytes of UTF-8 JSON, over twice what 500 member accounts with their alarms need
 *   (tests/lib/dashboard.test.ts pins it), so an undocumented limit is unlikely to be met; beyond it the hub gets
 *   another dashboard instead of a bigger body.
 * A dashboard that would exceed any of these is split into pages (further dashboards), deterministically.
 */
export const DASHBOARD_LIMITS = {
  widgets: 500,
  metricsPerDashboard: 2500,
  metricsPerWidget: 100,
  alarmsPerAlarmWidget: 100,
  bodyBytes: 256_000,
} as const;

/** The limits a dashboard page is held to: {@link DASHBOARD_LIMITS}, or smaller ones in tests. */
export type DashboardLimits = { readonly [K in keyof typeof DASHBOARD_LIMITS]: number };

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
  /** The hub's alarms (member alarms included), shown in alarm status widgets 100 at a time. */
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
  /** The first page, which has the header every page repeats. */
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly dashboardName: string;
  /** Every page, the first one first: one unless a page would break {@link DASHBOARD_LIMITS}. */
  readonly dashboards: readonly aws.cloudwatch.Dashboard[];
  readonly dashboardNames: readonly string[];
  /** Console link to the first page. */
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
 * Creates the hub dashboard: the application error count of every member account and the status of the hub's alarms,
 * on as many pages (dashboards) as CloudWatch's limits require. Which widget lands on which page is decided from the
 * counts alone, before any ARN is known, so the number of dashboards never waits on an Output. Account ids are
 * checked before anything registers.
 */
export function createDashboard(name: string, args: DashboardArgs, opts: pulumi.CustomResourceOptions): Dashboard {
  const { ctx } = args;
  const metrics: DashboardMetric[] = [
    { namespace: args.namespace, metricName: args.errorMetricName, stat: "Sum", title: "Application errors by member account" },
  ];
  const pages = planDashboard({ region: ctx.region, memberAccountIds: args.memberAccountIds, metrics, alarmCount: args.alarmArns.length });

  const dashboards = pages.map((page, p) => {
    const shown = pageAlarmIndexes(page);
    return new aws.cloudwatch.Dashboard(
      p === 0 ? name : `${name}-${p + 1}`,
      {
        dashboardName: pageName(ctx.suffix, p),
        // Each page waits only for the alarms it shows.
        dashboardBody: pulumi.all(shown.map((i) => args.alarmArns[i])).apply((arns) => {
          const byIndex = new Map(shown.map((alarmIndex, k) => [alarmIndex, arns[k]]));
          return pageText(renderPage(page, (i) => byIndex.get(i) ?? "", ctx.region, p, pages.length), DASHBOARD_LIMITS);
        }),
      },
      { ...opts },
    );
  });
  const dashboardNames = pages.map((_, p) => pageName(ctx.suffix, p));
  return {
    dashboard: dashboards[0],
    dashboardName: dashboardNames[0],
    dashboards,
    dashboardNames,
    url: dashboards[0].dashboardName.apply((n) => dashboardUrl(ctx.region, n)),
  };
}

/** `monitoring-hub-dashboard-<suffix>` for the first page (its name never changes), `...-dashboard-<n>-<suffix>` after. */
export function pageName(suffix: string, pageIndex: number): string {
  return pageIndex === 0 ? physicalName(suffix, "dashboard") : physicalName(suffix, "dashboard", String(pageIndex + 1));
}

/** The CloudWatch console link of a dashboard. */
export function dashboardUrl(region: string, dashboardName: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboardName}`;
}

/** What {@link planDashboard} needs: everything but the alarm ARNs themselves. */
export interface DashboardShape {
  readonly region: string;
  readonly memberAccountIds: readonly string[];
  readonly metrics: readonly DashboardMetric[];
  readonly alarmCount: number;
}

/** A graph of one metric for one block of member accounts. */
export interface GraphPlan {
  readonly title: string;
  readonly metric: DashboardMetric;
  readonly accounts: readonly string[];
}

/** An alarm status widget showing the alarms `first` to `first + count - 1` of the alarm list. */
export interface AlarmWidgetPlan {
  readonly title: string;
  readonly first: number;
  readonly count: number;
}

/** What one dashboard shows: its graphs, then its alarm widgets. */
export interface PagePlan {
  readonly graphs: readonly GraphPlan[];
  readonly alarmWidgets: readonly AlarmWidgetPlan[];
}

/** Malformed or repeated account ids: nothing else can make a dashboard invalid, since pages absorb every size. */
export function dashboardProblems(memberAccountIds: readonly string[]): string[] {
  const problems: string[] = [];
  const malformed = memberAccountIds.filter((id) => !/^\d{12}$/.test(id));
  if (malformed.length > 0) problems.push(`member account ids must be 12 digits: ${malformed.join(", ")}`);
  const repeated = memberAccountIds.filter((id, i) => memberAccountIds.indexOf(id) !== i);
  if (repeated.length > 0) problems.push(`member account ids repeat: ${[...new Set(repeated)].join(", ")}`);
  return problems;
}

/**
 * Which widget goes on which page. The widgets, in order: for each metric one graph per block of at most 100 member
 * accounts (accounts sorted), then the alarms in blocks of at most 100. They fill pages in that order; a widget that
 * would break a limit of {@link DashboardLimits} (widgets, metrics or bytes) starts the next page. Bytes are measured
 * on the page rendered with the longest ARN an alarm can have (a 255-character name) and the longest page header, so
 * the real body is never larger. Deterministic: the same accounts in any order give the same pages.
 */
export function planDashboard(shape: DashboardShape, limits: DashboardLimits = DASHBOARD_LIMITS): PagePlan[] {
  const problems = dashboardProblems(shape.memberAccountIds);
  if (problems.length > 0) throw new Error(`invalid dashboard:\n${problems.join("\n")}`);

  const accounts = [...shape.memberAccountIds].sort();
  const perGraph = limits.metricsPerWidget;
  const accountBlocks = chunk(accounts, perGraph);
  const graphs = shape.metrics.flatMap((metric) =>
    accountBlocks.map(
      (block, b): GraphPlan => ({
        title: accountBlocks.length === 1 ? metric.title : `${metric.title} (accounts ${b * perGraph + 1}-${b * perGraph + block.length} of ${accounts.length})`,
        metric,
        accounts: block,
      }),
    ),
  );
  const perAlarmWidget = limits.alarmsPerAlarmWidget;
  const alarmBlocks = chunkCount(shape.alarmCount, perAlarmWidget);
  const alarmWidgets = Array.from(
    { length: alarmBlocks },
    (_, b): AlarmWidgetPlan => ({
      title: alarmBlocks === 1 ? "Hub alarms" : `Hub alarms (${b + 1} of ${alarmBlocks})`,
      first: b * perAlarmWidget,
      count: Math.min(perAlarmWidget, shape.alarmCount - b * perAlarmWidget),
    }),
  );

  const longestArn = `arn:${partitionOf(shape.region)}:cloudwatch:${shape.region}:000000000000:alarm:${"x".repeat(MAX_ALARM_NAME_LENGTH)}`;
  const fits = (page: PagePlan) => {
    const metrics = page.graphs.reduce((n, g) => n + g.accounts.length, 0);
    if (1 + page.graphs.length + page.alarmWidgets.length > limits.widgets || metrics > limits.metricsPerDashboard) return false;
    return bodyBytes(renderPage(page, () => longestArn, shape.region, LONGEST_PAGE_COUNT - 1, LONGEST_PAGE_COUNT)) <= limits.bodyBytes;
  };
  type Item = { readonly graph: GraphPlan } | { readonly alarms: AlarmWidgetPlan };
  const withItem = (page: PagePlan, item: Item): PagePlan =>
    "graph" in item ? { ...page, graphs: [...page.graphs, item.graph] } : { ...page, alarmWidgets: [...page.alarmWidgets, item.alarms] };
  const empty: PagePlan = { graphs: [], alarmWidgets: [] };
  const items: Item[] = [...graphs.map((graph) => ({ graph })), ...alarmWidgets.map((alarms) => ({ alarms }))];

  const pages: PagePlan[] = [];
  let current = empty;
  for (const item of items) {
    const next = withItem(current, item);
    if (fits(next)) {
      current = next;
      continue;
    }
    if (current !== empty) pages.push(current);
    current = withItem(empty, item);
    if (!fits(current)) {
      const title = "graph" in item ? item.graph.title : item.alarms.title;
      throw new Error(`invalid dashboard: the widget "${title}" alone breaks the dashboard limits`);
    }
  }
  pages.push(current);
  return pages;
}

/** The indexes (into the alarm list) of the alarms a page shows. */
export function pageAlarmIndexes(page: PagePlan): number[] {
  return page.alarmWidgets.flatMap((w) => Array.from({ length: w.count }, (_, k) => w.first + k));
}

/**
 * The body of one page: the header (which says which page it is when there are several), the graphs two per row (one
 * line per account carrying its `accountId`, `region` and `label`), then the alarm widgets full width.
 */
export function renderPage(page: PagePlan, alarmArn: (index: number) => string, region: string, pageIndex: number, pageCount: number): DashboardBody {
  const graphWidgets: MetricWidget[] = page.graphs.map((graph, i) => ({
    type: "metric",
    x: (i % GRAPH.perRow) * GRAPH.width,
    y: HEADER_HEIGHT + Math.floor(i / GRAPH.perRow) * GRAPH.height,
    width: GRAPH.width,
    height: GRAPH.height,
    properties: {
      title: graph.title,
      view: "timeSeries",
      stacked: false,
      region,
      stat: graph.metric.stat,
      period: PERIOD_SECONDS,
      metrics: graph.accounts.map(
        (accountId): MetricRow => [graph.metric.namespace, graph.metric.metricName, { accountId, region, label: accountId }],
      ),
    },
  }));

  const alarmsTop = HEADER_HEIGHT + Math.ceil(page.graphs.length / GRAPH.perRow) * GRAPH.height;
  const alarmWidgets: AlarmWidget[] = page.alarmWidgets.map((widget, b) => ({
    type: "alarm",
    x: 0,
    y: alarmsTop + b * ALARM_WIDGET.height,
    width: ALARM_WIDGET.width,
    height: ALARM_WIDGET.height,
    properties: {
      title: widget.title,
      alarms: Array.from({ length: widget.count }, (_, k) => alarmArn(widget.first + k)),
      sortBy: "stateUpdatedTimestamp",
    },
  }));

  const markdown = pageCount === 1 ? HEADER_MARKDOWN : `${HEADER_MARKDOWN}\n\nPage ${pageIndex + 1} of ${pageCount}.`;
  const header: TextWidget = { type: "text", x: 0, y: 0, width: 24, height: HEADER_HEIGHT, properties: { markdown } };
  return { start: "-PT6H", periodOverride: "inherit", widgets: [header, ...graphWidgets, ...alarmWidgets] };
}

/**
 * Every page of the dashboard for known ARNs: {@link planDashboard}, then {@link renderPage} per page. The pages
 * {@link createDashboard} creates are exactly these.
 */
export function dashboardPages(input: DashboardBodyInput, limits: DashboardLimits = DASHBOARD_LIMITS): DashboardBody[] {
  const pages = planDashboard({ region: input.region, memberAccountIds: input.memberAccountIds, metrics: input.metrics, alarmCount: input.alarmArns.length }, limits);
  return pages.map((page, p) => {
    const body = renderPage(page, (i) => input.alarmArns[i], input.region, p, pages.length);
    pageText(body, limits);
    return body;
  });
}

/** Size of a body as PutDashboard receives it: UTF-8 bytes of its JSON. */
export function bodyBytes(body: DashboardBody): number {
  return Buffer.byteLength(JSON.stringify(body), "utf8");
}

/** The JSON of a page; throws if it is over the byte limit, which the plan's longest-ARN estimate rules out. */
function pageText(body: DashboardBody, limits: DashboardLimits): string {
  const text = JSON.stringify(body);
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > limits.bodyBytes) throw new Error(`dashboard body is ${bytes} bytes, more than ${limits.bodyBytes}`);
  return text;
}

/** CloudWatch's limit on alarm names (PutMetricAlarm), the longest name an alarm ARN can carry. */
const MAX_ALARM_NAME_LENGTH = 255;
/** The page count the byte estimate assumes for the header: no hub has this many pages. */
const LONGEST_PAGE_COUNT = 9_999;

function chunkCount(items: number, size: number): number {
  return Math.ceil(items / size);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: chunkCount(items.length, size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}
