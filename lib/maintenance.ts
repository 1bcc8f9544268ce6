/**
 * Maintenance windows: each configured window (`maintenanceWindows`, validated in lib/config.ts) becomes CloudWatch alarm
 * mute rules. While a rule is active its alarms still change state, but their actions (the ticket and email
 * notifications) are muted; the reconciliation sweep (lib/reconcile.ts) leaves a muted alarm alone while the window is
 * open and tickets it on its first run after the window closed, so muting never hides an incident.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { MaintenanceWindow } from "./config";
import { physicalName, type StackContext } from "./naming";

/** A mute rule targets at most 100 alarms (PutAlarmMuteRule); a larger window is split into several rules. */
export const MUTE_RULE_MAX_ALARMS = 100;

/** Inputs of {@link createMaintenanceWindows}. */
export interface MaintenanceArgs {
  readonly ctx: StackContext;
  readonly windows: readonly MaintenanceWindow[];
  /** The alarm names behind each alarm id a window may name (`Alarms.alarmNamesById` of lib/alarms.ts). */
  readonly alarmNamesById: Readonly<Record<string, readonly pulumi.Input<string>[]>>;
}

/** What {@link createMaintenanceWindows} created: every window's rules, in config order. */
export interface MaintenanceWindows {
  readonly rules: readonly aws.cloudwatch.AlarmMuteRule[];
}

/** One mute rule of a window, before it is a resource. */
export interface MuteRulePlan<T> {
  /** Suffix of the logical name: the window's name, with the part number when the window needs several rules. */
  readonly key: string;
  /** `monitoring-hub-mute-<window>[-<part>]-<suffix>`. */
  readonly name: string;
  readonly description: string;
  /** At most {@link MUTE_RULE_MAX_ALARMS}. */
  readonly alarmNames: readonly T[];
}

/**
 * Pure: the mute rules of one window. Its alarm ids are expanded to alarm names (a member alarm id to every member
 * account's alarm) and split into rules of at most 100 names, numbered from 1 when there is more than one.
 * @throws when the window names an id without alarms (the member alarm id while `memberAccountAlarms` is off), so the
 *   window would mute nothing, or an id the table does not know.
 */
export function muteRulePlans<T>(window: MaintenanceWindow, alarmNamesById: Readonly<Record<string, readonly T[]>>, suffix: string): MuteRulePlan<T>[] {
  const ids = [...new Set(window.alarms)];
  const unknown = ids.filter((id) => alarmNamesById[id] === undefined);
  if (unknown.length > 0) throw new Error(`maintenance window "${window.name}" names unknown alarm ids: ${unknown.join(", ")}`);
  const names = ids.flatMap((id) => alarmNamesById[id]);
  if (names.length === 0) {
    throw new Error(
      `maintenance window "${window.name}" mutes no alarm: ${ids.join(", ")} has no alarm in this stack ` +
        "(member-application-errors exists only with memberAccountAlarms: true). Fix: pulumi config set maintenanceWindows with alarms that exist",
    );
  }
  const parts = Math.ceil(names.length / MUTE_RULE_MAX_ALARMS);
  return Array.from({ length: parts }, (_, i) => {
    const part = parts === 1 ? [] : [String(i + 1)];
    return {
      key: [window.name, ...part].join("-"),
      name: physicalName(suffix, "mute", window.name, ...part),
      description: muteRuleDescription(window, ids, parts === 1 ? undefined : { part: i + 1, of: parts }),
      alarmNames: names.slice(i * MUTE_RULE_MAX_ALARMS, (i + 1) * MUTE_RULE_MAX_ALARMS),
    };
  });
}

/** What the rule is for, in the console: the window, what it mutes, when, and what happens afterwards. */
export function muteRuleDescription(window: MaintenanceWindow, ids: readonly string[], part?: { readonly part: number; readonly of: number }): string {
  const which = part === undefined ? "" : ` (part ${part.part} of ${part.of})`;
  return (
    `Maintenance window ${window.name}${which}: mutes the actions of ${ids.join(", ")} on ${window.schedule} for ` +
    `${window.duration} (${window.timezone}). The reconciliation sweep tickets what is still in ALARM once it closes.`
  );
}

/** Creates the mute rules of every window, tagged, after the alarms they name (through their name outputs). */
export function createMaintenanceWindows(name: string, args: MaintenanceArgs, opts: pulumi.CustomResourceOptions): MaintenanceWindows {
  const { ctx } = args;
  const rules = args.windows.flatMap((window) =>
    muteRulePlans(window, args.alarmNamesById, ctx.suffix).map(
      (plan) =>
        new aws.cloudwatch.AlarmMuteRule(
          `${name}-${plan.key}`,
          {
            name: plan.name,
            description: plan.description,
            rule: { schedule: { expression: window.schedule, duration: window.duration, timezone: window.timezone } },
            muteTargets: { alarmNames: [...plan.alarmNames] },
            tags: ctx.tags,
          },
          { ...opts },
        ),
    ),
  );
  return { rules };
}
