// Drives the handler from source with JIRA_API=datacenter against a Data Center (REST v2) emulator whose hand-written
// shape checks reject ADF bodies, REST v3 paths and Basic auth. Proves the v2 flavour of the lifecycle end to end; it
// does not prove a real Data Center's screens or workflows accept the same requests.
import { alarmEvent, alarmMessage, fixtureMessage, identityLabel } from "../support/events";
import { fakeDateOnly, useHarnesses } from "../support/lambda-harness";

const T0 = Date.parse("2025-01-15T10:30:12.436Z");
const at = (minutes: number) => T0 + minutes * 60_000;
const METRIC = fixtureMessage("sns-metric-alarm-ALARM.json");

const start = useHarnesses();

beforeAll(() => fakeDateOnly(T0));

afterAll(() => jest.useRealTimers());

describe("Data Center mode", () => {
  it("creates, comments on a repeat, then comments and resolves on OK over REST v2 with a Bearer token", async () => {
    const h = await start({ mode: "datacenter" });
    const deliver = async (minutes: number, state: "ALARM" | "OK") => {
      jest.setSystemTime(at(minutes) + 700);
      await h.invoke(alarmEvent(alarmMessage(METRIC, { state, oldState: state === "OK" ? "ALARM" : "OK", at: at(minutes) })));
    };

    await deliver(0, "ALARM");
    await deliver(20, "ALARM");
    await deliver(30, "OK");

    const [issue] = h.jira.issues();
    expect(h.jira.issues()).toHaveLength(1);
    expect(typeof issue.description).toBe("string");
    expect(issue.labels).toEqual(expect.arrayContaining(["cloudwatch-alarm", identityLabel(METRIC.AlarmArn)]));
    expect(issue).toMatchObject({ statusCategory: "done", resolution: "Done" });
    expect(h.jira.commentsOf(issue.key).map((c) => typeof c.body)).toEqual(["string", "string"]);
    expect(h.jira.requests.every((r) => r.path.startsWith("/rest/api/2/") && r.status < 400)).toBe(true);
    expect(h.jira.violations).toEqual([]);
  });

  it("finds the open ticket through POST /rest/api/2/search when the table record is lost", async () => {
    const h = await start({ mode: "datacenter" });
    jest.setSystemTime(at(0) + 700);
    await h.invoke(alarmEvent(alarmMessage(METRIC, { at: at(0) })));
    await h.aws.deleteRecord((await h.aws.records())[0].fingerprint as string);
    h.coldStart();

    jest.setSystemTime(at(20) + 700);
    await h.invoke(alarmEvent(alarmMessage(METRIC, { at: at(20) })));

    expect(h.jira.issues()).toHaveLength(1);
    expect(h.jira.counters.search).toBeGreaterThanOrEqual(1);
    expect(h.jira.violations).toEqual([]);
  });
});
