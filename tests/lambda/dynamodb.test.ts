import {
  defaultEndpoint,
  DynamoDb,
  DynamoDbError,
  dynamoDbOptionsFromEnvironment,
  MAX_ATTEMPTS,
} from "../../lambda_functions/jira-handler/dynamodb";
import { ConfigError } from "../../lambda_functions/jira-handler/errors";
import { dropConnection, hang, json, ScriptedServer, startDynamo } from "./test-helpers";

// The wire behaviour against a scripted server (what is sent, what is retried); the DynamoDB semantics of the three
// calls against dynalite (and through the TicketStore in ticket-store.test.ts).

const TABLE = "monitoring-hub-jira-tickets-test";
const KEY = { fingerprint: { S: "ad057032636c783e" } };
const THROTTLED = json(400, { __type: "com.amazonaws.dynamodb.v20120810#ThrottlingException", message: "Rate of requests exceeds the allowed throughput." });

const server = new ScriptedServer();
let client: DynamoDb;

beforeAll(async () => {
  await server.start();
  client = new DynamoDb({
    endpoint: new URL(server.url),
    region: "eu-west-1",
    credentials: () => ({ accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-secret", sessionToken: "session-token" }),
    attemptTimeoutMs: 200,
    random: () => 0,
  });
});
afterAll(async () => {
  client.destroy();
  await server.stop();
});

describe("DynamoDb on the wire", () => {
  it("POSTs the JSON protocol with the operation's target, a SigV4 signature and the session token", async () => {
    server.script(json(200, { Item: { fingerprint: { S: "ad057032636c783e" }, issueKey: { S: "OPS-1" } } }));

    const out = await client.getItem({ TableName: TABLE, Key: KEY, ConsistentRead: true });

    expect(out).toEqual({ Item: { fingerprint: { S: "ad057032636c783e" }, issueKey: { S: "OPS-1" } } });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: "POST", url: "/", body: { TableName: TABLE, Key: KEY, ConsistentRead: true } });
    expect(request.headers).toMatchObject({
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "DynamoDB_20120810.GetItem",
      "x-amz-security-token": "session-token",
      host: new URL(server.url).host,
    });
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, /);
  });

  it("names a refused condition by DynamoDB's error type and does not retry it", async () => {
    server.script(json(400, { __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", message: "The conditional request failed" }));

    const failure = client.putItem({ TableName: TABLE, Item: KEY, ConditionExpression: "attribute_not_exists(leaseToken)" });

    await expect(failure).rejects.toThrow(DynamoDbError);
    await expect(failure).rejects.toMatchObject({
      name: "ConditionalCheckFailedException",
      status: 400,
      message: "DynamoDB PutItem answered 400 ConditionalCheckFailedException: The conditional request failed",
    });
    expect(server.requests).toHaveLength(1);
  });

  it("retries throttling, 5xx answers and dropped connections, three attempts in all", async () => {
    server.script(THROTTLED, json(500, { __type: "InternalServerError", message: "Internal server error" }), dropConnection, json(200, { Attributes: { leaseToken: { S: "t" } } }));

    await expect(client.updateItem({ TableName: TABLE, Key: KEY, UpdateExpression: "SET leaseToken = :t", ReturnValues: "ALL_NEW" })).rejects.toMatchObject({
      name: "NetworkError",
    });
    expect(server.requests).toHaveLength(MAX_ATTEMPTS);

    server.script(THROTTLED, json(503, {}), json(200, { Attributes: { leaseToken: { S: "t" } } }));
    await expect(client.updateItem({ TableName: TABLE, Key: KEY, UpdateExpression: "SET leaseToken = :t", ReturnValues: "ALL_NEW" })).resolves.toEqual({
      Attributes: { leaseToken: { S: "t" } },
    });
    expect(server.requests).toHaveLength(3);
  });

  it("gives up after three throttled attempts with DynamoDB's error", async () => {
    server.script(THROTTLED);

    await expect(client.getItem({ TableName: TABLE, Key: KEY })).rejects.toMatchObject({ name: "ThrottlingException", status: 400 });
    expect(server.requests).toHaveLength(MAX_ATTEMPTS);
  });

  it("abandons an attempt that gets no answer within its timeout, and retries it", async () => {
    server.script(hang, json(200, {}));

    await expect(client.getItem({ TableName: TABLE, Key: KEY })).resolves.toEqual({});
    expect(server.requests).toHaveLength(2);
  });

  it("abandons an answer that stops halfway, and retries it", async () => {
    server.script((res) => {
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      res.write('{"Item": {"fingerprint": ');
    }, json(200, { Item: KEY }));

    await expect(client.getItem({ TableName: TABLE, Key: KEY })).resolves.toEqual({ Item: KEY });
    expect(server.requests).toHaveLength(2);
  });

  it("names a non-JSON error answer by its status", async () => {
    server.script((res) => {
      res.writeHead(403, { "content-type": "text/html" });
      res.end("<html>Forbidden</html>");
    });

    await expect(client.getItem({ TableName: TABLE, Key: KEY })).rejects.toMatchObject({ name: "Http403", status: 403 });
    expect(server.requests).toHaveLength(1);
  });
});

describe("DynamoDb against dynalite", () => {
  let dynamo: Awaited<ReturnType<typeof startDynamo>>;
  beforeAll(async () => {
    dynamo = await startDynamo(TABLE);
  });
  afterAll(() => dynamo.stop());

  it("puts, updates under a condition and reads an item back", async () => {
    const table = dynamo.table;
    await table.putItem({ TableName: TABLE, Item: { ...KEY, issueKey: { S: "OPS-7" }, ticketOpen: { BOOL: true }, updatedAt: { N: "1736935200000" } } });

    const updated = await table.updateItem({
      TableName: TABLE,
      Key: KEY,
      UpdateExpression: "SET leaseToken = :token",
      ConditionExpression: "attribute_not_exists(leaseToken)",
      ExpressionAttributeValues: { ":token": { S: "lease-1" } },
      ReturnValues: "ALL_NEW",
    });
    expect(updated.Attributes).toEqual({ ...KEY, issueKey: { S: "OPS-7" }, ticketOpen: { BOOL: true }, updatedAt: { N: "1736935200000" }, leaseToken: { S: "lease-1" } });

    await expect(
      table.updateItem({ TableName: TABLE, Key: KEY, UpdateExpression: "SET leaseToken = :token", ConditionExpression: "attribute_not_exists(leaseToken)", ExpressionAttributeValues: { ":token": { S: "lease-2" } } }),
    ).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
    expect((await table.getItem({ TableName: TABLE, Key: KEY, ConsistentRead: true })).Item?.leaseToken).toEqual({ S: "lease-1" });
    expect(await table.getItem({ TableName: TABLE, Key: { fingerprint: { S: "absent" } } })).toEqual({});
  });
});

describe("dynamoDbOptionsFromEnvironment", () => {
  const LAMBDA = { AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "ASIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "token" };

  it("reaches the regional endpoint with the runtime's credentials, read when a request is made", () => {
    const env: NodeJS.ProcessEnv = { ...LAMBDA };
    const options = dynamoDbOptionsFromEnvironment(env);

    expect(options.endpoint.href).toBe("https://dynamodb.eu-west-1.amazonaws.com/");
    expect(options.region).toBe("eu-west-1");
    expect(options.credentials()).toEqual({ accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "token" });
    env.AWS_SESSION_TOKEN = "rotated";
    expect(options.credentials().sessionToken).toBe("rotated");
  });

  it("honours AWS_ENDPOINT_URL_DYNAMODB before AWS_ENDPOINT_URL, and AWS_DEFAULT_REGION when AWS_REGION is unset", () => {
    const { AWS_REGION: _region, ...noRegion } = LAMBDA;
    expect(dynamoDbOptionsFromEnvironment({ ...noRegion, AWS_DEFAULT_REGION: "us-west-2", AWS_ENDPOINT_URL: "http://127.0.0.1:4566" })).toMatchObject({
      region: "us-west-2",
      endpoint: new URL("http://127.0.0.1:4566"),
    });
    expect(
      dynamoDbOptionsFromEnvironment({ ...LAMBDA, AWS_ENDPOINT_URL: "http://127.0.0.1:4566", AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:8000" }).endpoint.href,
    ).toBe("http://127.0.0.1:8000/");
  });

  it("uses the FIPS endpoint when asked, and China's domain in China's regions", () => {
    expect(dynamoDbOptionsFromEnvironment({ ...LAMBDA, AWS_REGION: "us-gov-west-1", AWS_USE_FIPS_ENDPOINT: "true" }).endpoint.href).toBe(
      "https://dynamodb-fips.us-gov-west-1.amazonaws.com/",
    );
    expect(defaultEndpoint("cn-north-1", false)).toBe("https://dynamodb.cn-north-1.amazonaws.com.cn");
  });

  it("skips an empty endpoint variable and refuses one that is not an http(s) URL", () => {
    expect(dynamoDbOptionsFromEnvironment({ ...LAMBDA, AWS_ENDPOINT_URL_DYNAMODB: "", AWS_ENDPOINT_URL: "http://127.0.0.1:4566" }).endpoint.href).toBe(
      "http://127.0.0.1:4566/",
    );
    expect(() => dynamoDbOptionsFromEnvironment({ ...LAMBDA, AWS_ENDPOINT_URL_DYNAMODB: "localhost:8000" })).toThrow(
      new ConfigError("AWS_ENDPOINT_URL_DYNAMODB is not an http(s) URL (localhost:8000); set it to e.g. http://127.0.0.1:8000 or unset it."),
    );
    expect(() => dynamoDbOptionsFromEnvironment({ ...LAMBDA, AWS_ENDPOINT_URL: "not a url" })).toThrow(/AWS_ENDPOINT_URL is not an http\(s\) URL/);
  });

  it("names what is missing instead of signing with nothing", () => {
    const { AWS_REGION: _region, ...noRegion } = LAMBDA;
    expect(() => dynamoDbOptionsFromEnvironment(noRegion)).toThrow(new ConfigError("AWS_REGION is not set; the Lambda runtime sets it, set it yourself elsewhere."));
    const { AWS_SECRET_ACCESS_KEY: _secret, ...noSecret } = LAMBDA;
    expect(() => dynamoDbOptionsFromEnvironment(noSecret).credentials()).toThrow(ConfigError);
    expect(() => dynamoDbOptionsFromEnvironment(noSecret).credentials()).toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/);
  });
});
