// Runs a built JIRA handler bundle in this (real, child) Node process, the way the Lambda runtime does: the bundle is
// required once and `handler` is invoked per event, so module state stays warm between invocations. Plain JavaScript
// so Node runs it without a TypeScript loader; spawned by tests/support/bundle-process.ts, which documents the
// protocol. Requests arrive on stdin and replies leave on fd 3, one JSON document per line each, so whatever the
// bundle itself writes to stdout (powertools' JSON logs) cannot be mistaken for a reply.
//
//   node [Lambda node flags] bundle-runner.js <bundle/index.js>   (stdin: requests, fd 3: replies)
"use strict";
const fs = require("node:fs");
const readline = require("node:readline");

const replies = fs.createWriteStream("", { fd: 3 });
const reply = (message) => replies.write(`${JSON.stringify(message)}\n`);
const errorOf = (error) => (error instanceof Error ? { name: error.name, message: error.message } : { name: typeof error, message: String(error) });

/** The bundle's `handler`, required once as the Lambda runtime does; undefined (and a fatal reply) if it cannot load. */
function load(file) {
  try {
    const { handler } = require(file);
    if (typeof handler !== "function") throw new Error(`${file} does not export a handler function`);
    return handler;
  } catch (error) {
    reply({ type: "fatal", error: errorOf(error) });
    return undefined;
  }
}

const handler = load(process.argv[2]);
const afterLoadKb = process.memoryUsage().rss / 1024;
let invocations = 0;

/** A Lambda context whose remaining time runs down in real time from `budgetMs`. */
function context(budgetMs) {
  const deadline = performance.now() + budgetMs;
  invocations += 1;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "monitoring-hub-jira-test",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:monitoring-hub-jira-test",
    memoryLimitInMB: "128",
    awsRequestId: `req-${invocations}`,
    logGroupName: "/aws/lambda/monitoring-hub-jira-test",
    logStreamName: "2025/01/15/[$LATEST]0123456789abcdef",
    getRemainingTimeInMillis: () => Math.max(0, Math.floor(deadline - performance.now())),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function invoke(event, budgetMs) {
  try {
    return { ok: true, result: await handler(event, context(budgetMs)) };
  } catch (error) {
    return { ok: false, error: errorOf(error) };
  }
}

/** Peak RSS so far, then the heap left after a full collection (a leak shows there, lazy collection does not). */
function memory() {
  const maxRssKb = process.resourceUsage().maxRSS;
  if (typeof global.gc === "function") global.gc();
  return { type: "memory", afterLoadKb, maxRssKb, heapAfterGcKb: process.memoryUsage().heapUsed / 1024 };
}

async function answer(request) {
  switch (request.type) {
    case "invoke":
      return { type: "result", ...(await invoke(request.event, request.budgetMs ?? 30_000)) };
    case "memory":
      return memory();
    default:
      throw new Error(`unknown request type ${JSON.stringify(request.type)}`);
  }
}

async function serve() {
  reply({ type: "ready", afterLoadKb });
  for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === "") continue;
    try {
      reply(await answer(JSON.parse(line)));
    } catch (error) {
      reply({ type: "fatal", error: errorOf(error) });
    }
  }
}

// Exits once stdin closes (the parent is done with this container): the SDK's and axios's keep-alive sockets would
// otherwise hold the process open.
(handler === undefined ? Promise.resolve(1) : serve().then(() => 0)).then((code) => replies.end(() => process.exit(code)));
