import * as path from "node:path";
import type { Context, SNSEvent } from "aws-lambda";
import { AMBIENT_AWS_VARIABLES, handlerEnvironment, lambdaContext } from "./handler-env";
import {
  DEFAULT_CLOUD_CREDENTIALS,
  DEFAULT_DATACENTER_CREDENTIALS,
  JiraEmulator,
  type JiraMode,
  type Workflow,
} from "./jira-emulator";
import { startLocalAws, type LocalAws } from "./local-aws";

export { FALLBACK_TOPIC_ARN } from "./handler-env";

/** The handler's source entry (DESIGN.md "The JIRA Lambda"). */
export const HANDLER_SOURCE = path.resolve(__dirname, "..", "..", "lambda_functions", "jira-handler", "index.ts");

/** The contract's handler signature. */
export type Handler = (event: SNSEvent, context?: Context) => Promise<unknown>;

/** Options of {@link LambdaHarness.start}. */
export interface HarnessOptions {
  /** @default "cloud" */
  readonly mode?: JiraMode;
  /** @default DEFAULT_WORKFLOW */
  readonly workflow?: Workflow;
  /** @default 0 */
  readonly searchLagMs?: number;
  /** Extra or overriding handler environment, e.g. `{ JIRA_ISSUE_TYPE: "Incident" }`. */
  readonly env?: Readonly<Record<string, string>>;
  /** @default the credential JSON the emulator accepts */
  readonly secretString?: string;
  /** Module exporting `handler`: the TypeScript source or a built bundle. @default HANDLER_SOURCE */
  readonly entry?: string;
}

/** Options of {@link LambdaHarness.invoke}. */
export interface InvokeOptions {
  /** What `getRemainingTimeInMillis()` starts from, in real ms. @default 30000 */
  readonly budgetMs?: number;
}

/**
 * Only Date is faked, advancing with real time from `startMs`; `jest.setSystemTime` jumps it. Timers, the event loop
 * and `performance` stay real, so HTTP, retries and `getRemainingTimeInMillis` behave as in production.
 */
export function fakeDateOnly(startMs: number): void {
  jest.useFakeTimers({
    now: startMs,
    advanceTimers: true,
    doNotFake: [
      "hrtime",
      "nextTick",
      "performance",
      "queueMicrotask",
      "requestAnimationFrame",
      "cancelAnimationFrame",
      "requestIdleCallback",
      "cancelIdleCallback",
      "setImmediate",
      "clearImmediate",
      "setInterval",
      "clearInterval",
      "setTimeout",
      "clearTimeout",
    ],
  });
}

/**
 * One JIRA emulator, local AWS endpoints and a freshly loaded handler configured through its environment only.
 * process.env carries the handler's variables from {@link start} to {@link stop}.
 */
export class LambdaHarness {
  readonly #savedEnv: Record<string, string | undefined>;
  readonly #entry: string;
  #handler: Handler | undefined;

  private constructor(
    readonly jira: JiraEmulator,
    readonly aws: LocalAws,
    readonly env: Readonly<Record<string, string>>,
    entry: string,
  ) {
    this.#entry = entry;
    this.#savedEnv = {};
    for (const name of [...Object.keys(env), ...AMBIENT_AWS_VARIABLES]) this.#savedEnv[name] = process.env[name];
    for (const name of AMBIENT_AWS_VARIABLES) delete process.env[name];
    Object.assign(process.env, env);
  }

  /** Starts the emulator and local AWS, and sets the handler's environment. */
  static async start(options: HarnessOptions = {}): Promise<LambdaHarness> {
    const mode = options.mode ?? "cloud";
    const jira = await JiraEmulator.start({ mode, workflow: options.workflow, searchLagMs: options.searchLagMs });
    const credential = mode === "cloud" ? DEFAULT_CLOUD_CREDENTIALS : DEFAULT_DATACENTER_CREDENTIALS;
    const aws = await startLocalAws({ secretString: options.secretString ?? JSON.stringify(credential) });
    return new LambdaHarness(jira, aws, handlerEnvironment(jira, aws, options.env), options.entry ?? HANDLER_SOURCE);
  }

  /** Loads a fresh module instance (a cold start: module-scope caches start empty) and makes it current. */
  coldStart(): Handler {
    let loaded: Handler | undefined;
    jest.isolateModules(() => {
      loaded = (require(this.#entry) as { handler: Handler }).handler;
    });
    if (typeof loaded !== "function") throw new Error(`${this.#entry} does not export a handler function`);
    this.#handler = loaded;
    return loaded;
  }

  /** Invokes the current handler (cold-starting one if needed) with a fake context. */
  invoke(event: SNSEvent, options: InvokeOptions = {}): Promise<unknown> {
    const handler = this.#handler ?? this.coldStart();
    return handler(event, lambdaContext(options.budgetMs ?? 30_000));
  }

  /** Stops the servers and restores process.env. */
  async stop(): Promise<void> {
    for (const [name, value] of Object.entries(this.#savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await Promise.all([this.jira.stop(), this.aws.stop()]);
  }
}

/**
 * Returns a starter whose harnesses are all stopped after each test, even when the test failed half-way. Call it once
 * at the top level of a test file.
 */
export function useHarnesses(): (options?: HarnessOptions) => Promise<LambdaHarness> {
  const running: LambdaHarness[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((harness) => harness.stop()));
  });
  return async (options) => {
    const harness = await LambdaHarness.start(options);
    running.push(harness);
    return harness;
  };
}
