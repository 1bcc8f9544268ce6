import type { LifecycleSettings } from "./config";
import type { AlarmNotification, AlarmState } from "./notification";

/** A state change already handled for this alarm: the de-duplication key of DESIGN.md (AlarmArn + StateChangeTime + state). */
export interface HandledStateChange {
  readonly state: AlarmState;
  /** StateChangeTime in epoch milliseconds. */
  readonly at: number;
}

/**
 * What is known about the alarm's current ticket: the tickets table's record, overlaid with JIRA's answer when the
 * handler has asked JIRA (a person may have closed or reopened it since).
 */
export interface KnownTicket {
  readonly key: string;
  /** False once the status category is done (resolved by us on OK, or closed by a person). */
  readonly open: boolean;
  /** Resolution name of a closed ticket, when JIRA has one. */
  readonly resolution?: string;
  /** When the ticket was resolved, in epoch milliseconds, when known. */
  readonly resolvedAt?: number;
  /** Last repeat-ALARM comment, for the cooldown. */
  readonly lastAlarmCommentAt?: number;
  /** Last state change acted on, so duplicates and replays are no-ops. */
  readonly lastHandled?: HandledStateChange;
}

/** Why nothing is sent to JIRA. */
export type NoActionReason =
  /** The same state change was already handled (SNS at-least-once delivery, a replay). */
  | "duplicate"
  /** A newer state change was already handled; this one is out of date (a late replay). */
  | "stale"
  /** A repeat-ALARM comment was posted less than JIRA_COMMENT_COOLDOWN_MINUTES ago. */
  | "cooldown"
  /** OK or INSUFFICIENT_DATA and no open ticket: a fresh deployment must cause no JIRA request. */
  | "no-open-ticket"
  /**
   * The reconciliation sweep found the alarm in ALARM with an open ticket: the notification path did its work, and the
   * sweep only ever opens what is missing, it never comments (so a sweep racing a notification adds nothing).
   */
  | "already-ticketed";

/** The lifecycle step for one notification (DESIGN.md "Lifecycle"). */
export type Action =
  | { readonly type: "create"; readonly successorOf?: string }
  | { readonly type: "comment"; readonly key: string; readonly why: "repeat" | "insufficient-data" }
  | { readonly type: "reopen"; readonly key: string }
  | { readonly type: "recover"; readonly key: string; readonly resolve: boolean }
  | { readonly type: "none"; readonly reason: NoActionReason };

const MINUTE_MS = 60_000;

/**
 * Pure lifecycle rules: ALARM creates, comments (with cooldown), reopens inside the window unless won't-fix, or opens
 * a successor; OK comments and resolves an open ticket; INSUFFICIENT_DATA comments on an open ticket; a state change
 * at or before the last handled one does nothing. Never comments into a closed ticket. A state the reconciliation
 * sweep found (`origin: "sweep"`) goes through the same rules, except that it never comments on an open ticket.
 */
export function decide(
  notification: AlarmNotification,
  ticket: KnownTicket | undefined,
  now: number,
  settings: LifecycleSettings,
): Action {
  const handled = ticket?.lastHandled;
  if (handled !== undefined) {
    if (notification.stateChangedAt < handled.at) return { type: "none", reason: "stale" };
    if (notification.stateChangedAt === handled.at && notification.state === handled.state) {
      return { type: "none", reason: "duplicate" };
    }
  }
  switch (notification.state) {
    case "ALARM":
      if (ticket === undefined) return { type: "create" };
      if (ticket.open) {
        if (notification.origin === "sweep") return { type: "none", reason: "already-ticketed" };
        const last = ticket.lastAlarmCommentAt;
        if (last !== undefined && now - last < settings.commentCooldownMinutes * MINUTE_MS) {
          return { type: "none", reason: "cooldown" };
        }
        return { type: "comment", key: ticket.key, why: "repeat" };
      }
      return canReopen(ticket, now, settings) ? { type: "reopen", key: ticket.key } : { type: "create", successorOf: ticket.key };
    case "OK":
      return ticket?.open === true
        ? { type: "recover", key: ticket.key, resolve: settings.resolveOnOk }
        : { type: "none", reason: "no-open-ticket" };
    case "INSUFFICIENT_DATA":
      return ticket?.open === true
        ? { type: "comment", key: ticket.key, why: "insufficient-data" }
        : { type: "none", reason: "no-open-ticket" };
  }
}

function canReopen(ticket: KnownTicket, now: number, settings: LifecycleSettings): boolean {
  if (settings.reopenWindowMinutes === 0 || ticket.resolvedAt === undefined) return false;
  if (ticket.resolution !== undefined && sameResolution(ticket.resolution, settings.wontFixResolution)) return false;
  return now - ticket.resolvedAt < settings.reopenWindowMinutes * MINUTE_MS;
}

/** JIRA sites spell "Won't Do" with a straight or a typographic apostrophe, in any case. */
function sameResolution(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/\u2019/g, "'").toLowerCase();
  return norm(a) === norm(b);
}
