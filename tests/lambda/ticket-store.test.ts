import { GetItemCommand, PutItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { TicketStore } from "../../lambda_functions/jira-handler/ticket-store";
import { startDynamo } from "./test-helpers";

// Proves the conditional writes against dynalite's DynamoDB semantics; TTL deletion itself is DynamoDB's job.
const TABLE = "monitoring-hub-jira-tickets-test";
const NOW = Date.UTC(2025, 0, 15, 10, 0, 0);
const DAY = 86_400_000;

let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let store: TicketStore;
let client: DynamoDBClient;
let n = 0;
/** A fresh fingerprint per test, so tests share one table without interfering. */
let fp: string;

beforeAll(async () => {
  dynamo = await startDynamo(TABLE);
  client = dynamo.client;
  store = new TicketStore(async () => dynamo.table, TABLE, { reopenWindowMinutes: 60 });
});
afterAll(() => dynamo.stop());
beforeEach(() => {
  n += 1;
  fp = `fp${String(n).padStart(14, "0")}`;
});

async function raw(): Promise<Record<string, unknown> | undefined> {
  return (await client.send(new GetItemCommand({ TableName: TABLE, Key: { fingerprint: { S: fp } }, ConsistentRead: true }))).Item;
}

describe("TicketStore.claim", () => {
  it("creates a bare claim for an alarm the table does not know", async () => {
    const claim = await store.claim(fp, "app-errors", "token-a", NOW + 65_000, NOW);

    expect(claim).toEqual({ claimed: true, ticket: undefined });
    expect(await raw()).toEqual({
      fingerprint: { S: fp },
      alarmName: { S: "app-errors" },
      leaseToken: { S: "token-a" },
      leaseExpiresAt: { N: String(NOW + 65_000) },
      expiresAt: { N: String(Math.floor((NOW + 65_000 + 14 * DAY) / 1000)) },
    });
  });

  it("refuses a second claim while the first is live", async () => {
    await store.claim(fp, "app-errors", "token-a", NOW + 65_000, NOW);

    expect(await store.claim(fp, "app-errors", "token-b", NOW + 70_000, NOW + 5000)).toEqual({ claimed: false });
  });

  it("lets a claim from a crashed invocation lapse", async () => {
    await store.claim(fp, "app-errors", "token-a", NOW + 65_000, NOW);

    expect(await store.claim(fp, "app-errors", "token-b", NOW + 130_000, NOW + 65_001)).toEqual({ claimed: true, ticket: undefined });
  });

  it("grants exactly one of many concurrent claims", async () => {
    const claims = await Promise.all(["a", "b", "c", "d", "e"].map((t) => store.claim(fp, "app-errors", t, NOW + 65_000, NOW)));

    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
  });

  it("returns the stored ticket under the claim", async () => {
    await store.claim(fp, "app-errors", "token-a", NOW + 65_000, NOW);
    await store.save({ fingerprint: fp, alarmName: "app-errors", ticket: { key: "OPS-1", open: true, lastHandled: { state: "ALARM", at: NOW } } }, "token-a", NOW);

    const claim = await store.claim(fp, "app-errors", "token-b", NOW + 99_000, NOW + 1000);

    expect(claim).toEqual({
      claimed: true,
      ticket: { key: "OPS-1", open: true, resolution: undefined, resolvedAt: undefined, lastAlarmCommentAt: undefined, lastHandled: { state: "ALARM", at: NOW } },
    });
  });
});

describe("TicketStore.save", () => {
  it("writes the documented item and drops the claim", async () => {
    await store.claim(fp, "app-errors", "token-a", NOW + 65_000, NOW);

    const saved = await store.save(
      {
        fingerprint: fp,
        alarmName: "app-errors",
        alarmArn: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:app-errors",
        ticket: { key: "OPS-2", open: false, resolution: "Done", resolvedAt: NOW, lastAlarmCommentAt: NOW - 1000, lastHandled: { state: "OK", at: NOW - 5 } },
      },
      "token-a",
      NOW + 10,
    );

    expect(saved).toBe(true);
    expect(await raw()).toEqual({
      fingerprint: { S: fp },
      alarmName: { S: "app-errors" },
      alarmArn: { S: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:app-errors" },
      issueKey: { S: "OPS-2" },
      ticketOpen: { BOOL: false },
      resolution: { S: "Done" },
      resolvedAt: { N: String(NOW) },
      lastAlarmCommentAt: { N: String(NOW - 1000) },
      lastState: { S: "OK" },
      lastStateChangeAt: { N: String(NOW - 5) },
      updatedAt: { N: String(NOW + 10) },
      // Resolved: kept through the reopen window (60 min) plus the replay horizon (14 days).
      expiresAt: { N: String(Math.floor((NOW + 60 * 60_000 + 14 * DAY) / 1000)) },
    });
    expect(await store.get(fp, NOW + 20)).toEqual({
      key: "OPS-2",
      open: false,
      resolution: "Done",
      resolvedAt: NOW,
      lastAlarmCommentAt: NOW - 1000,
      lastHandled: { state: "OK", at: NOW - 5 },
    });
  });

  it("keeps an open ticket's record for 90 days", async () => {
    await store.save({ fingerprint: fp, alarmName: "a", ticket: { key: "OPS-3", open: true } }, "token-a", NOW);

    expect((await raw())?.expiresAt).toEqual({ N: String(Math.floor((NOW + 90 * DAY) / 1000)) });
  });

  it("writes nothing while another invocation holds a live claim", async () => {
    await store.claim(fp, "app-errors", "token-b", NOW + 65_000, NOW);

    const saved = await store.save({ fingerprint: fp, alarmName: "app-errors", ticket: { key: "OPS-4", open: true } }, "token-a", NOW + 1000);

    expect(saved).toBe(false);
    expect((await raw())?.issueKey).toBeUndefined();
  });
});

describe("TicketStore.release", () => {
  it("drops only our own claim and keeps the record", async () => {
    await store.save({ fingerprint: fp, alarmName: "a", ticket: { key: "OPS-5", open: true } }, "none", NOW);
    await store.claim(fp, "a", "token-a", NOW + 65_000, NOW);

    await store.release(fp, "token-b");
    expect((await raw())?.leaseToken).toEqual({ S: "token-a" });

    await store.release(fp, "token-a");
    const item = await raw();
    expect(item?.leaseToken).toBeUndefined();
    expect(item?.leaseExpiresAt).toBeUndefined();
    expect(item?.issueKey).toEqual({ S: "OPS-5" });
  });
});

describe("TicketStore.get", () => {
  it("treats an item past its TTL as absent, since DynamoDB deletes expired items lazily", async () => {
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { fingerprint: { S: fp }, alarmName: { S: "a" }, issueKey: { S: "OPS-6" }, ticketOpen: { BOOL: true }, expiresAt: { N: String(NOW / 1000 - 1) } },
      }),
    );

    expect(await store.get(fp, NOW)).toBeUndefined();
  });

  it("returns undefined for an unknown alarm and for a bare claim", async () => {
    expect(await store.get(fp, NOW)).toBeUndefined();

    await store.claim(fp, "a", "token-a", NOW + 65_000, NOW);

    expect(await store.get(fp, NOW)).toBeUndefined();
  });
});
