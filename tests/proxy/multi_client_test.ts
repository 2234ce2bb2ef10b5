// Two downstream clients on one proxy (streamable HTTP, stateful): each gets only its own
// progress and its own sampling requests; a shared upstream refuses to guess when two clients
// could have caused a request; `isolation: per-session` gives each client its own child.
import assert from "node:assert/strict";
import { CreateMessageRequestSchema, LoggingMessageNotificationSchema } from "../../src/sdk/types.ts";
import type { Client } from "../../src/sdk/client.ts";
import { connectHttp, eventually, firstText, newClient, startCli, tempConfig } from "../helpers.ts";
import { alive, fixtureYaml } from "./_helpers.ts";

function answerSampling(client: Client, label: string, gate?: Promise<void>, onAsked?: () => void): void {
  client.setRequestHandler(CreateMessageRequestSchema, async () => {
    onAsked?.();
    await gate;
    return { role: "assistant", model: "m", content: { type: "text", text: label } };
  });
}

async function withProxy(
  extra: Record<string, unknown>,
  fn: (url: string, stderr: () => string) => Promise<void>,
): Promise<void> {
  const { path } = await tempConfig(
    `server: {type: streamable-http}\nstreamable-http: {port: 0, stateless: false, json_response: false}\n` +
      `proxy: {enabled: true}\nmcp_servers:\n${fixtureYaml("fx", extra)}`,
  );
  const proc = startCli(["--config", path]);
  try {
    await fn(await proc.ready, proc.stderr);
  } finally {
    assert.equal((await proc.stop()).code, 0, proc.stderr());
  }
}

Deno.test("shared upstream: concurrent progress is routed per caller", async () => {
  await withProxy({}, async (url) => {
    const a = await connectHttp(url);
    const b = await connectHttp(url);
    try {
      const seenA: number[] = [];
      const seenB: number[] = [];
      const [ra, rb] = await Promise.all([
        a.client.callTool({ name: "proxy.fx.progress", arguments: { steps: 30 } }, undefined, {
          onprogress: (p) => seenA.push(p.progress),
        }),
        b.client.callTool({ name: "proxy.fx.progress", arguments: { steps: 20 } }, undefined, {
          onprogress: (p) => seenB.push(p.progress),
        }),
      ]);
      assert.equal(firstText(ra), "done 30");
      assert.equal(firstText(rb), "done 20");
      assert.deepEqual(seenA, Array.from({ length: 30 }, (_, i) => i + 1));
      assert.deepEqual(seenB, Array.from({ length: 20 }, (_, i) => i + 1));
    } finally {
      await a.close();
      await b.close();
    }
  });
});

Deno.test("shared upstream: sampling goes to the caller; an ambiguous request is refused, not misrouted", async () => {
  await withProxy({}, async (url) => {
    const a = await connectHttp(url, { client: newClient("a") });
    const b = await connectHttp(url, { client: newClient("b") });
    try {
      answerSampling(a.client, "from A");
      answerSampling(b.client, "from B");
      assert.equal(
        firstText(await a.client.callTool({ name: "proxy.fx.ask", arguments: { prompt: "?" } })),
        "sampled: from A",
      );
      assert.equal(
        firstText(await b.client.callTool({ name: "proxy.fx.ask", arguments: { prompt: "?" } })),
        "sampled: from B",
      );

      // A's call is waiting on its own sampling answer when B's call asks too: the proxy cannot
      // know whose request B's is, so it refuses it instead of sending it to A.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let asked!: () => void;
      const aAsked = new Promise<void>((r) => (asked = r));
      answerSampling(a.client, "from A", gate, asked);
      let bAsked = false;
      answerSampling(b.client, "from B", undefined, () => (bAsked = true));
      const callA = a.client.callTool({ name: "proxy.fx.ask", arguments: { prompt: "?" } });
      await aAsked;
      const rb = await b.client.callTool({ name: "proxy.fx.ask", arguments: { prompt: "?" } });
      assert.equal(rb.isError, true);
      assert.match(firstText(rb), /several clients/);
      assert.equal(bAsked, false, "B was never asked to sample someone else's request");
      release();
      assert.equal(firstText(await callA), "sampled: from A");
    } finally {
      await a.close();
      await b.close();
    }
  });
});

Deno.test("shared upstream: a request or log sent after its caller left reaches no other client", async () => {
  await withProxy({}, async (url, stderr) => {
    const a = await connectHttp(url, { client: newClient("a") });
    const b = await connectHttp(url, { client: newClient("b") });
    try {
      const seenByB: string[] = [];
      b.client.setRequestHandler(CreateMessageRequestSchema, (req) => {
        seenByB.push(JSON.stringify(req.params));
        return { role: "assistant", model: "m", content: { type: "text", text: "from B" } };
      });
      b.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        seenByB.push(JSON.stringify(n.params));
      });
      // A starts something that talks back after A has gone, while B stays connected and idle.
      assert.equal(
        firstText(
          await a.client.callTool({ name: "proxy.fx.later", arguments: { secret: "A-SECRET", ms: 300 } }),
        ),
        "later",
      );
      await a.close();
      await eventually(() => /refused sampling request/.test(stderr()), "the proxy refused the late request");
      assert.match(
        firstText(await b.client.callTool({ name: "proxy.fx.later_outcome", arguments: {} })),
        /^refused: /,
      );
      assert.deepEqual(seenByB, [], "nothing of A's reached B");
      assert.match(stderr(), /log from upstream 'fx' \(not routed\)/);
    } finally {
      await b.close();
    }
  });
});

Deno.test("per-session isolation: own child per client, exact routing, max_instances, reaped on session end", async () => {
  await withProxy({ isolation: "per-session", max_instances: 2 }, async (url) => {
    const a = await connectHttp(url, { client: newClient("a") });
    const b = await connectHttp(url, { client: newClient("b") });
    const c = await connectHttp(url, { client: newClient("c") });
    try {
      const pidA = Number(firstText(await a.client.callTool({ name: "proxy.fx.pid", arguments: {} })));
      const pidB = Number(firstText(await b.client.callTool({ name: "proxy.fx.pid", arguments: {} })));
      assert.notEqual(pidA, pidB);
      assert.equal(Number(firstText(await a.client.callTool({ name: "proxy.fx.pid", arguments: {} }))), pidA);

      // Both ask at the same time: each request reaches its own client.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let n = 0;
      let bothAsked!: () => void;
      const asked = new Promise<void>((r) => (bothAsked = r));
      const count = () => ++n === 2 && bothAsked();
      answerSampling(a.client, "from A", gate, count);
      answerSampling(b.client, "from B", gate, count);
      const calls = Promise.all([
        a.client.callTool({ name: "proxy.fx.ask", arguments: { prompt: "?" } }),
        b.client.callTool({ name: "proxy.fx.ask", arguments: { prompt: "?" } }),
      ]);
      await asked;
      release();
      const [ra, rb] = await calls;
      assert.equal(firstText(ra), "sampled: from A");
      assert.equal(firstText(rb), "sampled: from B");

      // A third session is over max_instances (2).
      const rc = await c.client.callTool({ name: "proxy.fx.pid", arguments: {} });
      assert.equal(rc.isError, true);
      assert.match(firstText(rc), /max_instances \(2\)/);

      // A ends its session (DELETE): its child is stopped and C can get one.
      await a.close();
      await eventually(async () => !(await alive(pidA)), "A's child stopped", { tries: 200 });
      const pidC = Number(firstText(await c.client.callTool({ name: "proxy.fx.pid", arguments: {} })));
      assert.ok(await alive(pidC));
      assert.ok(await alive(pidB));
    } finally {
      await b.close();
      await c.close();
    }
  });
});

Deno.test("per-session isolation: an idle instance is stopped after idle_timeout", async () => {
  await withProxy({ isolation: "per-session", idle_timeout: 1 }, async (url) => {
    const a = await connectHttp(url);
    try {
      const pid = Number(firstText(await a.client.callTool({ name: "proxy.fx.pid", arguments: {} })));
      assert.ok(await alive(pid));
      await eventually(async () => !(await alive(pid)), "idle instance stopped", { tries: 200 });
      // The session is still there: its next call starts a new instance.
      const pid2 = Number(firstText(await a.client.callTool({ name: "proxy.fx.pid", arguments: {} })));
      assert.notEqual(pid2, pid);
    } finally {
      await a.close();
    }
  });
});
