// examples/deploy/: the Kubernetes manifests and the compose file are valid YAML that fit
// together (the HAProxy config and config.yaml are run as they are by scale_test.ts).
import assert from "node:assert/strict";
import { parse, parseAllDocuments } from "yaml";
import { loadConfig } from "../../src/config/mod.ts";
import { ROOT } from "../helpers.ts";

const DIR = `${ROOT}examples/deploy/`;
// deno-lint-ignore no-explicit-any
type Doc = Record<string, any>;

Deno.test("deploy examples: the Kubernetes manifests — Deployment with readiness on /health, a Service without affinity, an HPA", async () => {
  const docs = parseAllDocuments(await Deno.readTextFile(`${DIR}kubernetes.yaml`));
  for (const d of docs) assert.deepEqual(d.errors, [], String(d.errors));
  const byKind = new Map(docs.map((d) => d.toJS() as Doc).map((d) => [d.kind as string, d]));
  assert.deepEqual([...byKind.keys()].sort(), ["Deployment", "HorizontalPodAutoscaler", "Service"]);
  const deployment = byKind.get("Deployment")!;
  const pod = deployment.spec.template;
  assert.deepEqual(deployment.spec.selector.matchLabels, pod.metadata.labels);
  const container = pod.spec.containers[0];
  assert.equal(container.readinessProbe.httpGet.path, "/health");
  const env = new Map((container.env as Doc[]).map((e) => [e.name, e]));
  for (const name of ["REQUEST_STATE_KEY", "JWT_SECRET_KEY", "REDIS_URL", "S3_ENDPOINT_URL"]) {
    assert.ok(env.has(name), `${name} is set`);
  }
  const config = parse(await Deno.readTextFile(`${ROOT}${env.get("MCP_CONFIG")!.value}`));
  const drain = config["streamable-http"].drain_seconds as number;
  // Readiness fails within periodSeconds × failureThreshold, before the listener stops.
  assert.ok(container.readinessProbe.periodSeconds * container.readinessProbe.failureThreshold < drain);
  assert.ok(pod.spec.terminationGracePeriodSeconds > drain + 10, "room to drain calls in flight (10 s)");
  const service = byKind.get("Service")!;
  assert.deepEqual(service.spec.selector, pod.metadata.labels);
  assert.equal(service.spec.sessionAffinity, "None");
  const hpa = byKind.get("HorizontalPodAutoscaler")!;
  assert.equal(hpa.spec.scaleTargetRef.name, deployment.metadata.name);
  assert.ok(hpa.spec.minReplicas >= 2);
  // The HPA scales on a series the instances export (prometheus-adapter names its rate).
  assert.equal(config.metrics?.enabled, true, "the fleet config serves /metrics");
  const pods = (hpa.spec.metrics as Doc[]).find((m) => m.type === "Pods")!;
  assert.equal(pods.pods.metric.name, "mcp_tool_calls_per_second");
  assert.match(await Deno.readTextFile(`${ROOT}docs/operations.md`), /`mcp_tool_calls_total`/);
  const scrape = pod.metadata.annotations as Record<string, string>;
  assert.equal(scrape["prometheus.io/path"], config.metrics.path ?? "/metrics");
  assert.equal(scrape["prometheus.io/port"], String(config["streamable-http"].port));
});

Deno.test("deploy examples: compose — three instances of one config with the same secrets, HAProxy naming each", async () => {
  const compose = parse(await Deno.readTextFile(`${DIR}compose.yaml`), { merge: true }) as Doc;
  const instances = Object.keys(compose.services).filter((s) => /^mcp\d+$/.test(s));
  assert.equal(instances.length, 3);
  const envs = instances.map((s) => compose.services[s].environment as Record<string, string>);
  for (const e of envs) {
    assert.deepEqual(e, envs[0], "every instance runs the same configuration and secrets");
  }
  const haproxyCfg = await Deno.readTextFile(`${DIR}haproxy.cfg`);
  const lb = compose.services.lb.environment as Record<string, string>;
  for (const [i, name] of instances.entries()) {
    assert.match(haproxyCfg, new RegExp(`server mcp${i + 1} "\\$\\{MCP_${i + 1}\\}" check`));
    assert.equal(lb[`MCP_${i + 1}`], `${name}:3000`);
  }
  const directives = haproxyCfg.split("\n").map((l) => l.replace(/#.*/, "").trim()).filter(Boolean);
  assert.deepEqual(
    directives.filter((l) => /^(cookie|stick|balance (source|uri|hdr))/.test(l)),
    [],
    "no stickiness",
  );
  assert.ok(directives.includes("balance roundrobin"));
  assert.match(haproxyCfg, /option httpchk GET \/health/);
  const { config } = await loadConfig({ path: `${ROOT}${envs[0].MCP_CONFIG}`, env: () => undefined });
  assert.equal(config["streamable-http"].fleet, true);
  assert.equal(config["streamable-http"].stateless, false);
  assert.equal(config["streamable-http"].port, 3000);
});
