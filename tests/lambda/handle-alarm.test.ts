import { DeleteItemCommand, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { LIFECYCLE_DEFAULTS, type LifecycleSettings } from "../../lambda_functions/jira-handler/config";
import { AlarmHandlingError, JiraNotFoundError, JiraUnavailableError, TicketBusyError } from "../../lambda_functions/jira-handler/errors";
import { handleAlarm, RecentIssues, type HandleDeps, type JiraPort } from "../../lambda_functions/jira-handler/handle-alarm";
import type { IssueState, Transition } from "../../lambda_functions/jira-handler/jira-client";
import type { AlarmState } from "../../lambda_functions/jira-handler/notification";
import type { RichText } from "../../lambda_functions/jira-handler/ticket-text";
import { TicketStore } from "../../lambda_functions/jira-handler/ticket-store";
import { alarm, metricAlarm, recordingLog, startDynamo } from "./test-helpers";

// Orchestration against the real TicketStore on dynalite and an in-memory JIRA; the HTTP side is jira-client.test.ts.
const TABLE = "monitoring-hub-jira-tickets-test";
const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 15, 10, 0, 0);

interface FakeIssue {
  open: boolean;
  resolution?: string;
  resolvedAt?: number;
  labels: readonly string[];
  summary: string;
  description: string;
  comments: string[];
}

const textOf = (doc: RichText) => doc.flatMap((b) => (b.type === "paragraph" ? b.spans : b.items.flat())).map((s) => s.text).join("");

/** JIRA in memory: records every call; a person's actions are direct edits of `issues`. */
class FakeJira implements JiraPort {
  readonly issues = new Map<string, FakeIssue>();
  readonly calls: string[] = [];
  createDelayMs = 0;
  failCreate: Error | undefined;
  /** Search misses every issue not named in reconcileIssues, as JIRA Cloud's index does right after a create. */
  searchLags = false;
  #next = 0;

  constructor(private readonly clock: () => number) {}

  async getIssue(key: string): Promise<IssueState> {
    this.calls.push(`getIssue ${key}`);
    const issue = this.issues.get(key);
    if (issue === undefined) throw new JiraNotFoundError(`JIRA answered 404 to getIssue (${key}).`, 404, []);
    return { key, statusCategory: issue.open ? "new" : "done", open: issue.open, resolution: issue.resolution, resolvedAt: issue.resolvedAt };
  }

  async findOpenTicket(fingerprint: string, reconcileIds: readonly string[] = []): Promise<IssueState | undefined> {
    this.calls.push(reconcileIds.length === 0 ? "search" : `search reconciling ${reconcileIds.join(",")}`);
    const visible = (key: string) => !this.searchLags || reconcileIds.includes(key.replace("OPS-", ""));
    const hit = [...this.issues.entries()].find(([key, i]) => i.open && i.labels.includes(`alarm-${fingerprint}`) && visible(key));
    return hit === undefined ? undefined : { key: hit[0], statusCategory: "new", open: true };
  }

  async createIssue(input: { summary: string; description: RichText; labels: readonly string[] }): Promise<{ id: string; key: string }> {
    this.calls.push("create");
    if (this.failCreate !== undefined) throw this.failCreate;
    await new Promise((resolve) => setTimeout(resolve, this.createDelayMs));
    this.#next += 1;
    const key = `OPS-${this.#next}`;
    this.issues.set(key, { open: true, labels: input.labels, summary: input.summary, description: textOf(input.description), comments: [] });
    return { id: String(this.#next), key };
  }

  async addComment(key: string, body: RichText): Promise<void> {
    this.calls.push(`comment ${key}`);
    const issue = this.issues.get(key);
    if (issue === undefined || !issue.open) throw new Error(`test: comment into ${issue === undefined ? "a missing" : "a closed"} ticket ${key}`);
    issue.comments.push(textOf(body));
  }

  async resolve(key: string): Promise<Transition> {
    this.calls.push(`resolve ${key}`);
    Object.assign(this.issues.get(key) ?? {}, { open: false, resolution: "Done", resolvedAt: this.clock() });
    return { id: "31", name: "Resolve as fixed", toCategory: "done" };
  }

  async reopen(key: string): Promise<Transition> {
    this.calls.push(`reopen ${key}`);
    Object.assign(this.issues.get(key) ?? {}, { open: true, resolution: undefined, resolvedAt: undefined });
    return { id: "41", name: "Reopen", toCategory: "new" };
  }

  closeByHand(key: string, resolution: string, at: number): void {
    Object.assign(this.issues.get(key) ?? {}, { open: false, resolution, resolvedAt: at });
  }
}

let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let store: TicketStore;
let clock: number;
let jira: FakeJira;
let arn: string;
let recentIssues: RecentIssues;
let serial = 0;

beforeAll(async () => {
  dynamo = await startDynamo(TABLE);
  store = new TicketStore(async () => dynamo.table, TABLE, { reopenWindowMinutes: 60 });
});
afterAll(() => dynamo.stop());
beforeEach(() => {
  serial += 1;
  clock = T0;
  jira = new FakeJira(() => clock);
  recentIssues = new RecentIssues();
  arn = `arn:aws:cloudwatch:us-east-1:111122223333:alarm:app-errors-${serial}`;
});

function deps(overrides: Partial<HandleDeps> = {}, settings: Partial<LifecycleSettings> = {}): HandleDeps {
  return {
    store,
    jira,
    settings: { ...LIFECYCLE_DEFAULTS, ...settings },
    log: recordingLog(),
    recentIssues,
    remainingTimeMs: () => 30_000,
    safetyMarginMs: 1000,
    now: () => clock,
    claimPollMs: 10,
    ...overrides,
  };
}

/** A state change of this test's alarm at `at` (epoch ms). */
function event(state: AlarmState, at: number) {
  return alarm(metricAlarm({ AlarmArn: arn, NewStateValue: state, StateChangeTime: new Date(at).toISOString().replace("Z", "+0000") }));
}

/** Delivers a state change at `at`, with the clock at `at` too. */
async function deliver(state: AlarmState, at: number, d: HandleDeps = deps()) {
  clock = at;
  jira.calls.length = 0;
  return handleAlarm(event(state, at), d);
}

describe("handleAlarm lifecycle", () => {
  it("creates one ticket for a new ALARM, after a recovery search finds none", async () => {
    const outcome = await deliver("ALARM", T0);

    expect(outcome).toEqual({ action: { type: "create" }, issueKey: "OPS-1" });
    expect(jira.calls).toEqual(["search", "create"]);
    expect(jira.issues.get("OPS-1")).toMatchObject({ open: true, labels: ["cloudwatch-alarm", `alarm-${event("ALARM", T0).fingerprint}`] });
  });

  it("treats a second delivery of the same state change as a duplicate without calling JIRA", async () => {
    await deliver("ALARM", T0);

    const outcome = await deliver("ALARM", T0);

    expect(outcome).toEqual({ action: { type: "none", reason: "duplicate" }, issueKey: "OPS-1" });
    expect(jira.calls).toEqual([]);
  });

  it("comments once on a repeat ALARM, then the cooldown suppresses comments without calling JIRA", async () => {
    await deliver("ALARM", T0);

    expect(await deliver("ALARM", T0 + MIN)).toMatchObject({ action: { type: "comment", why: "repeat" } });
    expect(jira.calls).toEqual(["getIssue OPS-1", "comment OPS-1"]);

    expect(await deliver("ALARM", T0 + 2 * MIN)).toMatchObject({ action: { type: "none", reason: "cooldown" } });
    expect(jira.calls).toEqual([]);

    expect(await deliver("ALARM", T0 + 17 * MIN)).toMatchObject({ action: { type: "comment" } });
    expect(jira.issues.get("OPS-1")?.comments).toHaveLength(2);
  });

  it("comments and resolves on OK, reopens on ALARM inside the window, opens a successor after it", async () => {
    await deliver("ALARM", T0);

    expect(await deliver("OK", T0 + 10 * MIN)).toMatchObject({ action: { type: "recover", resolve: true } });
    expect(jira.calls).toEqual(["getIssue OPS-1", "comment OPS-1", "resolve OPS-1"]);
    expect(jira.issues.get("OPS-1")?.open).toBe(false);

    expect(await deliver("ALARM", T0 + 30 * MIN)).toEqual({ action: { type: "reopen", key: "OPS-1" }, issueKey: "OPS-1" });
    expect(jira.calls).toEqual(["getIssue OPS-1", "reopen OPS-1", "comment OPS-1"]);

    await deliver("OK", T0 + 40 * MIN);
    expect(await deliver("ALARM", T0 + 101 * MIN)).toEqual({ action: { type: "create", successorOf: "OPS-1" }, issueKey: "OPS-2" });
    expect(jira.calls).toEqual(["getIssue OPS-1", "create"]);
    expect(jira.issues.get("OPS-2")?.description).toContain("Follows: OPS-1");
  });

  it("opens a successor when a person closed the ticket as won't-fix", async () => {
    await deliver("ALARM", T0);
    jira.closeByHand("OPS-1", "Won't Do", T0 + MIN);

    expect(await deliver("ALARM", T0 + 5 * MIN)).toEqual({ action: { type: "create", successorOf: "OPS-1" }, issueKey: "OPS-2" });
  });

  it("reopens a ticket a person closed as done inside the window, and never comments into it while closed", async () => {
    await deliver("ALARM", T0);
    jira.closeByHand("OPS-1", "Done", T0 + MIN);

    expect(await deliver("INSUFFICIENT_DATA", T0 + 2 * MIN)).toMatchObject({ action: { type: "none", reason: "no-open-ticket" } });
    expect(jira.calls).toEqual(["getIssue OPS-1"]);
    expect(await deliver("OK", T0 + 3 * MIN)).toMatchObject({ action: { type: "none", reason: "no-open-ticket" } });
    expect(jira.calls).toEqual([]);

    expect(await deliver("ALARM", T0 + 5 * MIN)).toEqual({ action: { type: "reopen", key: "OPS-1" }, issueKey: "OPS-1" });
  });

  it("comments on INSUFFICIENT_DATA when the ticket is open", async () => {
    await deliver("ALARM", T0);

    expect(await deliver("INSUFFICIENT_DATA", T0 + MIN)).toMatchObject({ action: { type: "comment", why: "insufficient-data" } });
    expect(jira.issues.get("OPS-1")?.comments[0]).toContain("INSUFFICIENT_DATA");
  });

  it("makes no JIRA request and no table write for OK or INSUFFICIENT_DATA of an unknown alarm (fresh deployment)", async () => {
    expect(await deliver("INSUFFICIENT_DATA", T0)).toMatchObject({ action: { type: "none", reason: "no-open-ticket" } });
    expect(await deliver("OK", T0 + MIN)).toMatchObject({ action: { type: "none", reason: "no-open-ticket" } });

    expect(jira.calls).toEqual([]);
    const item = await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: { fingerprint: { S: event("OK", T0).fingerprint } } }));
    expect(item.Item).toBeUndefined();
  });

  it("forgets a deleted ticket and opens a new one", async () => {
    await deliver("ALARM", T0);
    jira.issues.delete("OPS-1");
    const log = recordingLog();

    expect(await deliver("ALARM", T0 + MIN, deps({ log }))).toEqual({ action: { type: "create" }, issueKey: "OPS-2" });
    expect(jira.calls).toEqual(["getIssue OPS-1", "search reconciling 1", "create"]);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: "warn", message: "Stored ticket no longer exists in JIRA; forgetting it" }));
  });

  it("recovers the open ticket by label search when the table has lost its record", async () => {
    await deliver("ALARM", T0);
    await dynamo.client.send(new DeleteItemCommand({ TableName: TABLE, Key: { fingerprint: { S: event("ALARM", T0).fingerprint } } }));

    expect(await deliver("ALARM", T0 + MIN)).toEqual({ action: { type: "comment", key: "OPS-1", why: "repeat" }, issueKey: "OPS-1" });
    expect(jira.calls).toEqual(["search reconciling 1", "comment OPS-1"]);
  });

  it("finds its own just-created ticket through reconcileIssues when search lags behind the create", async () => {
    await deliver("ALARM", T0);
    await dynamo.client.send(new DeleteItemCommand({ TableName: TABLE, Key: { fingerprint: { S: event("ALARM", T0).fingerprint } } }));
    jira.searchLags = true;

    expect(await deliver("ALARM", T0 + MIN)).toMatchObject({ issueKey: "OPS-1" });
    expect(jira.issues.size).toBe(1);
  });
});

describe("RecentIssues", () => {
  it("keeps the last five ids per alarm and forgets the least recently created alarm beyond its bound", () => {
    const recent = new RecentIssues(2);

    for (const id of ["1", "2", "3", "4", "5", "6"]) recent.remember("a", id);
    recent.remember("b", "7");
    recent.remember("c", "8");

    expect(recent.idsFor("a")).toEqual([]);
    expect(recent.idsFor("b")).toEqual(["7"]);
    expect(recent.idsFor("c")).toEqual(["8"]);
    recent.remember("b", "9");
    recent.remember("d", "10");
    expect(recent.idsFor("b")).toEqual(["7", "9"]);
    expect(recent.idsFor("c")).toEqual([]);
  });

  it("keeps five ids for one alarm", () => {
    const recent = new RecentIssues();

    for (const id of ["1", "2", "3", "4", "5", "6"]) recent.remember("a", id);

    expect(recent.idsFor("a")).toEqual(["2", "3", "4", "5", "6"]);
  });
});

describe("handleAlarm concurrency and failures", () => {
  it("creates exactly one ticket for ten concurrent deliveries of the same state change", async () => {
    jira.createDelayMs = 50;
    clock = T0;

    const outcomes = await Promise.all(Array.from({ length: 10 }, () => handleAlarm(event("ALARM", T0), deps())));

    expect(jira.calls.filter((c) => c === "create")).toHaveLength(1);
    expect(outcomes.filter((o) => o.action.type === "create")).toHaveLength(1);
    expect(outcomes.filter((o) => o.action.type === "none")).toEqual(Array(9).fill({ action: { type: "none", reason: "duplicate" }, issueKey: "OPS-1" }));
  });

  it("releases the claim and names the attempted step when JIRA fails, so a replay can succeed", async () => {
    jira.failCreate = new JiraUnavailableError("JIRA createIssue failed 8 times (last: HTTP 503).", 8, 503);

    const failure = deliver("ALARM", T0);

    await expect(failure).rejects.toThrow(AlarmHandlingError);
    await expect(failure).rejects.toMatchObject({ attempted: "create a ticket", cause: jira.failCreate });
    const item = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { fingerprint: { S: event("ALARM", T0).fingerprint } }, ConsistentRead: true }),
    );
    expect(item.Item?.leaseToken).toBeUndefined();

    jira.failCreate = undefined;
    expect(await deliver("ALARM", T0)).toEqual({ action: { type: "create" }, issueKey: "OPS-1" });
  });

  it("gives up with TicketBusyError when another invocation keeps the claim past this one's time", async () => {
    const n = event("ALARM", T0);
    await store.claim(n.fingerprint, n.alarmName, "someone-else", T0 + 10 * MIN, T0);
    let remaining = 200;

    const failure = handleAlarm(n, deps({ remainingTimeMs: () => (remaining -= 50), safetyMarginMs: 0 }));

    await expect(failure).rejects.toMatchObject({ attempted: "claim the alarm in the tickets table", cause: expect.any(TicketBusyError) });
    expect(jira.calls).toEqual([]);
  });
});
