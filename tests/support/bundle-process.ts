import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import type { Readable, Writable } from "node:stream";
import type { SNSEvent } from "aws-lambda";
import { AMBIENT_AWS_VARIABLES } from "./handler-env";

/**
 * The heap flags the Lambda Node.js runtime's bootstrap passes for a 128 MB function (new space = memory / 10, half of
 * it per semi-space, old space = the rest), as seen in public copies of that bootstrap. Without them V8 sizes its heap
 * from the machine's RAM and collects lazily, which inflates RSS far beyond what the function would use.
 * `--expose-gc` is ours: it lets the runner measure the heap left after a full collection.
 */
export const LAMBDA_128MB_NODE_FLAGS = ["--expose-gc", "--max-semi-space-size=6", "--max-old-space-size=116"] as const;

/** The runner script the child executes (plain JavaScript, so no TypeScript loader inflates the process). */
export const BUNDLE_RUNNER = path.join(__dirname, "bundle-runner.js");

/** What one invocation ended with: the handler's return value, or what it threw. */
export type InvokeResult =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly name: string; readonly message: string } };

/** The child's memory, in KB: RSS right after the bundle loaded, peak RSS so far, heap used after a full collection. */
export interface ChildMemory {
  readonly afterLoadKb: number;
  readonly maxRssKb: number;
  readonly heapAfterGcKb: number;
}

type Reply =
  | { readonly type: "ready"; readonly afterLoadKb: number }
  | ({ readonly type: "result" } & InvokeResult)
  | ({ readonly type: "memory" } & ChildMemory)
  | { readonly type: "fatal"; readonly error: { readonly name: string; readonly message: string } };

/** Options of {@link BundleProcess.start}. */
export interface BundleProcessOptions {
  /** The handler's whole environment (e.g. from `handlerEnvironment`); added to this process's, ambient AWS variables removed. */
  readonly env: Readonly<Record<string, string>>;
  /** @default LAMBDA_128MB_NODE_FLAGS */
  readonly nodeFlags?: readonly string[];
}

/**
 * A built handler bundle running in its own Node process (started with the Lambda runtime's heap flags), invoked
 * one request at a time like a warm Lambda container: module state persists between invocations. Unlike loading the
 * bundle into jest's module VM, this runs the code as Node and the Lambda runtime do, dynamic `import()` included.
 *
 * Protocol (tests/support/bundle-runner.js): one JSON request per line on the child's stdin, one JSON reply per line
 * on its fd 3. stdout and stderr are collected for error messages only.
 */
export class BundleProcess {
  readonly #child: ChildProcess;
  readonly #requests: Writable;
  readonly #waiting: Array<{ resolve: (reply: Reply) => void; reject: (error: Error) => void }> = [];
  #output = "";
  #exit: Promise<number | null>;
  #ended: Error | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    this.#requests = child.stdin as Writable;
    // A write after the child died fails with EPIPE; the exit is reported through #fail instead.
    this.#requests.on("error", () => undefined);
    const collect = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-8000);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    let buffered = "";
    (child.stdio[3] as Readable).on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let newline = buffered.indexOf("\n"); newline >= 0; newline = buffered.indexOf("\n")) {
        const reply = JSON.parse(buffered.slice(0, newline)) as Reply;
        buffered = buffered.slice(newline + 1);
        const waiter = this.#waiting.shift();
        if (waiter === undefined) continue;
        if (reply.type === "fatal") waiter.reject(new Error(`bundle runner: ${reply.error.name}: ${reply.error.message}${this.#tail()}`));
        else waiter.resolve(reply);
      }
    });
    this.#exit = new Promise((resolve) => {
      child.once("error", (error) => this.#fail(error));
      child.once("close", (code, signal) => {
        this.#fail(new Error(`bundle runner exited (${code ?? signal})${this.#tail()}`));
        resolve(code);
      });
    });
  }

  /** Spawns the runner, loads the bundle and waits until it is ready; rejects when the bundle cannot load. */
  static async start(bundleFile: string, options: BundleProcessOptions): Promise<BundleProcess> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    for (const name of AMBIENT_AWS_VARIABLES) delete env[name];
    const child = spawn(process.execPath, [...(options.nodeFlags ?? LAMBDA_128MB_NODE_FLAGS), BUNDLE_RUNNER, bundleFile], {
      env,
      stdio: ["pipe", "pipe", "pipe", "pipe"],
    });
    const started = new BundleProcess(child);
    const ready = await started.#next();
    if (ready.type !== "ready") throw new Error(`bundle runner answered ${ready.type} instead of ready`);
    return started;
  }

  /** Invokes the handler with a fresh context whose remaining time starts at `budgetMs` (real time). */
  async invoke(event: SNSEvent, budgetMs = 30_000): Promise<InvokeResult> {
    const reply = await this.#send({ type: "invoke", event, budgetMs });
    if (reply.type !== "result") throw new Error(`bundle runner answered ${reply.type} to invoke`);
    return reply.ok ? { ok: true, result: reply.result } : { ok: false, error: reply.error };
  }

  /** Peak RSS so far, then a full collection and the heap it leaves. */
  async memory(): Promise<ChildMemory> {
    const reply = await this.#send({ type: "memory" });
    if (reply.type !== "memory") throw new Error(`bundle runner answered ${reply.type} to memory`);
    const { type: _type, ...memory } = reply;
    return memory;
  }

  /** Closes stdin and waits for the child to exit; rejects unless it exits 0. */
  async stop(): Promise<void> {
    this.#requests.end();
    const code = await this.#exit;
    if (code !== 0) throw new Error(`bundle runner exited ${code}${this.#tail()}`);
  }

  /** Kills the child if it is still running (for afterEach clean-up after a failed test). */
  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGKILL");
  }

  #send(request: Record<string, unknown>): Promise<Reply> {
    const reply = this.#next();
    this.#requests.write(`${JSON.stringify(request)}\n`);
    return reply;
  }

  #next(): Promise<Reply> {
    if (this.#ended !== undefined) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #fail(error: Error): void {
    this.#ended ??= error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }

  #tail(): string {
    const output = this.#output.trim();
    return output === "" ? "" : `; its output ends:\n${output}`;
  }
}
