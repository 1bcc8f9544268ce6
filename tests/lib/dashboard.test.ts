/**
 * Proves the dashboard bodies we send (exact for 3 accounts, within CloudWatch's documented limits and our byte budget
 * for 500 accounts with one alarm each, split into pages deterministically beyond) and the resources around them. Not
 * that the console renders member-account lines: that needs the OAM links.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  DASHBOARD_LIMITS,
  bodyBytes,
  createDashboard,
  dashboardPages,
  dashboardProblems,
  dashboardUrl,
  pageName,
  planDashboard,
  type AlarmWidget,
  type Dashboard,
  type DashboardBody,
  type DashboardMetric,
  type MetricWidget,
} from "../../lib/dashboard";
import type { StackContext } from "../../lib/naming";
import { MOCK_HUB_ACCOUNT_ID, record, settle, valueOf, type RecordingMonitor } from "../../scripts/recorder";
import { TEST_STACK, testContext, testParent } from "../helpers/stack-context";

const errors: DashboardMetric = { namespace: "MonitoringHub/test/Application", metricName: "ApplicationErrors", stat: "Sum", title: "Application errors by member account" };
const alarmArn = (id: string) => `arn:aws:cloudwatch:us-east-1:${MOCK_HUB_ACCOUNT_ID}:alarm:monitoring-hub-alarm-${id}-test`;
const alarmArns = ["application-errors", "application-health"].map(alarmArn);
const HEADER_MARKDOWN =
  "# Monitoring hub\nManaged by Pulumi (monitoring-hub): changes made in the console are overwritten by the next deployment. " +
  "Member-account lines need CloudWatch cross-account observability (an OAM link in each member account).";
const header = { type: "text", x: 0, y: 0, width: 24, height: 2, properties: { markdown: HEADER_MARKDOWN } };
const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));
const metricWidgets = (body: DashboardBody) => body.widgets.filter((w): w is MetricWidget => w.type === "metric");
const alarmWidgets = (body: DashboardBody) => body.widgets.filter((w): w is AlarmWidget => w.type === "alarm");
const accountsShown = (bodies: readonly DashboardBody[]) => bodies.flatMap((b) => metricWidgets(b).flatMap((g) => g.properties.metrics.map((row) => row[2].accountId)));
const alarmsShown = (bodies: readonly DashboardBody[]) => bodies.flatMap((b) => alarmWidgets(b).flatMap((w) => w.properties.alarms));
const metricCount = (body: DashboardBody) => metricWidgets(body).reduce((n, g) => n + g.properties.metrics.length, 0);
/** The hub's alarms at 500 member accounts with memberAccountAlarms: 6 metric alarms, one per member, the composite. */
const hubAlarmArns = (members: readonly string[]) => [
  ...["application-errors", "application-critical-errors", "jira-lambda-errors", "jira-lambda-throttles", "jira-failure-queue-messages", "jira-redrive-queue-messages"].map(alarmArn),
  ...members.map((id) => alarmArn(`member-application-errors-${id}`)),
  alarmArn("application-health"),
];

describe("dashboardPages", () => {
  it("builds the exact body for three member accounts, sorted, one line per account, on one page", () => {
    const pages = dashboardPages({ region: "us-east-1", memberAccountIds: ["666677778888", "444455556666", "555566667777"], metrics: [errors], alarmArns });

    expect(pages).toEqual([
      {
        start: "-PT6H",
        periodOverride: "inherit",
        widgets: [
          header,
          {
            type: "metric",
            x: 0,
            y: 2,
            width: 12,
            height: 6,
            properties: {
              title: "Application errors by member account",
              view: "timeSeries",
              stacked: false,
              region: "us-east-1",
              stat: "Sum",
              period: 300,
              metrics: [
                ["MonitoringHub/test/Application", "ApplicationErrors", { accountId: "444455556666", region: "us-east-1", label: "444455556666" }],
                ["MonitoringHub/test/Application", "ApplicationErrors", { accountId: "555566667777", region: "us-east-1", label: "555566667777" }],
                ["MonitoringHub/test/Application", "ApplicationErrors", { accountId: "666677778888", region: "us-east-1", label: "666677778888" }],
              ],
            },
          },
          {
            type: "alarm",
            x: 0,
            y: 8,
            width: 24,
            height: 6,
            properties: { title: "Hub alarms", alarms: alarmArns, sortBy: "stateUpdatedTimestamp" },
          },
        ],
      },
    ]);
  });

  it("gives the same pages for the same accounts in any order", () => {
    const input = { region: "us-east-1", metrics: [errors], alarmArns };

    expect(dashboardPages({ ...input, memberAccountIds: accounts(3000).reverse() })).toEqual(dashboardPages({ ...input, memberAccountIds: accounts(3000) }));
  });

  it("keeps 500 accounts and their 507 alarms (one per member) on one page within every limit, in 12 widgets", () => {
    const members = accounts(500);
    const arns = hubAlarmArns(members);
    const pages = dashboardPages({ region: "us-east-1", memberAccountIds: members, metrics: [errors], alarmArns: arns });
    const [body] = pages;

    expect(pages).toHaveLength(1);
    expect(body.widgets).toHaveLength(12);
    expect(body.widgets.length).toBeLessThanOrEqual(DASHBOARD_LIMITS.widgets);
    expect(metricWidgets(body).map((g) => g.properties.metrics.length)).toEqual([100, 100, 100, 100, 100]);
    expect(metricCount(body)).toBeLessThanOrEqual(DASHBOARD_LIMITS.metricsPerDashboard);
    expect(accountsShown(pages)).toEqual(members);
    expect(alarmWidgets(body).map((w) => [w.properties.title, w.properties.alarms.length])).toEqual([
      ["Hub alarms (1 of 6)", 100],
      ["Hub alarms (2 of 6)", 100],
      ["Hub alarms (3 of 6)", 100],
      ["Hub alarms (4 of 6)", 100],
      ["Hub alarms (5 of 6)", 100],
      ["Hub alarms (6 of 6)", 7],
    ]);
    expect(alarmsShown(pages)).toEqual(arns);
    expect(metricWidgets(body).map((g) => g.properties.title)).toEqual([
      "Application errors by member account (accounts 1-100 of 500)",
      "Application errors by member account (accounts 101-200 of 500)",
      "Application errors by member account (accounts 201-300 of 500)",
      "Application errors by member account (accounts 301-400 of 500)",
      "Application errors by member account (accounts 401-500 of 500)",
    ]);
    expect(body.widgets.map((w) => [w.x, w.y])).toEqual([
      [0, 0],
      [0, 2],
      [12, 2],
      [0, 8],
      [12, 8],
      [0, 14],
      [0, 20],
      [0, 26],
      [0, 32],
      [0, 38],
      [0, 44],
      [0, 50],
    ]);
    // Pinned, so that growth is a visible change; the byte budget is ours (AWS documents none), about twice this.
    expect(bodyBytes(body)).toBe(BYTES_AT_500);
    expect(bodyBytes(body) * 2).toBeLessThan(DASHBOARD_LIMITS.bodyBytes);
  });

  it("grows by one graph per metric per 100 accounts, not per account", () => {
    const widgetCount = (n: number) =>
      dashboardPages({ region: "us-east-1", memberAccountIds: accounts(n), metrics: [errors, { ...errors, metricName: "ApplicationCriticalErrors" }], alarmArns })[0].widgets.length;

    expect([3, 100, 101, 200, 500].map(widgetCount)).toEqual([4, 4, 6, 6, 12]);
  });

  it("splits more than 100 alarms over several alarm widgets", () => {
    const many = Array.from({ length: 101 }, (_, i) => alarmArn(`a${i}`));
    const [body] = dashboardPages({ region: "us-east-1", memberAccountIds: accounts(3), metrics: [errors], alarmArns: many });

    expect(alarmWidgets(body).map((w) => [w.y, w.properties.title, w.properties.alarms.length])).toEqual([
      [8, "Hub alarms (1 of 2)", 100],
      [14, "Hub alarms (2 of 2)", 1],
    ]);
  });

  it("leaves the alarm widget out when there are no alarms", () => {
    expect(dashboardPages({ region: "us-east-1", memberAccountIds: accounts(3), metrics: [errors], alarmArns: [] })[0].widgets.map((w) => w.type)).toEqual(["text", "metric"]);
  });

  it("starts a second dashboard when the metrics would pass 2,500, and says which page each is", () => {
    const members = accounts(3000);
    const pages = dashboardPages({ region: "us-east-1", memberAccountIds: members, metrics: [errors], alarmArns }, { ...DASHBOARD_LIMITS, bodyBytes: 1_000_000 });

    expect(pages.map((p) => [metricWidgets(p).length, metricCount(p), alarmWidgets(p).length])).toEqual([
      [25, 2500, 0],
      [5, 500, 1],
    ]);
    expect(pages.map((p) => (p.widgets[0].properties as { markdown: string }).markdown)).toEqual([
      `${HEADER_MARKDOWN}\n\nPage 1 of 2.`,
      `${HEADER_MARKDOWN}\n\nPage 2 of 2.`,
    ]);
    expect(accountsShown(pages)).toEqual(members);
    expect(alarmsShown(pages)).toEqual(alarmArns);
    expect(metricWidgets(pages[1]).map((g) => [g.x, g.y])).toEqual([
      [0, 2],
      [12, 2],
      [0, 8],
      [12, 8],
      [0, 14],
    ]);
    expect(alarmWidgets(pages[1])[0]).toMatchObject({ x: 0, y: 20, properties: { title: "Hub alarms" } });
  });

  it("starts another page whenever the next widget would pass the byte budget, estimated with the longest alarm ARN", () => {
    const members = accounts(3000);
    const arns = hubAlarmArns(members);
    const pages = dashboardPages({ region: "us-east-1", memberAccountIds: members, metrics: [errors], alarmArns: arns });

    // A graph of 100 accounts is about 12 KB; an alarm widget is planned as 100 ARNs with 255-character names (31 KB).
    expect(pages.map((p) => [metricWidgets(p).length, alarmWidgets(p).length])).toEqual([
      [19, 0],
      [11, 3],
      [0, 8],
      [0, 8],
      [0, 8],
      [0, 4],
    ]);
    for (const p of pages) expect(bodyBytes(p)).toBeLessThanOrEqual(DASHBOARD_LIMITS.bodyBytes);
    expect(accountsShown(pages)).toEqual(members);
    expect(alarmsShown(pages)).toEqual(arns);
  });

  it("holds every page to a smaller byte budget too", () => {
    const members = accounts(500);
    const arns = hubAlarmArns(members);
    const pages = dashboardPages({ region: "us-east-1", memberAccountIds: members, metrics: [errors], alarmArns: arns }, { ...DASHBOARD_LIMITS, bodyBytes: 40_000 });

    expect(pages.map((p) => [metricWidgets(p).length, alarmWidgets(p).length])).toEqual([
      [3, 0],
      [2, 0],
      [0, 1],
      [0, 1],
      [0, 1],
      [0, 1],
      [0, 2],
    ]);
    for (const p of pages) expect(bodyBytes(p)).toBeLessThanOrEqual(40_000);
    expect(accountsShown(pages)).toEqual(members);
    expect(alarmsShown(pages)).toEqual(arns);
  });

  it("starts another page at the widget limit", () => {
    const pages = dashboardPages({ region: "us-east-1", memberAccountIds: accounts(500), metrics: [errors], alarmArns }, { ...DASHBOARD_LIMITS, widgets: 3 });

    expect(pages.map((p) => p.widgets.map((w) => w.type).join(","))).toEqual(["text,metric,metric", "text,metric,metric", "text,metric,alarm"]);
  });

  it("throws when a single widget cannot fit on a page of its own (two alarms with 255-character names in 1,000 bytes)", () => {
    expect(() => dashboardPages({ region: "us-east-1", memberAccountIds: accounts(3), metrics: [errors], alarmArns }, { ...DASHBOARD_LIMITS, bodyBytes: 1_000 })).toThrow(
      'invalid dashboard: the widget "Hub alarms" alone breaks the dashboard limits',
    );
  });

  it("throws, naming them, for malformed or repeated account ids", () => {
    expect(() => dashboardPages({ region: "us-east-1", memberAccountIds: ["1234", "444455556666", "444455556666"], metrics: [errors], alarmArns })).toThrow(
      "invalid dashboard:\nmember account ids must be 12 digits: 1234\nmember account ids repeat: 444455556666",
    );
  });
});

describe("planDashboard", () => {
  it("plans the pages from the counts alone, the same pages the ARNs are rendered into", () => {
    const members = accounts(3000);
    const plan = planDashboard({ region: "us-east-1", memberAccountIds: members, metrics: [errors], alarmCount: 3007 });

    expect(plan.map((p) => [p.graphs.length, p.alarmWidgets.map((w) => [w.first, w.count])])).toEqual([
      [19, []],
      [11, [[0, 100], [100, 100], [200, 100]]],
      [0, Array.from({ length: 8 }, (_, k) => [300 + k * 100, 100])],
      [0, Array.from({ length: 8 }, (_, k) => [1100 + k * 100, 100])],
      [0, Array.from({ length: 8 }, (_, k) => [1900 + k * 100, 100])],
      [0, [[2700, 100], [2800, 100], [2900, 100], [3000, 7]]],
    ]);
  });
});

describe("dashboardProblems", () => {
  it("is empty for valid ids", () => {
    expect(dashboardProblems(accounts(500))).toEqual([]);
  });

  it("names malformed and repeated account ids", () => {
    expect(dashboardProblems(["12345", "444455556666", "444455556666", "x"])).toEqual([
      "member account ids must be 12 digits: 12345, x",
      "member account ids repeat: 444455556666",
    ]);
  });
});

describe("pageName", () => {
  it("keeps the first page's name and numbers the others from 2", () => {
    expect([0, 1, 2].map((p) => pageName("prod", p))).toEqual(["monitoring-hub-dashboard-prod", "monitoring-hub-dashboard-2-prod", "monitoring-hub-dashboard-3-prod"]);
  });
});

describe("dashboardUrl", () => {
  it("links the console of the hub's region", () => {
    expect(dashboardUrl("eu-west-1", "monitoring-hub-dashboard-prod")).toBe(
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/monitoring-hub-dashboard-prod",
    );
  });
});

describe("createDashboard", () => {
  let monitor: RecordingMonitor;
  let parentUrn: string;
  let result: Dashboard;
  let big: Dashboard;
  let ctx: StackContext;
  const memberAccountIds = ["444455556666", "555566667777", "666677778888"];
  const bigMembers = accounts(3000);
  const bigArns = hubAlarmArns(bigMembers);
  const dashboards = () => monitor.ofType("aws:cloudwatch/dashboard:Dashboard");
  const named = (prefix: string) => dashboards().filter((d) => d.name === prefix || d.name.startsWith(`${prefix}-`));

  beforeAll(async () => {
    const recorded = await record(
      () => {
        ctx = testContext({ tags: {} });
        const parent = testParent();
        const dashboard = createDashboard(
          "hub-dashboard",
          { ctx, memberAccountIds, namespace: errors.namespace, errorMetricName: errors.metricName, alarmArns: [pulumi.output(alarmArns[0]), alarmArns[1]] },
          { parent },
        );
        // Two alarm stand-ins whose ARNs are resource outputs: the page that shows them must depend on them.
        const standIns = ["first", "last"].map((n) => new aws.sns.Topic(`alarm-${n}`, { name: `alarm-${n}` }, { parent }));
        const large = createDashboard(
          "big-dashboard",
          {
            ctx: testContext({ suffix: "big", tags: {} }),
            memberAccountIds: bigMembers,
            namespace: errors.namespace,
            errorMetricName: errors.metricName,
            alarmArns: [standIns[0].arn, ...bigArns.slice(1, -1), standIns[1].arn],
          },
          { parent },
        );
        return { parent, dashboard, large };
      },
      TEST_STACK,
    );
    monitor = recorded.monitor;
    result = recorded.result.dashboard;
    big = recorded.result.large;
    parentUrn = await valueOf(recorded.result.parent.urn);
  });

  it("creates one dashboard under the parent, named with the suffix, whose body is the pure builder's", () => {
    expect(named("hub-dashboard")).toHaveLength(1);
    expect(named("hub-dashboard")[0].parent).toBe(parentUrn);
    expect(named("hub-dashboard")[0].inputs.dashboardName).toBe("monitoring-hub-dashboard-test");
    expect([JSON.parse(named("hub-dashboard")[0].inputs.dashboardBody as string)]).toEqual(
      dashboardPages({ region: "us-east-1", memberAccountIds, metrics: [errors], alarmArns }),
    );
    expect([result.dashboardName, result.dashboardNames, result.dashboards.length]).toEqual(["monitoring-hub-dashboard-test", ["monitoring-hub-dashboard-test"], 1]);
  });

  it("creates one dashboard per page when the limits need several, each the pure builder's page", async () => {
    const stand = (n: string) => `arn:aws:sns:us-east-1:${MOCK_HUB_ACCOUNT_ID}:alarm-${n}`;
    const expected = dashboardPages({ region: "us-east-1", memberAccountIds: bigMembers, metrics: [errors], alarmArns: [stand("first"), ...bigArns.slice(1, -1), stand("last")] });

    const pages = [...named("big-dashboard")].sort((a, b) => a.name.length - b.name.length || a.name.localeCompare(b.name));

    expect(pages.map((d) => [d.name, d.inputs.dashboardName])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => (n === 1 ? ["big-dashboard", "monitoring-hub-dashboard-big"] : [`big-dashboard-${n}`, `monitoring-hub-dashboard-${n}-big`])),
    );
    expect(pages.map((d) => JSON.parse(d.inputs.dashboardBody as string))).toEqual(expected);
    expect(big.dashboardNames).toEqual(pages.map((d) => d.inputs.dashboardName));
    expect(await valueOf(big.url)).toBe(dashboardUrl("us-east-1", "monitoring-hub-dashboard-big"));
  });

  it("makes each page wait only for the alarms it shows", () => {
    const dependencies = big.dashboardNames.map((n) => dashboards().find((d) => d.inputs.dashboardName === n)!.dependencies);

    expect(dependencies).toEqual([[], [monitor.named("alarm-first").urn], [], [], [], [monitor.named("alarm-last").urn]]);
  });

  it("returns the console URL", async () => {
    expect(await valueOf(result.url)).toBe(
      "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/monitoring-hub-dashboard-test",
    );
  });

  it("throws before registering anything when an account id is malformed", async () => {
    const before = monitor.recorded.size;

    expect(() =>
      createDashboard("bad", { ctx, memberAccountIds: ["1234"], namespace: errors.namespace, errorMetricName: errors.metricName, alarmArns }, {}),
    ).toThrow("invalid dashboard:\nmember account ids must be 12 digits: 1234");
    await settle();
    expect(monitor.recorded.size).toBe(before);
  });
});

/** The body at 500 member accounts with member alarms, in bytes (pinned above). */
const BYTES_AT_500 = 124_576;
