import type { KnownTicket } from "./decide";
import type { AttributeValue, DynamoDb, Item } from "./dynamodb";
import { ALARM_STATES, type AlarmState } from "./notification";

/**
 * The tickets table (partition key `fingerprint` S, TTL attribute `expiresAt`), one item per alarm:
 *
 * | attribute            | type | meaning                                                                  |
 * |----------------------|------|--------------------------------------------------------------------------|
 * | `fingerprint`        | S    | partition key, `notification.fingerprint`                                |
 * | `alarmName`          | S    | for humans browsing the table                                            |
 * | `alarmArn`           | S    | absent when the notification had none                                    |
 * | `issueKey`           | S    | the alarm's current ticket; absent on a bare claim                       |
 * | `ticketOpen`         | BOOL | false once resolved (by us on OK, or as last seen in JIRA)               |
 * | `resolution`         | S    | JIRA resolution name of a closed ticket                                  |
 * | `resolvedAt`         | N    | epoch ms the ticket was resolved                                         |
 * | `lastAlarmCommentAt` | N    | epoch ms of the last repeat-ALARM comment (cooldown)                     |
 * | `lastState`          | S    | state of the last handled state change                                   |
 * | `lastStateChangeAt`  | N    | its StateChangeTime, epoch ms (de-duplication of deliveries and replays) |
 * | `leaseToken`         | S    | the claim: who is acting on this alarm now                               |
 * | `leaseExpiresAt`     | N    | epoch ms the claim lapses (a crashed holder's claim expires)             |
 * | `updatedAt`          | N    | epoch ms of the last write                                               |
 * | `expiresAt`          | N    | TTL, epoch **seconds**                                                   |
 */
export interface StoredAlarm {
  readonly fingerprint: string;
  readonly alarmName: string;
  readonly alarmArn?: string;
  /** Undefined on a bare claim, or after a 404 made us forget the ticket. */
  readonly ticket?: KnownTicket;
}

/** Result of a claim attempt. */
export type Claim = { readonly claimed: true; readonly ticket?: KnownTicket } | { readonly claimed: false };

/** How long items live after their last write. */
export interface RetentionOptions {
  /** Resolved tickets must outlive the reopen window. @default 60 */
  readonly reopenWindowMinutes: number;
}

const DAY_MS = 86_400_000;
/** An open ticket's record is refreshed on every state change; a quiet alarm older than this is recovered by JQL. */
const OPEN_RETENTION_MS = 90 * DAY_MS;
/** Covers the on-failure queue's longest retention (14 days), so a late replay is still recognised. */
const REPLAY_RETENTION_MS = 14 * DAY_MS;

/**
 * The authoritative record of each alarm's ticket (DESIGN.md). JIRA search is eventually consistent and SNS delivers
 * at least once, so every JIRA write for an alarm happens under a conditional-write claim on its item.
 */
export class TicketStore {
  constructor(
    private readonly client: () => Promise<DynamoDb>,
    private readonly tableName: string,
    private readonly retention: RetentionOptions,
  ) {}

  /** Strongly consistent read; an item past its TTL counts as absent (DynamoDB deletes expired items lazily). */
  async get(fingerprint: string, now: number): Promise<KnownTicket | undefined> {
    const client = await this.client();
    const { Item: item } = await client.getItem({ TableName: this.tableName, Key: { fingerprint: { S: fingerprint } }, ConsistentRead: true });
    return item === undefined ? undefined : ticketOf(item, now);
  }

  /**
   * Takes the alarm's claim until `until` (epoch ms) unless another live claim holds it; creates the item when there
   * is none. Returns the record as it stands under the claim.
   */
  async claim(fingerprint: string, alarmName: string, token: string, until: number, now: number): Promise<Claim> {
    const client = await this.client();
    try {
      const { Attributes: item } = await client.updateItem({
        TableName: this.tableName,
        Key: { fingerprint: { S: fingerprint } },
        UpdateExpression:
          "SET leaseToken = :token, leaseExpiresAt = :until, alarmName = if_not_exists(alarmName, :name), expiresAt = if_not_exists(expiresAt, :ttl)",
        ConditionExpression: "attribute_not_exists(leaseToken) OR leaseExpiresAt < :now",
        ExpressionAttributeValues: {
          ":token": { S: token },
          ":until": num(until),
          ":name": { S: alarmName },
          ":ttl": num(seconds(until + REPLAY_RETENTION_MS)),
          ":now": num(now),
        },
        ReturnValues: "ALL_NEW",
      });
      return { claimed: true, ticket: item === undefined ? undefined : ticketOf(item, now) };
    } catch (error) {
      if (isConditionFailure(error)) return { claimed: false };
      throw error;
    }
  }

  /**
   * Writes the record and drops the claim in one conditional put. Returns false (and writes nothing) when another
   * invocation holds a live claim, which only happens if this one outlived its own claim.
   */
  async save(record: StoredAlarm, token: string, now: number): Promise<boolean> {
    const client = await this.client();
    try {
      await client.putItem({
        TableName: this.tableName,
        Item: this.#item(record, now),
        ConditionExpression: "attribute_not_exists(leaseToken) OR leaseToken = :token OR leaseExpiresAt < :now",
        ExpressionAttributeValues: { ":token": { S: token }, ":now": num(now) },
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Drops our claim without changing the record (nothing to do, or the work failed). */
  async release(fingerprint: string, token: string): Promise<void> {
    const client = await this.client();
    try {
      await client.updateItem({
        TableName: this.tableName,
        Key: { fingerprint: { S: fingerprint } },
        UpdateExpression: "REMOVE leaseToken, leaseExpiresAt",
        ConditionExpression: "leaseToken = :token",
        ExpressionAttributeValues: { ":token": { S: token } },
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  #item(record: StoredAlarm, now: number): Item {
    const t = record.ticket;
    const item: Record<string, AttributeValue> = {
      fingerprint: { S: record.fingerprint },
      alarmName: { S: record.alarmName },
      updatedAt: num(now),
      expiresAt: num(seconds(this.#expiry(t, now))),
    };
    if (record.alarmArn !== undefined) item.alarmArn = { S: record.alarmArn };
    if (t === undefined) return item;
    item.issueKey = { S: t.key };
    item.ticketOpen = { BOOL: t.open };
    if (t.resolution !== undefined) item.resolution = { S: t.resolution };
    if (t.resolvedAt !== undefined) item.resolvedAt = num(t.resolvedAt);
    if (t.lastAlarmCommentAt !== undefined) item.lastAlarmCommentAt = num(t.lastAlarmCommentAt);
    if (t.lastHandled !== undefined) {
      item.lastState = { S: t.lastHandled.state };
      item.lastStateChangeAt = num(t.lastHandled.at);
    }
    return item;
  }

  #expiry(ticket: KnownTicket | undefined, now: number): number {
    if (ticket === undefined) return now + REPLAY_RETENTION_MS;
    if (ticket.open) return now + OPEN_RETENTION_MS;
    const windowEnd = (ticket.resolvedAt ?? now) + this.retention.reopenWindowMinutes * 60_000;
    return Math.max(windowEnd, now) + REPLAY_RETENTION_MS;
  }
}

function ticketOf(item: Item, now: number): KnownTicket | undefined {
  const expiresAt = numberOf(item.expiresAt);
  const key = item.issueKey?.S;
  if (key === undefined || (expiresAt !== undefined && expiresAt * 1000 <= now)) return undefined;
  const lastState = item.lastState?.S;
  const lastAt = numberOf(item.lastStateChangeAt);
  return {
    key,
    open: item.ticketOpen?.BOOL !== false,
    resolution: item.resolution?.S,
    resolvedAt: numberOf(item.resolvedAt),
    lastAlarmCommentAt: numberOf(item.lastAlarmCommentAt),
    lastHandled:
      lastState !== undefined && lastAt !== undefined && (ALARM_STATES as readonly string[]).includes(lastState)
        ? { state: lastState as AlarmState, at: lastAt }
        : undefined,
  };
}

function num(value: number): AttributeValue {
  return { N: String(value) };
}

function numberOf(value: AttributeValue | undefined): number | undefined {
  if (value?.N === undefined) return undefined;
  const n = Number(value.N);
  return Number.isFinite(n) ? n : undefined;
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string }).name === "ConditionalCheckFailedException";
}
