/**
 * Proves the dashboard body we send (exact for 3 accounts, within CloudWatch's documented limits for 500) and the
 * resource around it. Not that the console renders member-account lines: that needs the OAM links.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  DASHBOARD_LIMITS,
  createDashboard,
  dashboardBody,
  dashboardProblems,
  dashboardUrl,
  type Dashboard,
  type AlarmWidget,
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
const header = {
  type: "text",
  x: 0,
  y: 0,
  width: 24,
  height: 2,
  properties: {
    markdown:
      "# Monitoring hub\nManaged by Pulumi (monitoring-hub): changes made in the console are overwritten by the next deployment. " +
      "Member-account lines need CloudWatch cross-account observability (an OAM link in each member account).",
  },
};
const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));
const metricWidgets = (body: DashboardBody) => body.widgets.filter((w): w is MetricWidget => w.type === "metric");

describe("dashboardBody", () => {
  it("builds the exact body for three member accounts, sorted, one line per account", () => {
    const body = dashboardBody({ region: "us-east-1", memberAccountIds: ["666677778888", "444455556666", "555566667777"], metrics: [errors], alarmArns });

    expect(body).toEqual({
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
    });
  });

  it("gives the same body for the same accounts in any order", () => {
    const input = { region: "us-east-1", metrics: [errors], alarmArns };

    expect(dashboardBody({ ...input, memberAccountIds: accounts(250).reverse() })).toEqual(dashboardBody({ ...input, memberAccountIds: accounts(250) }));
  });

  it("keeps 500 accounts within every CloudWatch limit, in 7 widgets", () => {
    const manyAlarms = Array.from({ length: 7 }, (_, i) => alarmArn(`a${i}`));
    const body = dashboardBody({ region: "us-east-1", memberAccountIds: accounts(500), metrics: [errors], alarmArns: manyAlarms });
    const graphs = metricWidgets(body);
    const bytes = Buffer.byteLength(JSON.stringify(body), "utf8");

    expect(body.widgets).toHaveLength(7);
    expect(body.widgets.length).toBeLessThanOrEqual(DASHBOARD_LIMITS.widgets);
    expect(graphs.map((g) => g.properties.metrics.length)).toEqual([100, 100, 100, 100, 100]);
    expect(graphs.flatMap((g) => g.properties.metrics.map((row) => row[2].accountId))).toEqual(accounts(500));
    expect(graphs.map((g) => g.properties.title)).toEqual([
      "Application errors by member account (accounts 1-100 of 500)",
      "Application errors by member account (accounts 101-200 of 500)",
      "Application errors by member account (accounts 201-300 of 500)",
      "Application errors by member account (accounts 301-400 of 500)",
      "Application errors by member account (accounts 401-500 of 500)",
    ]);
    expect(graphs.map((g) => [g.x, g.y])).toEqual([
      [0, 2],
      [12, 2],
      [0, 8],
      [12, 8],
      [0, 14],
    ]);
    expect(body.widgets[6]).toMatchObject({ type: "alarm", x: 0, y: 20, properties: { alarms: manyAlarms } });
    // PutDashboard documents no size limit for the body: pinning the size makes any growth a visible change.
    expect(bytes).toBe(66_220);
  });

  it("grows by one graph per metric per 100 accounts, not per account", () => {
    const widgetCount = (n: number) => dashboardBody({ region: "us-east-1", memberAccountIds: accounts(n), metrics: [errors, { ...errors, metricName: "ApplicationCriticalErrors" }], alarmArns }).widgets.length;

    expect([3, 100, 101, 200, 500].map(widgetCount)).toEqual([4, 4, 6, 6, 12]);
  });

  it("splits more than 100 alarms over several alarm widgets", () => {
    const many = Array.from({ length: 101 }, (_, i) => alarmArn(`a${i}`));
    const alarmWidgets = dashboardBody({ region: "us-east-1", memberAccountIds: accounts(3), metrics: [errors], alarmArns: many }).widgets.filter(
      (w): w is AlarmWidget => w.type === "alarm",
    );

    expect(alarmWidgets.map((w) => [w.y, w.properties.title, w.properties.alarms.length])).toEqual([
      [8, "Hub alarms (1 of 2)", 100],
      [14, "Hub alarms (2 of 2)", 1],
    ]);
  });

  it("leaves the alarm widget out when there are no alarms", () => {
    expect(dashboardBody({ region: "us-east-1", memberAccountIds: accounts(3), metrics: [errors], alarmArns: [] }).widgets.map((w) => w.type)).toEqual(["text", "metric"]);
  });

  it("throws with every problem when the body would break a limit", () => {
    const metrics = Array.from({ length: 6 }, (_, i) => ({ ...errors, metricName: `M${i}` }));

    expect(() => dashboardBody({ region: "us-east-1", memberAccountIds: accounts(500), metrics, alarmArns })).toThrow(
      "invalid dashboard:\n3000 metrics (6 per account x 500 accounts) exceed 2500 per dashboard",
    );
  });
});

describe("dashboardProblems", () => {
  it("is empty for a valid shape", () => {
    expect(dashboardProblems({ memberAccountIds: accounts(500), metricCount: 5, alarmCount: 100 })).toEqual([]);
  });

  it("names malformed and repeated account ids", () => {
    expect(dashboardProblems({ memberAccountIds: ["12345", "444455556666", "444455556666", "x"], metricCount: 1, alarmCount: 1 })).toEqual([
      "member account ids must be 12 digits: 12345, x",
      "member account ids repeat: 444455556666",
    ]);
  });

  it("counts widgets: header, one graph per metric per 100 accounts, one per 100 alarms", () => {
    expect(dashboardProblems({ memberAccountIds: accounts(1), metricCount: 498, alarmCount: 100 })).toEqual([]);
    expect(dashboardProblems({ memberAccountIds: accounts(1), metricCount: 498, alarmCount: 101 })).toEqual(["501 widgets exceed 500 per dashboard"]);
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
  let ctx: StackContext;
  const memberAccountIds = ["444455556666", "555566667777", "666677778888"];
  const dashboards = () => monitor.ofType("aws:cloudwatch/dashboard:Dashboard");

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
        return { parent, dashboard };
      },
      TEST_STACK,
    );
    monitor = recorded.monitor;
    result = recorded.result.dashboard;
    parentUrn = await valueOf(recorded.result.parent.urn);
  });

  it("creates one dashboard under the parent, named with the suffix, whose body is the pure builder's", () => {
    expect(dashboards()).toHaveLength(1);
    expect(dashboards()[0].parent).toBe(parentUrn);
    expect(dashboards()[0].inputs.dashboardName).toBe("monitoring-hub-dashboard-test");
    expect(JSON.parse(dashboards()[0].inputs.dashboardBody as string)).toEqual(
      dashboardBody({ region: "us-east-1", memberAccountIds, metrics: [errors], alarmArns }),
    );
    expect(result.dashboardName).toBe("monitoring-hub-dashboard-test");
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
